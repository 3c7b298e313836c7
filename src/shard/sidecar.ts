/**
 * The access sidecar (`access.bin`): access time and access count per slot, kept out of the log so that a get
 * under least-recently-used or least-frequently-used costs one pwrite, not a log record. Slot numbers agree in
 * every process (see keydir.ts), and each entry carries the item's version: an entry written for an older
 * version of the slot's item is ignored, so a reused slot never inherits another item's history.
 *
 *   header: magic "LCACCESS" (8) | hits f64 | misses f64 | reserved (40)            = 64 bytes
 *   entry:  version f64 | accessTime f64 | accessCount f64                          = 24 bytes, at 64 + slot*24
 *
 * Updates are not atomic across processes (two counts at once may lose one); eviction order is advisory.
 */
import * as path from 'node:path';
import type { FsLike } from './shard.js';

const MAGIC = Buffer.from('LCACCESS', 'latin1');
export const SIDECAR_HEADER_BYTES = 64;
export const SIDECAR_ENTRY_BYTES = 24;
const HITS = 8;

export class Sidecar {
  readonly fd: number;
  readonly #fs: FsLike;
  readonly #entry = Buffer.alloc(SIDECAR_ENTRY_BYTES);
  readonly #counter = Buffer.alloc(16);

  constructor(dir: string, fs: FsLike) {
    this.#fs = fs;
    this.fd = fs.openSync(path.join(dir, 'access.bin'), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    const head = Buffer.alloc(SIDECAR_HEADER_BYTES);
    const n = fs.readSync(this.fd, head, 0, SIDECAR_HEADER_BYTES, 0);
    if (n < SIDECAR_HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC)) {
      // New, or not ours: start a fresh header (access history is advisory; nothing of value is lost).
      head.fill(0);
      MAGIC.copy(head, 0);
      fs.writeSync(this.fd, head, 0, SIDECAR_HEADER_BYTES, 0);
    }
  }

  /** Records a get hit: under LRU the access time, under LFU the count (read, add one, write). */
  touch(slot: number, version: number, now: number, countAccess: boolean): void {
    const at = SIDECAR_HEADER_BYTES + slot * SIDECAR_ENTRY_BYTES;
    const e = this.#entry;
    let count = 0;
    if (countAccess) {
      const n = this.#fs.readSync(this.fd, e, 0, SIDECAR_ENTRY_BYTES, at);
      if (n === SIDECAR_ENTRY_BYTES && e.readDoubleLE(0) === version) count = e.readDoubleLE(16);
    }
    e.writeDoubleLE(version, 0);
    e.writeDoubleLE(now, 8);
    e.writeDoubleLE(count + (countAccess ? 1 : 0), 16);
    this.#fs.writeSync(this.fd, e, 0, SIDECAR_ENTRY_BYTES, at);
  }

  /** Entries for slots [0, highWater): one read, for choosing eviction victims. */
  readAll(highWater: number): Float64Array {
    const bytes = highWater * SIDECAR_ENTRY_BYTES;
    const buf = Buffer.alloc(bytes);
    if (bytes > 0) this.#fs.readSync(this.fd, buf, 0, bytes, SIDECAR_HEADER_BYTES);
    return new Float64Array(buf.buffer, buf.byteOffset, highWater * 3);
  }

  /** Shared hit/miss counters (statistics). */
  counters(): [hits: number, misses: number] {
    const c = this.#counter;
    this.#fs.readSync(this.fd, c, 0, 16, HITS);
    return [c.readDoubleLE(0), c.readDoubleLE(8)];
  }

  count(hit: boolean): void {
    const [h, m] = this.counters();
    const c = this.#counter;
    c.writeDoubleLE(hit ? h + 1 : h, 0);
    c.writeDoubleLE(hit ? m : m + 1, 8);
    this.#fs.writeSync(this.fd, c, 0, 16, HITS);
  }

  resetCounters(): void {
    this.#fs.writeSync(this.fd, Buffer.alloc(16), 0, 16, HITS);
  }

  close(): void {
    try { this.#fs.closeSync(this.fd); } catch { /* closed */ }
  }
}

