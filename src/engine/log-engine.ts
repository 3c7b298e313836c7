/**
 * LogEngine: the Cache semantics of python-diskcache on one log-structured shard (../shard/shard.ts). Reads answer from
 * the keydir after one tail check; writes are one appended command whose outcome the replay decides, so every
 * process agrees (docs/engine.md). This file holds the semantics (what each command checks, culls and returns, queues,
 * transactions, maintenance); values are read in ./log-reads.ts, commands appended and value files deleted in
 * ./log-writes.ts.
 */
import { Disk, MODE_RAW_NUMBER, StoredValue } from '../format/disk.js';
import { Key, sortEncodedKeys, encodeKey, keyIdOfEncoded } from '../format/keys.js';
import { KeyEncoder } from '../format/key-encoder.js';
import {
  FLAG_DEFAULT_NULL, FLAG_HAS_EXPIRE, FLAG_HAS_PREFIX, FLAG_SIDE_FRONT, OP_ADD, OP_CLEAR, OP_DELETE, OP_INCR, OP_PUSH,
  OP_SET, OP_SETTING, OP_TOUCH,
} from '../format/record.js';
import { InTransactionError, KeyError, Timeout, TransactionAborted } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { NIL } from '../shard/keydir.js';
import { QueueIndex } from '../shard/queues.js';
import { Shard, ShardOptions } from '../shard/shard.js';
import { ItemSnapshot, Outcome } from '../shard/state.js';
import { Sidecar } from '../shard/sidecar.js';
import { VictimList, VictimOrder, expiredSlots } from '../shard/eviction.js';
import { NOOP, evictionPolicy, hitHook, statisticsHook } from './policy.js';
import { compact } from '../shard/compaction.js';
import { AutoCompaction } from '../shard/auto-compaction.js';
import { checkShard } from './log-check.js';
import { LogReader, MISS } from './log-reads.js';
import { LogWriter, storeRecord } from './log-writes.js';
import { unsafeIncr, type CacheEngine, type CheckWarning, type CompactionResult, type EngineSettings, type EngineSetup, type Item, type Side } from './engine.js';

/** A FanoutCache transaction gathering its shards' parts (src/api/fanout-txn.ts). */
export interface TxnGroup {
  id: Buffer;
  parts: { shard: Shard; record: { time: number; value: Buffer }; commit(): void; abort(): void }[];
}

/** Victims removed per batch by cull(), as diskcache. */
const CULL_BATCH = 10;

export class LogEngine implements CacheEngine {
  readonly shard: Shard;
  readonly #disk: Disk;
  /** Reads values (./log-reads.ts). */
  readonly #r: LogReader;
  /** Appends commands, deletes value files (./log-writes.ts). */
  readonly #w: LogWriter;
  readonly #settings: EngineSettings;
  readonly #keys: KeyEncoder;
  #sidecar: Sidecar | null = null;
  readonly #auto: AutoCompaction;
  #victims = new VictimList();
  /** Chosen by #choosePolicy (at open, on reset): the victims' order, what a hit records, what statistics count. */
  #order: VictimOrder | null = null;
  #onHit: (slot: number, now: number) => void = NOOP;
  #countStat: (hit: boolean) => void = NOOP;
  #txnDepth = 0;

  constructor(directory: string, options: ShardOptions & { timeout: number; throttleWrites?: boolean }, setup: EngineSetup) {
    this.shard = new Shard(directory, options);
    this.shard.waitTimeoutMs = options.timeout * 1000;
    // A file-system layer (fault injection) cannot follow the work into another process: compact inline then.
    this.#auto = new AutoCompaction(this.shard, options.sync ?? 'none', options.fs !== undefined, options.throttleWrites ?? true);
    ({ disk: this.#disk, settings: this.#settings } = setup(this.storedSettings(), (name, value) => this.writeSetting(name, value)));
    this.#keys = new KeyEncoder(this.#disk);
    this.#r = new LogReader(this.shard, this.#disk);
    this.#w = new LogWriter(this.shard, this.#disk);
    this.#choosePolicy();
  }

  storedSettings(): Map<string, unknown> {
    this.shard.sync();
    return this.shard.state.settings;
  }

  writeSetting(name: string, value: unknown): void {
    this.shard.append(OP_SETTING, { time: clockNow(), key: Buffer.from(name), value: Buffer.from(JSON.stringify(value)) });
  }

  settingChanged(name: string): void {
    if (name === 'evictionPolicy' || name === 'statistics') this.#choosePolicy();
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** Chooses the hooks get runs and the victims' order from the live settings (at open and on reset). */
  #choosePolicy(): void {
    const policy = evictionPolicy(this.#settings.evictionPolicy);
    if (policy.order !== this.#order) this.#victims.invalidate();
    this.#order = policy.order;
    this.#onHit = hitHook<[number, number]>(policy,
      (slot, now) => this.#sidecarOpen().touch(slot, this.shard.state.kd.versionOf(slot), now, false),
      (slot, now) => this.#sidecarOpen().touch(slot, this.shard.state.kd.versionOf(slot), now, true));
    this.#countStat = statisticsHook(Boolean(this.#settings.statistics), (hit) => this.#sidecarOpen().count(hit));
  }

  /** Reads the value a command removed (pop, pull), then deletes its file. */
  #take(s: ItemSnapshot): Item | undefined {
    try {
      return this.#r.taken(s);
    } finally {
      if (s.valueFile) this.#w.removeFile(s.valueFile.name);
    }
  }

  #sidecarOpen(): Sidecar {
    return (this.#sidecar ??= new Sidecar(this.shard.dir, this.shard.fs));
  }

  // ---- reads ------------------------------------------------------------------------------------------------------

  get(key: Key, read: boolean): Item | undefined {
    const sh = this.shard;
    const kb = this.#keys.encode(key);
    const end = this.#keys.length;
    sh.sync();
    const { slot, value } = this.#r.readLive(kb, end, read);
    const now = clockNow();
    this.#countStat(value !== MISS);
    if (value === MISS) return undefined;
    this.#onHit(slot, now);
    return this.#r.item(slot, value);
  }

  has(key: Key): boolean {
    const kb = this.#keys.encode(key);
    const end = this.#keys.length;
    this.shard.sync();
    return this.#r.live(kb, end, clockNow()) !== NIL;
  }

  count(): number {
    this.shard.sync();
    return this.shard.state.kd.count;
  }

  volume(): number {
    this.shard.sync();
    return this.shard.state.kd.liveBytes;
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  set(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): void {
    const now = clockNow();
    this.#w.store(OP_SET, storeRecord(this.#disk.put(key), stored, expire, tag, now), stored, deadline);
    this.#cullAfterWrite();
  }

  add(key: Key, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): boolean {
    const now = clockNow();
    const out = this.#w.store(OP_ADD, storeRecord(this.#disk.put(key), stored, expire, tag, now), stored, deadline);
    if (out.applied) this.#cullAfterWrite();
    return out.applied;
  }

  touch(key: Key, expire: number | null, deadline: number): boolean {
    const now = clockNow();
    return this.shard.append(OP_TOUCH, {
      time: now, key: this.#disk.put(key), num1: expire === null ? 0 : now + expire, flags: expire === null ? 0 : FLAG_HAS_EXPIRE,
    }, deadline).applied;
  }

  incr(key: Key, delta: number, dflt: number | null, deadline: number): number {
    const keyBytes = this.#disk.put(key);
    this.shard.sync();
    const kd = this.shard.state.kd;
    const slot = kd.find(keyBytes);
    const now = clockNow();
    // Errors we can already see cost no write (the log stays as it was); the appended command still decides races.
    if (slot !== NIL && !(kd.expireOf(slot) < now)) {
      if (kd.modeOf(slot) !== MODE_RAW_NUMBER || kd.numberOf(slot) === undefined) throw new TypeError(`the value at key ${String(key)} is not a number`);
    } else if (dflt === null) throw new KeyError(key);
    const existed = slot !== NIL && kd.expireOf(slot) > now;
    const out = this.shard.append(OP_INCR, {
      time: clockNow(), key: keyBytes, num1: delta, num2: dflt ?? 0, flags: dflt === null ? FLAG_DEFAULT_NULL : 0,
    }, deadline);
    if (out.error === 'missing') throw new KeyError(key);
    if (out.error === 'type') throw new TypeError(`the value at key ${String(key)} is not a number`);
    if (out.error === 'unsafe') throw unsafeIncr(key);
    this.#w.removeFiles(out);
    if (!existed) this.#cullAfterWrite();
    return out.value!;
  }

  delete(key: Key, deadline: number): boolean {
    const sh = this.shard;
    const keyBytes = this.#disk.put(key);
    // Live in the state we have: append the delete (its replay decides). Not live: look again after a sync; if
    // still missing, no write is needed.
    if (this.#r.live(keyBytes, keyBytes.length, clockNow()) === NIL) {
      sh.sync();
      if (this.#r.live(keyBytes, keyBytes.length, clockNow()) === NIL) return false;
    }
    const out = sh.append(OP_DELETE, { time: clockNow(), key: keyBytes }, deadline);
    this.#w.removeFiles(out);
    this.#maybeCompact();
    return out.applied;
  }

  pop(key: Key, deadline: number): Item | undefined {
    const sh = this.shard;
    const keyBytes = this.#disk.put(key);
    sh.sync();
    if (this.#r.live(keyBytes, keyBytes.length, clockNow()) === NIL) return undefined;
    const out = sh.append(OP_DELETE, { time: clockNow(), key: keyBytes }, deadline, true);
    return out.applied ? this.#take(out.removed[0]) : undefined;
  }

  push(prefix: string | null, side: Side, stored: StoredValue, expire: number | null, tag: Key | null, deadline: number): Key {
    const rec = storeRecord(prefix === null ? Buffer.alloc(0) : Buffer.from(prefix), stored, expire, tag, clockNow());
    rec.flags |= (prefix !== null ? FLAG_HAS_PREFIX : 0) | (side === 'front' ? FLAG_SIDE_FRONT : 0);
    const out = this.#w.store(OP_PUSH, rec, stored, deadline);
    this.#cullAfterWrite();
    return this.#disk.get(out.key!);
  }

  pull(prefix: string | null, side: Side, remove: boolean, deadline: number): [Key, Item] | undefined {
    const sh = this.shard;
    for (;;) {
      sh.sync();
      const q = sh.state.queues.get(prefix);
      if (q === undefined || q.length === 0) return undefined;
      const keyBytes = QueueIndex.encodeKey(prefix, side === 'front' ? q[0] : q[q.length - 1]);
      const kd = sh.state.kd;
      const slot = kd.find(keyBytes);
      const expired = kd.expireOf(slot) < clockNow();
      if (!remove && !expired) {
        const value = this.#r.value(slot, false);
        if (value === MISS) {
          this.#w.delv([[keyBytes, kd.versionOf(slot)]], deadline);
          continue;
        }
        return [this.#disk.get(keyBytes), this.#r.item(slot, value)];
      }
      const out = this.#w.delv([[keyBytes, kd.versionOf(slot)]], deadline, !expired);
      if (expired || out.count === 0) continue; // expired heads are dropped; a lost race tries the next head
      const item = this.#take(out.removed[0]);
      if (item !== undefined) return [this.#disk.get(keyBytes), item];
    }
  }

  peekitem(last: boolean, deadline: number): [Key, Item] | undefined {
    const sh = this.shard;
    for (;;) {
      sh.sync();
      const kd = sh.state.kd;
      const slot = kd.first(last);
      if (slot === NIL) return undefined;
      const keyBytes = kd.keyBytes(slot);
      const value = kd.expireOf(slot) < clockNow() ? MISS : this.#r.value(slot, false);
      if (value === MISS) {
        this.#w.delv([[keyBytes, kd.versionOf(slot)]], deadline);
        continue;
      }
      return [this.#disk.get(keyBytes), this.#r.item(slot, value)];
    }
  }

  // ---- bulk removal and culling ------------------------------------------------------------------------------------

  expire(now: number, deadline: number): number {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const slots: number[] = [];
    if (kd.expiring > 0) {
      for (const s of kd.slots()) {
        const e = kd.expireOf(s);
        if (e > 0 && e < now) slots.push(s);
      }
    }
    return this.#w.removeAll(this.#w.entries(slots), deadline);
  }

  evict(tag: Key, deadline: number): number {
    const tagId = keyIdOfEncoded(encodeKey(tag, 'tag'));
    this.shard.sync();
    return this.#w.removeAll(this.#w.entries(this.shard.state.kd.tagged(tagId)), deadline);
  }

  clear(deadline: number): number {
    let out: Outcome;
    try {
      out = this.shard.append(OP_CLEAR, { time: clockNow() }, deadline);
    } catch (err) {
      if (err instanceof Timeout) throw new Timeout(0);
      throw err;
    }
    this.#w.removeFiles(out);
    return out.count ?? 0;
  }

  cull(deadline: number): number {
    let count = this.expire(clockNow(), deadline);
    if (this.#order === null) return 0; // diskcache's quirk: the expired count is dropped
    while (this.volume() > this.#settings.sizeLimit) {
      const victims = this.#victimSlots(CULL_BATCH, new Set());
      if (victims.length === 0) break;
      count += this.#w.removeAll(this.#w.entries(victims), deadline);
    }
    return count;
  }

  /** After a write: compaction when the log is mostly dead (started in the background, never waited for). */
  #maybeCompact(): void {
    this.#auto.afterWrite();
  }

  /** diskcache's culling step after a write: up to cullLimit items, expired first, then policy victims. */
  #cullAfterWrite(): void {
    this.#maybeCompact();
    let limit = this.#settings.cullLimit;
    if (limit <= 0 || this.shard.inTxn) return;
    const kd = this.shard.state.kd;
    const order = this.#order;
    // The common case decides on local state without a syscall: nothing expires and we are under the limit.
    if (kd.expiring === 0 && (order === null || kd.liveBytes < this.#settings.sizeLimit)) return;
    this.shard.sync();
    const chosen = new Set<number>(expiredSlots(kd, clockNow(), limit));
    limit -= chosen.size;
    if (limit > 0 && order !== null && kd.liveBytes >= this.#settings.sizeLimit) {
      for (const s of this.#victimSlots(limit, chosen)) chosen.add(s);
    }
    if (chosen.size === 0) return;
    try {
      this.#w.delv(this.#w.entries(chosen), Date.now() + this.shard.waitTimeoutMs);
    } catch (err) {
      if (!(err instanceof Timeout)) throw err; // culling is best effort; the next write tries again
    }
  }

  #victimSlots(limit: number, skip: Set<number>): number[] {
    const st = this.shard.state;
    return this.#victims.take(st.kd, this.#order!, () => this.#sidecarOpen(), st.seq, limit, skip);
  }

  // ---- iteration, transactions, maintenance ---------------------------------------------------------------------

  keys(reverse: boolean): Key[] {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const out: Key[] = [];
    for (const s of kd.slots(reverse)) out.push(this.#disk.get(kd.keyBytes(s)));
    return out;
  }

  sortedKeys(reverse: boolean): Key[] {
    this.shard.sync();
    const kd = this.shard.state.kd;
    const encoded = [...kd.slots()].map((s) => kd.keyBytes(s));
    return sortEncodedKeys(encoded, reverse).map((e) => this.#disk.get(e));
  }

  /**
   * Runs `fn` in a transaction. With `group` (a FanoutCache transaction), the commit is left to the group: this
   * shard's part is added to it (see src/api/fanout-txn.ts).
   */
  transact<T>(fn: () => T, deadline: number, group?: TxnGroup): T {
    if (this.#txnDepth > 0) return fn();
    const sh = this.shard;
    // A Cache transaction's window opens at its first read or write; a group's windows open now, in shard order.
    sh.beginTxn(deadline, group?.id ?? null, group === undefined);
    this.#txnDepth++;
    const files = (this.#w.txnFiles = { remove: [], written: [] });
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new TypeError('transact takes a synchronous function (it returned a Promise)');
    } catch (err) {
      this.#txnDepth--;
      this.#w.txnFiles = null;
      sh.abortTxn();
      for (const name of files.written) this.#disk.remove(name); // values of commands that never happened
      throw err;
    }
    this.#txnDepth--;
    this.#w.txnFiles = null;
    const commit = (grouped: boolean) => {
      // A failed commit may or may not have applied: keep every file (check() reports an orphan, never a lost
      // value). One that certainly did not apply leaves the files it wrote unreferenced: they go.
      try {
        sh.commitTxn(grouped);
      } catch (err) {
        if (err instanceof TransactionAborted) for (const name of files.written) this.#disk.remove(name);
        throw err;
      }
      for (const name of files.remove) this.#disk.remove(name);
      this.#cullAfterWrite();
    };
    if (group === undefined) {
      commit(false);
      return result;
    }
    group.parts.push({
      shard: sh, record: sh.txnRecord(), commit: () => commit(true),
      abort: () => {
        sh.abortTxn();
        for (const name of files.written) this.#disk.remove(name);
      },
    });
    return result;
  }

  check(fix: boolean): CheckWarning[] {
    if (fix && this.shard.inTxn) throw new InTransactionError('check({ fix: true })');
    return checkShard(this.shard, this.#disk, fix);
  }

  stats(reset: boolean): [number, number] {
    const side = this.#sidecarOpen();
    const result = side.counters();
    if (reset) side.resetCounters();
    return result;
  }

  compact(): CompactionResult {
    if (this.shard.inTxn) throw new InTransactionError('compact()');
    return compact(this.shard);
  }

  waitWritable(deadline: number): Promise<void> | undefined {
    const window = this.shard.waitWindowAsync(deadline);
    const owed = this.#auto.owedAsync();
    if (window === undefined || owed === undefined) return window ?? owed;
    return Promise.all([window, owed]).then(() => undefined);
  }

  compactAsync(): Promise<CompactionResult> {
    return this.#auto.compactAsync();
  }

  close(): void {
    this.#auto.dispose();
    this.#sidecar?.close();
    this.shard.close();
  }
}
