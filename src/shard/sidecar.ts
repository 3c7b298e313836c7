/**
 * The access sidecar (`access.bin`, layout in ../format/access.ts): access time and access count per slot, kept
 * out of the log so that a get under least-recently-used or least-frequently-used costs one pwrite, not a log
 * record. Slot numbers agree in every process (see keydir.ts), and each entry carries the item's version: an entry
 * written for an older version of the slot's item is ignored, so a reused slot never inherits another item's history.
 *
 * Updates are not atomic across processes (two counts at once may lose one); eviction order is advisory.
 */
import * as path from 'node:path';
import { IOError } from '../errors.js';
import {
  ACCESS_COUNTERS_BYTES, ACCESS_ENTRY_BYTES, ACCESS_ENTRY_FIELDS, ACCESS_HEADER_BYTES, ACCESS_HITS, ENTRY_ACCESS_COUNT,
  ENTRY_ACCESS_TIME, ENTRY_VERSION, accessEntryOffset, freshAccessHeader, isAccessHeader,
} from '../format/access.js';
import { ACCESS_FILE } from '../format/files.js';
import type { FsLike } from './core.js';

const MISSES = ACCESS_COUNTERS_BYTES / 2;

export class Sidecar {
  readonly fd: number;
  readonly #fs: FsLike;
  readonly #entry = Buffer.alloc(ACCESS_ENTRY_BYTES);
  readonly #counter = Buffer.alloc(ACCESS_COUNTERS_BYTES);

  constructor(dir: string, fs: FsLike) {
    this.#fs = fs;
    try {
      // O_NOFOLLOW: a sidecar that is a symbolic link would take its writes out of the directory.
      this.fd = fs.openSync(path.join(dir, ACCESS_FILE), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
    } catch (err) {
      throw new IOError(`open ${ACCESS_FILE} in ${dir}`, err);
    }
    const head = Buffer.alloc(ACCESS_HEADER_BYTES);
    const n = fs.readSync(this.fd, head, 0, ACCESS_HEADER_BYTES, 0);
    if (!isAccessHeader(head, n)) {
      // New, or not ours: start a fresh header (access history is advisory; nothing of value is lost).
      fs.writeSync(this.fd, freshAccessHeader(head), 0, ACCESS_HEADER_BYTES, 0);
    }
  }

  /** Records a get hit: under LRU the access time, under LFU the count (read, add one, write). */
  touch(slot: number, version: number, now: number, countAccess: boolean): void {
    const at = accessEntryOffset(slot);
    const e = this.#entry;
    let count = 0;
    if (countAccess) {
      const n = this.#fs.readSync(this.fd, e, 0, ACCESS_ENTRY_BYTES, at);
      if (n === ACCESS_ENTRY_BYTES && e.readDoubleLE(ENTRY_VERSION) === version) count = e.readDoubleLE(ENTRY_ACCESS_COUNT);
    }
    e.writeDoubleLE(version, ENTRY_VERSION);
    e.writeDoubleLE(now, ENTRY_ACCESS_TIME);
    e.writeDoubleLE(count + (countAccess ? 1 : 0), ENTRY_ACCESS_COUNT);
    this.#fs.writeSync(this.fd, e, 0, ACCESS_ENTRY_BYTES, at);
  }

  /** Entries for slots [0, highWater): one read, for choosing eviction victims. */
  readAll(highWater: number): Float64Array {
    const bytes = highWater * ACCESS_ENTRY_BYTES;
    const buf = Buffer.alloc(bytes);
    if (bytes > 0) this.#fs.readSync(this.fd, buf, 0, bytes, ACCESS_HEADER_BYTES);
    return new Float64Array(buf.buffer, buf.byteOffset, highWater * ACCESS_ENTRY_FIELDS);
  }

  /** Shared hit/miss counters (statistics). */
  counters(): [hits: number, misses: number] {
    const c = this.#counter;
    this.#fs.readSync(this.fd, c, 0, ACCESS_COUNTERS_BYTES, ACCESS_HITS);
    return [c.readDoubleLE(0), c.readDoubleLE(MISSES)];
  }

  count(hit: boolean): void {
    const [h, m] = this.counters();
    const c = this.#counter;
    c.writeDoubleLE(hit ? h + 1 : h, 0);
    c.writeDoubleLE(hit ? m : m + 1, MISSES);
    this.#fs.writeSync(this.fd, c, 0, ACCESS_COUNTERS_BYTES, ACCESS_HITS);
  }

  resetCounters(): void {
    this.#fs.writeSync(this.fd, Buffer.alloc(ACCESS_COUNTERS_BYTES), 0, ACCESS_COUNTERS_BYTES, ACCESS_HITS);
  }

  close(): void {
    try { this.#fs.closeSync(this.fd); } catch { /* closed */ }
  }
}

