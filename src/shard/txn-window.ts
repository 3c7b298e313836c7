/**
 * The transaction window (docs/engine.md): BEGIN opens it for one writer, whose commands are then applied here as
 * they are made and buffered; one TXN record commits them all, or ABORT drops them. Other writers' records that land
 * inside an open window are void everywhere: their writers wait for the window to close and write them again.
 */
import { now as clockNow, sleepMs as sleep } from '../clock.js';
import { Timeout, TransactionAborted } from '../errors.js';
import { FRAME_HEADER_BYTES } from '../format/frame.js';
import {
  OP_ABORT, OP_BEGIN, OP_LEASE, OP_TXN, RecordInput, RecordView, TxnOp, encodeRecord, encodeTxnValue, newRecordView, readRecord,
  walkTxnValue,
} from '../format/record.js';
import type { Pending, ShardCore } from './core.js';
import { closeAbandoned, completeCommittedGroup } from './group-commit.js';
import { LeaseHolder, encodeWindow, newWindowId, holdLease, releaseLease, renewLeases, selfIdentity, windowAbandoned } from './owner.js';
import { VALUE_CACHE_MAX_BYTES } from './values.js';
import { load } from './reload.js';
import type { FrameLocation, Outcome } from './state.js';

/** Local file number for values that are still in an uncommitted transaction. */
export const TXN_FILE = 0xffffffff;

/** The open transaction of this handle: commands are applied locally and buffered, then committed as one TXN. */
interface OpenTxn {
  /** The window's id (its BEGIN states it; our TXN and ABORT name it): a group's id, or random. */
  id: Buffer;
  /** state.seq just after our BEGIN; nested commands take version baseSeq + 1. */
  baseSeq: number;
  ops: TxnOp[];
  /** Slots whose value lives in a buffered command (index into ops), to re-point once the TXN is in the log. */
  stored: { slot: number; version: number; op: number }[];
  values: Map<number, { version: number; bytes: Buffer }>;
  committing: boolean;
  /** The state was rebuilt from the log while committing: our TXN applies as anyone else's would. */
  reloaded: boolean;
  /** The TXN record, once built (a group's intent holds the same bytes). */
  record?: { time: number; value: Buffer };
}

export class TxnWindow implements LeaseHolder {
  readonly #c: ShardCore;
  #txn: OpenTxn | null = null;

  constructor(core: ShardCore) {
    this.#c = core;
  }

  /** A transaction of ours is open (commands are buffered). */
  get open(): boolean {
    return this.#txn !== null;
  }

  /** Commands are being buffered (open, not yet committing): the shard's append hands them to buffer(). */
  get buffering(): boolean {
    return this.#txn !== null && !this.#txn.committing;
  }

  /** The replay met our own TXN while our buffered commands are still applied here (see settleOwn). */
  get settlesOwn(): boolean {
    return this.#txn !== null && this.#txn.committing && !this.#txn.reloaded;
  }

  /** The bytes of a value our open transaction buffered, if `version` is still the slot's. */
  bufferedValue(slot: number, version: number): Buffer | null {
    // Every command of one transaction shares one version, so a value it buffered matches whenever it is current.
    const v = this.#txn?.values.get(slot);
    return v !== undefined && v.version === version ? v.bytes : null;
  }

  /** Before a rebuild of the state: returns what afterLoad needs to apply the buffered commands again. */
  beforeLoad(): OpenTxn | null {
    const txn = this.#txn;
    // An open transaction's buffered commands live only in this state: a rebuild must apply them again.
    if (txn?.committing) txn.reloaded = true;
    return txn;
  }

  afterLoad(txn: OpenTxn | null): void {
    if (txn && !txn.committing && this.#txn === txn) this.#reapply(txn);
  }

  /** In a transaction: apply the command here now (so later reads see it) and keep it for the TXN record. */
  buffer(op: number, input: Omit<RecordInput, 'writer' | 'seq'>, wantItems: boolean): Outcome {
    const c = this.#c;
    const txn = this.#txn!;
    const record = { ...input, writer: c.writer, seq: 0 };
    const frame = encodeRecord(op, record);
    const r = newRecordView();
    readRecord(frame, op, FRAME_HEADER_BYTES, frame.length - FRAME_HEADER_BYTES, r);
    const loc = { file: TXN_FILE, offset: 0, frameLength: frame.length, bufStart: 0, itemBytes: frame.length };
    const outs: Outcome[] = [];
    const out = c.state.applyNested(r, loc, txn.baseSeq + 1, outs, wantItems)!;
    if (wantItems) c.values.readRemoved(out);
    const slot = c.state.lastStored;
    if (slot >= 0) {
      const version = c.state.kd.version[slot];
      txn.stored.push({ slot, version, op: txn.ops.length });
      // A view of the caller's value bytes when it gave them whole (the op keeps them anyway for the TXN record), so
      // the encoded frame is not kept too: one copy per buffered value, not two.
      const v = record.value;
      const bytes = v instanceof Uint8Array && v.byteLength === r.valueLength
        ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : frame.subarray(r.valueStart, r.valueStart + r.valueLength);
      txn.values.set(slot, { version, bytes });
    }
    txn.ops.push({ op, record });
    return out;
  }

  /** After a rebuild of the state: buffers the transaction's commands again (same versions, same outcomes). */
  #reapply(txn: OpenTxn): void {
    const ops = txn.ops;
    txn.ops = [];
    txn.stored = [];
    txn.values = new Map();
    for (const { op, record } of ops) this.buffer(op, record, false);
  }

  /** Waits (sleeping, not spinning) until no other writer's transaction window is open; Timeout past `deadline`. */
  waitClosed(deadline: number): void {
    const look = { next: Date.now() + 50 };
    let sleepMs = 0.05;
    while (!this.#closed(deadline, look)) {
      sleep(sleepMs);
      sleepMs = Math.min(sleepMs * 2, 2);
    }
  }

  /**
   * waitClosed for asynchronous callers: resolves once no other writer's transaction window is open, waiting with
   * timers (the event loop runs meanwhile); rejects with Timeout past `deadline`.
   */
  async waitClosedAsync(deadline: number): Promise<void> {
    const look = { next: Date.now() + 50 };
    let sleepMs = 1;
    while (!this.#closed(deadline, look)) {
      await new Promise((r) => setTimeout(r, sleepMs));
      sleepMs = Math.min(sleepMs * 2, 16);
    }
  }

  /**
   * One look at the window: true when none of another writer's is open. Completes a committed group's window; closes
   * a window whose owner is gone or whose lease ran out (looked at every 50 ms: `look.next`); Timeout past `deadline`.
   */
  #closed(deadline: number, look: { next: number }): boolean {
    const c = this.#c;
    c.replay.sync();
    completeCommittedGroup(c);
    const owner = c.state.txnOwner;
    if (owner === 0 || owner === c.writer) return true;
    const now = Date.now();
    if (now > deadline) throw new Timeout();
    renewLeases(); // our own windows on other shards (a FanoutCache transaction) stay ours while we wait here
    if (now >= look.next) {
      look.next = now + 50;
      const st = c.state;
      if (windowAbandoned({ owner: st.txnIdentity, leaseUntil: st.txnLease }, now)) {
        // Its owner is gone, or its lease ran out: close it for everyone (idempotent if several of us do).
        closeAbandoned(c, deadline);
        return this.#closed(deadline, look);
      }
    }
    return false;
  }

  /** Opens a transaction window (waits for any other one to close). Commands until commit/abort are buffered. */
  begin(deadline: number, group: Buffer | null = null): void {
    const c = this.#c;
    if (this.#txn) throw new Error('transaction already open');
    // Wait first, so that the lease our BEGIN states starts when the window opens.
    c.replay.sync();
    if (c.state.txnOwner !== 0 && c.state.txnOwner !== c.writer) this.waitClosed(deadline);
    const me = selfIdentity();
    const id = group ?? newWindowId();
    c.append(OP_BEGIN, {
      time: clockNow(), num1: me.pid, num2: (Date.now() + c.txnLeaseMs) / 1000, value: encodeWindow(me, id, group !== null),
    }, deadline);
    this.#txn = { id, baseSeq: c.state.seq, ops: [], stored: [], values: new Map(), committing: false, reloaded: false };
    holdLease(this);
  }

  /** Renews our window's lease when less than half of it is left (a LEASE record); never throws (see owner.ts). */
  renewLease(nowMs: number): void {
    const c = this.#c;
    if (this.#txn === null || c.closed || c.state.txnOwner !== c.writer) return;
    if (c.state.txnLease * 1000 - nowMs > c.txnLeaseMs / 2) return;
    try {
      const frame = encodeRecord(OP_LEASE, { writer: c.writer, seq: 0, time: nowMs / 1000, num1: (nowMs + c.txnLeaseMs) / 1000 });
      c.segments.appendRaw(frame);
      c.replay.sync();
    } catch {
      // Not renewed (a full disk, say): the lease may run out, and the commit then fails loudly.
    }
  }

  /** The open transaction's TXN record (built once: a group's intent and the commit use the same bytes). */
  record(): { time: number; value: Buffer } {
    const txn = this.#txn;
    if (txn === null) throw new TransactionAborted('the cache was closed inside transact(); nothing of the transaction applied');
    return (txn.record ??= { time: clockNow(), value: encodeTxnValue([], txn.ops) });
  }

  /**
   * Commits the buffered commands as one TXN record. `grouped`: the group's intent is in place (the transaction is
   * committed whatever happens here): a failure leaves the window for anyone to complete from the intent, and a TXN
   * that finds the window already completed that way is success.
   * @throws TransactionAborted when our window was closed before the TXN reached the log (nothing applied).
   */
  commit(grouped = false): void {
    const record = this.record();
    const txn = this.#txn!;
    releaseLease(this);
    txn.committing = true;
    let out: Outcome;
    try {
      out = this.#c.append(OP_TXN, { ...record, key: txn.id }, Infinity);
    } catch (err) {
      if (grouped) {
        this.#txn = null;
        this.#c.mustReload = true; // our buffered commands are not in the log yet: the intent completes them
        throw err;
      }
      // The TXN is torn, or in the log with its outcome unknown: close the window (an ABORT after our TXN is a
      // no-op, so the transaction applied entirely or not at all) and drop the buffered commands.
      this.abort();
      throw err;
    } finally {
      this.#txn = null;
    }
    // Never a silent return for a commit that did not apply (docs/engine.md, "Owners and leases").
    if (!out.applied && !grouped) throw new TransactionAborted();
  }

  /** Drops the buffered commands: closes the window and rebuilds the state they changed. */
  abort(): void {
    const c = this.#c;
    const id = this.#txn?.id;
    this.#txn = null;
    releaseLease(this);
    if (c.closed) return;
    try {
      c.append(OP_ABORT, { time: clockNow(), num1: c.writer, key: id }, Infinity);
    } catch {
      // The window stays open until our next append writes the ABORT (see Shard.append).
    } finally {
      c.mustReload = true;
      try { load(c); } catch { /* the next sync rebuilds */ }
    }
  }

  /**
   * Our own TXN reached the log (`rv` holds its record). Its commands are already applied here (as they were
   * buffered), so instead of applying them again, point their values at the TXN frame. If our window was aborted
   * meanwhile (another process took us for dead), or completed from a group's intent, the local state is wrong: the
   * replay rebuilds it before it applies another frame (never here, in the middle of the replay's buffer).
   */
  settleOwn(own: Pending, seq: number, loc: FrameLocation, buf: Buffer, rv: RecordView): void {
    const c = this.#c;
    const txn = this.#txn!;
    c.pending.delete(seq);
    c.markRead(own);
    if (c.state.txnOwner !== c.writer) {
      own.outcome = { applied: false, removed: [] };
      this.#txn = null;
      c.rebuildAfterFrame = true;
      return;
    }
    c.state.closeWindow();
    c.state.seq = txn.baseSeq + 1;
    const kd = c.state.kd;
    const bodies: number[] = [];
    const r = newRecordView();
    walkTxnValue(buf, rv.valueStart, rv.valueLength, () => {}, (op, body, length) => {
      readRecord(buf, op, body, length, r);
      bodies.push(r.valueStart);
    });
    // Last first: a key stored twice in the transaction holds its last value (the earlier entries are skipped).
    for (let i = txn.stored.length - 1; i >= 0; i--) {
      const { slot, version, op } = txn.stored[i];
      if (kd.version[slot] !== version || kd.file[slot] !== TXN_FILE) continue;
      // Accounted as every other process accounts it (its own record's size, kept in itemBytes).
      kd.relocate(slot, loc.file, loc.offset, loc.frameLength, bodies[op] - loc.bufStart);
    }
    // Into the value cache on the same terms as values met by a replay (small ones only: it is bounded by both).
    for (const [slot, v] of txn.values) {
      if (kd.version[slot] === v.version && v.bytes.length <= VALUE_CACHE_MAX_BYTES) c.values.cache.set(slot, v.version, v.bytes);
    }
    own.outcome = { applied: true, removed: [] };
    this.#txn = null;
  }
}
