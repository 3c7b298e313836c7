/**
 * Queue keys for push/pull/peek (diskcache's queue on integer keys). Without a prefix the queue is every integer
 * key k with 0 < k < 999999999999999; with prefix P it is every text key 'P-' followed by 15 digits. Each queue
 * is a sorted array of its numbers, kept as items come and go, so push finds its end in O(1).
 */
import { KEY_INT, KEY_TEXT, encodeKey } from '../format/keys.js';

/** The number of the first item pushed on an empty queue (diskcache's 500000000000000). */
export const QUEUE_START = 500000000000000;
/** Queue numbers lie in (0, QUEUE_MAX). */
export const QUEUE_MAX = 999999999999999;
const DIGITS = 15;

export class QueueIndex {
  /** By prefix; the queue without a prefix (integer keys) is under null, which no text prefix can equal. */
  readonly #queues = new Map<string | null, number[]>();

  clear(): void {
    this.#queues.clear();
  }

  get(prefix: string | null): number[] | undefined {
    return this.#queues.get(prefix);
  }

  /** The encoded key of number `n` in the queue `prefix`. */
  static encodeKey(prefix: string | null, n: number): Buffer {
    return prefix === null ? encodeKey(n) : encodeKey(`${prefix}-${String(n).padStart(DIGITS, '0')}`);
  }

  /** If the encoded key `b[start, end)` is a queue key: [queue, number]. */
  static parse(b: Uint8Array, start: number, end: number): [string | null, number] | null {
    const type = b[start];
    const len = end - start;
    if (type === KEY_INT && len === 9) {
      // int64 big-endian; queue numbers are below 2^50: the top byte is zero and the next below 4 (so the sum
      // below stays exact).
      if (b[start + 1] !== 0 || b[start + 2] >= 4) return null;
      let n = 0;
      for (let i = start + 2; i < end; i++) n = n * 256 + b[i];
      return n > 0 && n < QUEUE_MAX ? [null, n] : null;
    }
    if (type === KEY_TEXT && len >= DIGITS + 2 && b[end - DIGITS - 1] === 45 /* - */) {
      let n = 0;
      for (let i = end - DIGITS; i < end; i++) {
        const c = b[i] - 48;
        if (c < 0 || c > 9) return null;
        n = n * 10 + c;
      }
      return [Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', start + 1, end - DIGITS - 1), n];
    }
    return null;
  }

  /** Notes an inserted key `b[start, end)` (a no-op unless it is a queue key). */
  add(b: Uint8Array, start: number, end: number): void {
    const q = QueueIndex.parse(b, start, end);
    if (!q) return;
    let arr = this.#queues.get(q[0]);
    if (!arr) this.#queues.set(q[0], (arr = []));
    const n = q[1];
    // Pushes land at either end: check those before a binary search.
    if (arr.length === 0 || n > arr[arr.length - 1]) arr.push(n);
    else if (n < arr[0]) arr.unshift(n);
    else arr.splice(lowerBound(arr, n), 0, n);
  }

  /** Notes a removed key `b[start, end)`. */
  remove(b: Uint8Array, start: number, end: number): void {
    const q = QueueIndex.parse(b, start, end);
    if (!q) return;
    const arr = this.#queues.get(q[0]);
    if (!arr) return;
    const n = q[1];
    if (arr[0] === n) arr.shift();
    else if (arr[arr.length - 1] === n) arr.pop();
    else {
      const i = lowerBound(arr, n);
      if (arr[i] === n) arr.splice(i, 1);
    }
    if (arr.length === 0) this.#queues.delete(q[0]);
  }
}

function lowerBound(arr: number[], n: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
