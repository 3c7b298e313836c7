/**
 * The log engine's writes (./log-engine.ts): the record a storing command carries, appending it, conditional deletes
 * of items at the versions seen, and the lifetime of value files (one a command wrote but that never applied goes
 * at once; one an applied command replaced goes now, or at the commit inside a transaction). Appends to the shard
 * and deletes value files; chooses nothing (culling and eviction stay with the engine).
 */
import * as path from 'node:path';
import type { Disk, StoredValue } from '../format/disk.js';
import { Key, encodeKey } from '../format/keys.js';
import { isValueFileName } from '../format/names.js';
import { FLAG_FILE, FLAG_HAS_EXPIRE, FLAG_HAS_TAG, OP_DELV, encodeTxnValue } from '../format/record.js';
import { IOError, NewerFormatError, Timeout } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { NIL } from '../shard/keydir.js';
import type { Shard } from '../shard/shard.js';
import type { Outcome } from '../shard/state.js';
import { waitedPastGrace } from '../shard/value-lifetime.js';

/** Items per conditional-delete record in bulk removals. */
const REMOVE_BATCH = 1000;

export interface StoreRecord {
  time: number; num1: number; num2: number; flags: number; mode: number; key: Buffer; tag: Buffer | null;
  value: Uint8Array | null;
}

/** The record of a storing command (set, add, push) for `key` (encoded; push: the prefix). */
export function storeRecord(key: Buffer, stored: StoredValue, expire: number | null, tag: Key | null, now: number): StoreRecord {
  let flags = 0;
  if (expire !== null) flags |= FLAG_HAS_EXPIRE;
  if (tag !== null) flags |= FLAG_HAS_TAG;
  if (stored.filename !== null) flags |= FLAG_FILE;
  return {
    time: now, num1: expire === null ? 0 : now + expire, num2: stored.size, flags, mode: stored.mode, key,
    tag: tag === null ? null : encodeKey(tag, 'tag'), value: stored.filename !== null ? Buffer.from(stored.filename) : stored.inline,
  };
}

export class LogWriter {
  readonly #shard: Shard;
  readonly #disk: Disk;
  /** In a transaction (set by LogEngine.transact): value files to delete once it commits, and the files its
   * commands wrote. */
  txnFiles: { remove: string[]; written: string[] } | null = null;

  constructor(shard: Shard, disk: Disk) {
    this.#shard = shard;
    this.#disk = disk;
  }

  /** Appends a storing command; removes the value file this call wrote when it fails or does not apply. */
  store(op: number, rec: StoreRecord, stored: StoredValue, deadline: number): Outcome {
    let out: Outcome;
    const started = Date.now();
    try {
      out = this.#shard.append(op, rec, deadline);
    } catch (err) {
      // A Timeout wrote nothing, nor did a NewerFormatError (or only void, after a seal); after an I/O error the frame
      // may be in the log (the write landed, a later fsync or read failed): keep the file then (check() reports it if
      // it turns out an orphan, never a lost value).
      if (stored.filename !== null && (err instanceof Timeout || err instanceof NewerFormatError)) this.#disk.remove(stored.filename);
      throw err;
    }
    if (!out.applied && stored.filename !== null) this.#disk.remove(stored.filename);
    else if (stored.filename !== null) {
      this.txnFiles?.written.push(stored.filename);
      if (waitedPastGrace(started) && !this.#shard.inTxn) this.#confirmFile(out.key ?? rec.key, stored.filename, deadline);
    }
    this.removeFiles(out);
    return out;
  }

  /**
   * After a write that waited longer than half the in-flight grace: a concurrent check({ fix: true }) may have taken
   * its value file for an orphan. If so, the write is undone (a conditional delete of exactly that version) and fails.
   */
  #confirmFile(key: Buffer, name: string, deadline: number): void {
    if (this.#shard.fs.existsSync(path.join(this.#disk.directory, name))) return;
    this.#shard.sync();
    const kd = this.#shard.state.kd;
    const slot = kd.find(key);
    if (slot !== NIL && kd.files.get(slot)?.name === name) this.delv([[key, kd.version[slot]]], deadline);
    throw new IOError(`value file ${name} was removed while the write waited`, Object.assign(new Error('value file removed'), { code: 'ENOENT' }));
  }

  /** Conditional delete of items still at the versions seen. `want`: snapshots of every removed item. */
  delv(items: [Buffer, number][], deadline: number, want = false): Outcome {
    const out = this.#shard.append(OP_DELV, {
      time: clockNow(), value: encodeTxnValue(items.map(([key, version]) => ({ key, version })), []),
    }, deadline, want);
    if (!want) this.removeFiles(out);
    return out;
  }

  /** Conditional deletes of `items`, in batches; Timeout carries the count removed so far. */
  removeAll(items: [Buffer, number][], deadline: number): number {
    let count = 0;
    for (let i = 0; i < items.length; i += REMOVE_BATCH) {
      try {
        count += this.delv(items.slice(i, i + REMOVE_BATCH), deadline).count ?? 0;
      } catch (err) {
        if (err instanceof Timeout) throw new Timeout(count);
        throw err;
      }
    }
    return count;
  }

  /** The [key, version] pairs of slots, for delv and removeAll. */
  entries(slots: Iterable<number>): [Buffer, number][] {
    const kd = this.#shard.state.kd;
    return [...slots].map((s) => [kd.keyBytes(s), kd.versionOf(s)]);
  }

  /** Deletes the value files of items a command of ours replaced or removed. */
  removeFiles(out: Outcome): void {
    for (const s of out.removed) if (s.valueFile) this.removeFile(s.valueFile.name);
  }

  /** Deletes a value file nothing refers to any more; inside a transaction, once it commits (an abort keeps the
   * item that owns it). */
  removeFile(name: string): void {
    if (!isValueFileName(name)) return; // a name from disk not of the format's shape: never a path to delete
    if (this.txnFiles) this.txnFiles.remove.push(name);
    else this.#disk.remove(name);
  }
}
