/**
 * The log engine's reads of values (./log-engine.ts): a live slot for an encoded key, a slot's value (a number kept
 * in the keydir, bytes from the log or the value cache, a value file), the value a command removed, and the Item
 * handed back. Reads only: it appends nothing and deletes no file (the caller does, see LogEngine's #take).
 */
import * as path from 'node:path';
import { Disk, MODE_RAW_NUMBER } from '../format/disk.js';
import { encodedOfKeyId } from '../format/keys.js';
import { isValueFileName } from '../format/names.js';
import { CorruptionError, IOError, LogcacheError } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { NEVER, NIL, ValueFile } from '../shard/keydir.js';
import type { Shard } from '../shard/shard.js';
import type { ItemSnapshot } from '../shard/state.js';
import { REREAD_MS } from '../shard/value-lifetime.js';
import type { Item } from './engine.js';

/** A value that is not there (missing, expired, its bytes or file gone or damaged). */
export const MISS = Symbol('miss');
/** The item's value file was gone when read: a newer write may have replaced it (see value-lifetime.ts). */
const GONE = Symbol('gone');

export class LogReader {
  readonly #shard: Shard;
  readonly #disk: Disk;
  /** Whether the disk's fetch is Disk's own, which never keeps the bytes it is given. */
  readonly #fetchCopies: boolean;

  constructor(shard: Shard, disk: Disk) {
    this.#shard = shard;
    this.#disk = disk;
    this.#fetchCopies = disk.fetch === Disk.prototype.fetch;
  }

  /** A live slot for the encoded key `b[0, end)` at `now`, or NIL. */
  live(b: Buffer, end: number, now: number): number {
    const kd = this.#shard.state.kd;
    const slot = kd.find(b, 0, end);
    return slot !== NIL && kd.expireOf(slot) > now ? slot : NIL;
  }

  /** The value of a slot; MISS when its bytes or file are gone. */
  value(slot: number, read: boolean): unknown {
    const v = this.#valueOrGone(slot, read);
    return v === GONE ? MISS : v;
  }

  /** The value of a live key, read again after a sync while the value file it names turns out gone (replaced meanwhile). */
  readLive(kb: Buffer, end: number, read: boolean): { slot: number; value: unknown } {
    let slot = this.live(kb, end, clockNow());
    let value = slot === NIL ? MISS : this.#valueOrGone(slot, read);
    for (const until = value === GONE ? Date.now() + REREAD_MS : 0; value === GONE && Date.now() < until;) {
      const was = this.#shard.state.kd.files.get(slot)?.name;
      this.#shard.sync();
      slot = this.live(kb, end, clockNow());
      if (slot === NIL || this.#shard.state.kd.files.get(slot)?.name === was) return { slot, value: MISS };
      value = this.#valueOrGone(slot, read);
    }
    return { slot, value: value === GONE ? MISS : value };
  }

  #valueOrGone(slot: number, read: boolean): unknown {
    const kd = this.#shard.state.kd;
    const mode = kd.modeOf(slot);
    if (mode === MODE_RAW_NUMBER) {
      const n = kd.numberOf(slot);
      if (n !== undefined) return n;
    }
    const file = kd.valueFileOf(slot);
    try {
      if (file) return this.#fetchFile(mode, file, read);
      const bytes = this.#shard.valueBytes(slot);
      if (bytes === null) return MISS;
      // The bytes may be a view of the shard's value cache (valid until its next insertion): Disk's own fetch copies
      // or decodes them at once; a subclass's fetch might keep them, so it gets its own copy.
      return this.#disk.fetch(mode, null, this.#fetchCopies ? bytes : Buffer.from(bytes), read);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return file ? GONE : MISS;
      throw err;
    }
  }

  /**
   * A value file's value. A value file carries no checksum; its size is what the log vouches for, so a file of
   * another size is damaged (cut short, or grown): MISS, as for a frame that fails its CRC (check() reports it,
   * check({ fix: true }) deletes the item). A file that does not decode is damaged too: CorruptionError.
   * ENOENT (the file is gone) goes to the caller, which treats it as a miss.
   */
  #fetchFile(mode: number, file: ValueFile, read: boolean): unknown {
    // The name comes from disk: one not of the format's shape is damage (check() reports it), never a path.
    if (!isValueFileName(file.name)) return MISS;
    const full = path.join(this.#disk.directory, file.name);
    let size: number;
    try {
      size = this.#shard.fs.lstatSync(full).size; // a symbolic link is not the file the log vouches for
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
      throw new IOError(`stat value file ${file.name}`, err);
    }
    if (size !== file.size) return MISS;
    try {
      return this.#disk.fetch(mode, file.name, null, read);
    } catch (err) {
      if (typeof (err as NodeJS.ErrnoException).code === 'string') {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
        throw new IOError(`read value file ${file.name}`, err);
      }
      if (err instanceof LogcacheError) throw err;
      throw new CorruptionError(file.name, 0, size, `value file does not decode: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  item(slot: number, value: unknown): Item {
    const kd = this.#shard.state.kd;
    const e = kd.expireOf(slot);
    return { value, expireTime: e === NEVER ? null : e, tag: this.#tag(kd.tagOf(slot)) };
  }

  #tag(id: string | undefined): unknown {
    return id === undefined ? null : this.#disk.get(encodedOfKeyId(id));
  }

  /** Reads the value a command removed (pop, pull); the caller then deletes its file. */
  taken(s: ItemSnapshot): Item | undefined {
    try {
      let value: unknown;
      if (s.number !== undefined && s.mode === MODE_RAW_NUMBER) value = s.number;
      else if (s.valueFile) {
        value = this.#fetchFile(s.mode, s.valueFile, false);
        if (value === MISS) return undefined;
      } else {
        if (s.error !== undefined) throw s.error;
        const bytes = s.bytes;
        if (bytes === undefined || bytes === null) return undefined;
        value = this.#disk.fetch(s.mode, null, bytes, false);
      }
      return { value, expireTime: s.expire === NEVER ? null : s.expire, tag: this.#tag(s.tag) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}
