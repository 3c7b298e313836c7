/**
 * The shard's state machine. Every process applies the same records in the same log order with the same inputs
 * (each record carries its own "now"), so every process computes the same keydir, the same slot numbers and the
 * same outcome for a conditional command. A writer learns what its command did by replaying up to it.
 */
import { keyIdOfEncoded } from '../format/keys.js';
import { MODE_RAW_NUMBER } from '../format/disk.js';
import { EntryMeta, MAX_SLOTS, readBaseTrailer } from '../format/base.js';
import { unsafeSum } from './counters.js';
import {
  FLAG_DEFAULT_NULL, FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_PREFIX, FLAG_HAS_TAG,
  FLAG_SIDE_FRONT, OP_ADD, OP_BASE, OP_CLEAR, OP_DELETE, OP_DELV, OP_ENTRY, OP_INCR, OP_ITEM, OP_PUSH, OP_SET, OP_SETTING,
  OP_TOUCH, OP_TXN, OP_BEGIN, OP_ABORT, OP_LEASE, OP_TOMB, OP_CHAIN, RecordView, baseOnly, newRecordView, readRecord, walkTxnValue,
} from '../format/record.js';
import { KeyDir, NEVER, NIL, ValueFile } from './keydir.js';
import { QUEUE_START, QueueIndex } from './queues.js';
import { FRAME_HEADER_BYTES } from '../format/frame.js';
import { DEFAULT_LEASE_MS, OwnerIdentity, decodeIdentity, decodeWindowId } from './owner.js';

/** Where the frame being applied lies: local file number, its offset in the file and in the buffer. */
export interface FrameLocation {
  file: number;
  offset: number;
  frameLength: number;
  /** Offset of the frame's first byte inside the record view's buffer. */
  bufStart: number;
  /** For a command nested in a larger frame (a TXN): the bytes it counts for (its own record as a frame). */
  itemBytes?: number;
}

/** A removed or replaced item, as a writer needs it (pop returns its value; its file is deleted). */
export interface ItemSnapshot {
  slot: number;
  version: number;
  /** The inline value's bytes, read by the shard as the command applied (null: they did not check out). Local
   * file numbers change when the shard reloads, so a snapshot is never read through its location later. */
  bytes?: Buffer | null;
  /** The I/O error that kept the shard from reading them (thrown to the caller, not inside the replay). */
  error?: unknown;
  file: number;
  offset: number;
  frameLength: number;
  valueOffset: number;
  valueLength: number;
  mode: number;
  expire: number;
  tag: string | undefined;
  number: number | undefined;
  valueFile: ValueFile | undefined;
}

/** What a command did, computed only for the writer's own records. */
export interface Outcome {
  applied: boolean;
  /** Set by the writer: it wants snapshots of removed items (pop, pull), not only of those with value files. */
  wantItems?: boolean;
  /**
   * Failure of a command that applied nothing: 'missing' (incr with no default), 'type' (incr on a non-number),
   * 'unsafe' (an integer incr whose result would not be an exact double: see unsafeSum).
   */
  error?: 'missing' | 'type' | 'unsafe';
  /** Items a command removed or replaced: pop reads the first; the writer deletes their value files. */
  removed: ItemSnapshot[];
  /** The key push chose (encoded). */
  key?: Buffer;
  /** incr's new value. */
  value?: number;
  /** clear/delv: how many items went. */
  count?: number;
  /** txn: outcomes of the nested commands. */
  nested?: Outcome[];
}


export const APPLIED = 0;
export const MALFORMED = 1;
/** The record lies inside another writer's transaction window: no effect anywhere, and it does not count. */
export const VOID = 2;
export type ApplyStatus = typeof APPLIED | typeof MALFORMED | typeof VOID;

export class ShardState {
  readonly kd = new KeyDir();
  readonly queues = new QueueIndex();
  /** Records applied so far (from the beginning of the shard's history): an item's version is this at its change. */
  seq = 0;
  rowidCounter = 0;
  readonly settings = new Map<string, unknown>();
  /** The slot the last applied record stored a value into (set, add, push), or NIL: the reader caches its value. */
  lastStored = NIL;
  /** Writer id of the open transaction window, or 0. */
  txnOwner = 0;
  /** The meta of the base item being applied (an ITEM or ENTRY): readBaseItem fills it with the record's view. */
  readonly entryMeta: EntryMeta = { rowid: 0, version: 0, slot: 0 };
  /** pid of the window's owner (for finding a dead owner). */
  txnPid = 0;
  /** The window's lease deadline (epoch seconds) and its owner's identity (owner.ts): how waiters judge it. */
  txnLease = 0;
  txnIdentity: OwnerIdentity | null = null;
  /**
   * While a chain of bases loads (reload.ts): an item of a later base replaces the same key's item of an earlier one,
   * and a TOMB removes it (format.md, "Chains"). Outside a chain load both are damage.
   */
  chainLoad = false;
  /**
   * The keys (latin1 of their encoded bytes) of items removed since the newest base's seal (cleared at each load and
   * at each base this handle writes: Shard.wroteBase), or null when not kept: a background compactor's copy keeps
   * them, so that a chain link it writes can say which items of earlier bases are gone (compaction.ts). Null in every
   * other process: nothing is kept.
   */
  removedKeys: Set<string> | null = null;
  /** The group (FanoutCache transaction) the window belongs to, or null: see group-commit.ts. */
  txnGroup: Buffer | null = null;
  /** The window's id as its BEGIN stated it (the group id for a group's window), or null (an older BEGIN). */
  txnWindowId: Buffer | null = null;

  /** Closes the open window (its TXN applied, or an ABORT). */
  closeWindow(): void {
    this.txnOwner = 0;
    this.txnPid = 0;
    this.txnLease = 0;
    this.txnIdentity = null;
    this.txnGroup = null;
    this.txnWindowId = null;
  }

  /**
   * Whether an ABORT or TXN is about the open window: it names none (key empty: the owner's current window, as
   * older records do), or names this one. A closer's record that names an earlier window of the same owner (it
   * decided on a window that closed meanwhile) closes nothing.
   */
  #aboutOpenWindow(r: RecordView): boolean {
    if (r.keyLength === 0) return true;
    const id = this.txnWindowId;
    return id !== null && r.keyLength === id.length && id.equals(r.buf.subarray(r.keyStart, r.keyStart + r.keyLength));
  }

  reset(): void {
    this.kd.clear();
    this.queues.clear();
    this.seq = 0;
    this.rowidCounter = 0;
    this.settings.clear();
    this.closeWindow();
    this.removedKeys?.clear();
  }

  /** The slot of the encoded key in record `r`, or NIL. */
  #slotOfKey(r: RecordView): number {
    return this.kd.find(r.buf, r.keyStart, r.keyStart + r.keyLength);
  }

  snapshot(slot: number): ItemSnapshot {
    const kd = this.kd;
    return {
      slot, version: kd.version[slot], file: kd.file[slot], offset: kd.offset[slot], frameLength: kd.frameLength[slot],
      valueOffset: kd.valueOffset[slot], valueLength: kd.valueLength[slot], mode: kd.mode[slot],
      expire: kd.expire[slot], tag: kd.tags.get(slot), number: kd.numbers.get(slot), valueFile: kd.files.get(slot),
    };
  }

  /**
   * Applies one record. `out` is filled for the writer's own records (null for everyone else's, which skips the
   * bookkeeping). Returns MALFORMED when the record does not decode (the caller reports it as corruption).
   */
  apply(r: RecordView, loc: FrameLocation, out: Outcome | null): ApplyStatus {
    if (this.txnOwner !== 0 && r.writer !== this.txnOwner && r.op !== OP_ABORT && !baseOnly(r.op)) {
      return VOID;
    }
    this.lastStored = NIL;
    return this.#apply(r, loc, out) ? APPLIED : MALFORMED;
  }

  #apply(r: RecordView, loc: FrameLocation, out: Outcome | null): boolean {
    // An ABORT takes no version: one may arrive inside another writer's window (for an older, dead one), and
    // the window's owner has already given its buffered commands the version after its BEGIN.
    // A lease renewal takes none either (the owner's commands already carry theirs).
    if (r.op !== OP_ABORT && r.op !== OP_LEASE) this.seq++;
    switch (r.op) {
      case OP_SET:
        this.#store(r, loc, out, false);
        return true;
      case OP_ADD:
        this.#store(r, loc, out, true);
        return true;
      case OP_DELETE: {
        const slot = this.#slotOfKey(r);
        if (slot === NIL || !(this.kd.expire[slot] > r.time)) {
          if (out) out.applied = false;
          return true;
        }
        if (out) {
          out.applied = true;
          if (out.wantItems || this.kd.files.has(slot)) out.removed.push(this.snapshot(slot));
        }
        this.#remove(slot);
        return true;
      }
      case OP_DELV: {
        let count = 0;
        const ok = walkTxnValue(r.buf, r.valueStart, r.valueLength, (ks, kl, version) => {
          const slot = this.kd.find(r.buf, ks, ks + kl);
          if (slot === NIL || this.kd.version[slot] !== version) return;
          if (out && (out.wantItems || this.kd.files.has(slot))) out.removed.push(this.snapshot(slot));
          this.#remove(slot);
          count++;
        }, () => {});
        if (out) { out.applied = count > 0; out.count = count; }
        return ok;
      }
      case OP_INCR:
        this.#incr(r, loc, out);
        return true;
      case OP_TOUCH: {
        const slot = this.#slotOfKey(r);
        const live = slot !== NIL && this.kd.expire[slot] > r.time;
        if (live) this.kd.retouch(slot, r.flags & FLAG_HAS_EXPIRE ? r.num1 : NEVER, this.seq);
        if (out) out.applied = live;
        return true;
      }
      case OP_CLEAR: {
        let count = 0;
        for (const slot of this.kd.slots()) {
          if (out) { const f = this.kd.files.get(slot); if (f) out.removed.push(this.snapshot(slot)); }
          this.#remove(slot);
          count++;
        }
        if (out) { out.applied = true; out.count = count; }
        return true;
      }
      case OP_PUSH:
        this.#push(r, loc, out);
        return true;
      case OP_TXN:
        return this.#txn(r, loc, out);
      case OP_BEGIN:
        // Only reached with no window open (a second BEGIN from another writer is VOID above).
        this.txnOwner = r.writer;
        this.txnPid = r.num1;
        this.txnLease = r.num2 > 0 ? r.num2 : r.time + DEFAULT_LEASE_MS / 1000;
        this.#windowFacts(r.buf, r.valueStart, r.valueLength);
        if (out) out.applied = true;
        return true;
      case OP_LEASE:
        // Only the window's owner gets here (anyone else's record is VOID above).
        if (r.num1 > this.txnLease) this.txnLease = r.num1;
        if (out) out.applied = true;
        return true;
      case OP_ABORT:
        if (this.txnOwner === r.num1 && this.#aboutOpenWindow(r)) this.closeWindow();
        if (out) out.applied = true;
        return true;
      case OP_SETTING: {
        const name = r.buf.toString('utf8', r.keyStart, r.keyStart + r.keyLength);
        try {
          this.settings.set(name, JSON.parse(r.buf.toString('utf8', r.valueStart, r.valueStart + r.valueLength)));
        } catch {
          return false;
        }
        if (out) out.applied = true;
        return true;
      }
      case OP_ENTRY:
      case OP_ITEM:
        return this.#entry(r, loc);
      case OP_TOMB:
        return this.#tomb(r, loc);
      case OP_CHAIN:
        // Read by the load before the link's items (reload.ts); restores no history.
        this.seq--;
        return this.chainLoad;
      case OP_BASE: {
        const t = readBaseTrailer(r.buf, r.valueStart, r.valueLength);
        if (t === null) return false;
        // From disk: a high-water mark must lie between the slots the entries hold and MAX_SLOTS. The entries' own
        // mark is kept: every slot from it up is free either way (the lowest free slot is taken first), so no number
        // from the file sizes the free-slot rebuild.
        // (A chain's earlier bases may leave stale items at slots above a later base's mark until a later base
        // replaces or removes them: within a chain the mark is not compared.)
        if (t.highWater > MAX_SLOTS || (!this.chainLoad && t.highWater < this.kd.highWater)) return false;
        this.seq = r.num1;
        this.rowidCounter = r.num2;
        this.txnOwner = t.txnOwner;
        this.txnPid = t.txnPid;
        if (this.txnOwner !== 0) {
          this.txnLease = t.txnLease > 0 ? t.txnLease : r.time + DEFAULT_LEASE_MS / 1000;
          this.#windowFacts(t.window, 0, t.window.length);
        }
        return true;
      }
      default:
        // Unknown ops from a newer writer are skipped, not fatal: the frame checked out.
        return true;
    }
  }

  /** The owner identity, and the group id after it, of a window (a BEGIN's value, or a base trailer's). */
  #windowFacts(buf: Buffer, start: number, length: number): void {
    this.txnIdentity = decodeIdentity(buf, start, length);
    const { id, group } = decodeWindowId(buf, start, length);
    this.txnWindowId = id;
    this.txnGroup = group;
  }

  #remove(slot: number): void {
    const t = this.kd.keys;
    if (this.removedKeys !== null) this.removedKeys.add(t.arena.toString('latin1', t.keyStart[slot], t.keyStart[slot] + t.keyLength[slot]));
    this.#drop(slot);
  }

  /** Removes the item of `slot` (a record's removal, or a chain base's replacement of a stale item). */
  #drop(slot: number): void {
    const t = this.kd.keys;
    this.queues.remove(t.arena, t.keyStart[slot], t.keyStart[slot] + t.keyLength[slot]);
    this.kd.remove(slot);
  }

  /** Points a slot at the value carried by record `r` and takes its metadata. */
  #fill(slot: number, r: RecordView, loc: FrameLocation, time: number, version: number): void {
    this.kd.store(
      slot, loc.file, loc.offset, loc.frameLength, r.valueStart - loc.bufStart, r.valueLength, r.mode, time, version,
      r.flags & FLAG_HAS_EXPIRE ? r.num1 : NEVER,
      r.flags & FLAG_HAS_TAG ? keyIdOfEncoded(r.buf.subarray(r.tagStart, r.tagStart + r.tagLength)) : undefined,
      r.flags & FLAG_FILE ? { name: r.buf.toString('utf8', r.valueStart, r.valueStart + r.valueLength), size: r.num2 } : undefined,
      r.mode === MODE_RAW_NUMBER && r.valueLength === 8 ? r.buf.readDoubleLE(r.valueStart) : undefined, loc.itemBytes,
    );
    this.lastStored = slot;
  }

  /** Inserts the encoded key `b[start, end)` (absent). */
  #insert(b: Uint8Array, start: number, end: number): number {
    const slot = this.kd.insert(b, start, end);
    this.kd.rowid[slot] = ++this.rowidCounter;
    this.queues.add(b, start, end);
    return slot;
  }

  /** set and add: replace (keeping the insertion position) or insert. */
  #store(r: RecordView, loc: FrameLocation, out: Outcome | null, onlyIfAbsent: boolean): void {
    let slot = this.#slotOfKey(r);
    if (slot !== NIL) {
      if (onlyIfAbsent && this.kd.expire[slot] > r.time) {
        if (out) out.applied = false;
        return;
      }
      // A replaced item matters to the writer only for its value file, which the writer deletes.
      if (out && this.kd.files.has(slot)) out.removed.push(this.snapshot(slot));
      this.kd.touchStored(slot);
    } else slot = this.#insert(r.buf, r.keyStart, r.keyStart + r.keyLength);
    this.#fill(slot, r, loc, r.time, this.seq);
    if (out) out.applied = true;
  }

  #incr(r: RecordView, loc: FrameLocation, out: Outcome | null): void {
    const kd = this.kd;
    let slot = this.#slotOfKey(r);
    // diskcache judges incr by "expired" (expire < now), not by "live" (expire > now).
    if (slot !== NIL && !(kd.expire[slot] < r.time)) {
      if (kd.mode[slot] !== MODE_RAW_NUMBER || !kd.numbers.has(slot)) {
        if (out) { out.applied = false; out.error = 'type'; }
        return;
      }
      const value = kd.numbers.get(slot)! + r.num1;
      if (unsafeSum(kd.numbers.get(slot)!, r.num1, value)) {
        if (out) { out.applied = false; out.error = 'unsafe'; }
        return;
      }
      kd.updateNumber(slot, value, r.time, this.seq);
      if (out) { out.applied = true; out.value = value; }
      return;
    }
    if (r.flags & FLAG_DEFAULT_NULL) {
      if (out) { out.applied = false; out.error = 'missing'; }
      return;
    }
    const value = r.num2 + r.num1;
    if (unsafeSum(r.num2, r.num1, value)) {
      if (out) { out.applied = false; out.error = 'unsafe'; }
      return;
    }
    if (slot !== NIL) {
      if (out) out.removed.push(this.snapshot(slot));
      kd.touchStored(slot);
    } else slot = this.#insert(r.buf, r.keyStart, r.keyStart + r.keyLength);
    // The INCR frame carries no value bytes: the number lives in memory (and in the next base).
    kd.store(slot, loc.file, loc.offset, loc.frameLength, 0, 0, MODE_RAW_NUMBER, r.time, this.seq, NEVER, undefined, undefined, value, loc.itemBytes);
    if (out) { out.applied = true; out.value = value; }
  }

  #push(r: RecordView, loc: FrameLocation, out: Outcome | null): void {
    const prefix = r.flags & FLAG_HAS_PREFIX ? r.buf.toString('utf8', r.keyStart, r.keyStart + r.keyLength) : null;
    const front = (r.flags & FLAG_SIDE_FRONT) !== 0;
    const q = this.queues.get(prefix);
    const n = q === undefined || q.length === 0 ? QUEUE_START : front ? q[0] - 1 : q[q.length - 1] + 1;
    const key = QueueIndex.encodeKey(prefix, n);
    // A queue key taken by an expired item is replaced in place, as any store would.
    let slot = this.kd.find(key, 0, key.length);
    if (slot !== NIL) {
      if (out) out.removed.push(this.snapshot(slot));
      this.kd.touchStored(slot);
    } else slot = this.#insert(key, 0, key.length);
    this.#fill(slot, r, loc, r.time, this.seq);
    if (out) { out.applied = true; out.key = key; }
  }

  /** Commits the writer's window: its nested commands apply as one step, all with the TXN's version. */
  #txn(r: RecordView, loc: FrameLocation, out: Outcome | null): boolean {
    const buf = r.buf;
    const bodies: [number, number, number][] = [];
    const ok = walkTxnValue(buf, r.valueStart, r.valueLength, () => {}, (op, body, length) => bodies.push([op, body, length]));
    if (!ok) return false;
    if (this.txnOwner !== r.writer || !this.#aboutOpenWindow(r)) {
      // Its window was aborted (the owner was taken for dead), or completed already (a late copy from a group's
      // intent, group-commit.ts): nothing applies.
      if (out) out.applied = false;
      return true;
    }
    this.closeWindow();
    const nested = newRecordView();
    // All or nothing: a command that is not one (or one that only a base holds) applies none of them, and the
    // window closes as an abort would close it.
    for (const [op, body, length] of bodies) {
      if (baseOnly(op) || !readRecord(buf, op, body, length, nested)) return false;
    }
    if (out) { out.applied = true; out.nested = []; }
    const seq = this.seq;
    const nestedLoc: FrameLocation = { ...loc };
    for (const [op, body, length] of bodies) {
      readRecord(buf, op, body, length, nested);
      // Each command counts for its own bytes, not the whole TXN frame's (volume, cull and compaction see them).
      nestedLoc.itemBytes = FRAME_HEADER_BYTES + length;
      this.applyNested(nested, nestedLoc, seq, out ? out.nested! : null);
    }
    this.seq = seq;
    return true;
  }

  /** Applies one command of a transaction with version `seq` (the owner does this as it buffers them). */
  applyNested(r: RecordView, loc: FrameLocation, seq: number, outs: Outcome[] | null, wantItems = false): Outcome | null {
    const o: Outcome | null = outs ? { applied: false, removed: [], wantItems } : null;
    this.seq = seq - 1;
    this.lastStored = NIL;
    this.#apply(r, loc, o);
    if (o) outs!.push(o);
    return o;
  }

  /**
   * An item from a base file (an ITEM or ENTRY, decoded by readBaseItem: `r` views its value, entryMeta holds its
   * meta): its slot, rowid and version are carried, not allocated.
   */
  #entry(r: RecordView, loc: FrameLocation): boolean {
    const kd = this.kd;
    const { rowid, version, slot: slotNo } = this.entryMeta;
    if (slotNo >= MAX_SLOTS) return false; // from disk: it would size the keydir's arrays
    const ks = r.keyStart;
    const ke = ks + r.keyLength;
    if (r.keyLength === 0) return false;
    if (this.chainLoad) {
      // A later base of a chain: its item replaces the key's item of an earlier base, and an item an earlier base
      // left at its slot is stale (its key moved, or went, by the seal of this base). Within one base, as below.
      const had = kd.find(r.buf, ks, ke);
      if (had !== NIL) {
        if (kd.file[had] === loc.file) return false;
        this.#drop(had);
      }
      if (kd.has(slotNo)) {
        if (kd.file[slotNo] === loc.file) return false;
        this.#drop(slotNo);
      }
    }
    if (kd.find(r.buf, ks, ke) !== NIL || kd.has(slotNo)) return false;
    const slot = kd.insert(r.buf, ks, ke, slotNo);
    this.queues.add(r.buf, ks, ke);
    kd.rowid[slot] = rowid;
    this.#fill(slot, r, loc, r.time, version);
    this.seq--; // entries restore history; they are not new records
    return true;
  }

  /** A TOMB of a chain link: the key's item of an earlier base is gone as of the link's seal. */
  #tomb(r: RecordView, loc: FrameLocation): boolean {
    this.seq--; // restores history; not a new record
    if (!this.chainLoad || r.keyLength === 0) return false;
    const slot = this.kd.find(r.buf, r.keyStart, r.keyStart + r.keyLength);
    if (slot === NIL) return true;
    if (this.kd.file[slot] === loc.file) return false; // a base names an item both live and gone: damage
    this.#drop(slot);
    return true;
  }
}
