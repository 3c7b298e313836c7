/**
 * Keys encoded for a lookup (a get, a shard's routing), where the bytes are used and dropped: the default Disk's
 * string, integer and byte keys go into one reused buffer, so a lookup makes no Buffer; other keys, and every key of
 * a custom Disk, go through `disk.put`.
 */
import { Disk } from './disk.js';
import { Key, encodeKeyInto } from './keys.js';

export class KeyEncoder {
  readonly #disk: Disk;
  readonly #fast: boolean;
  readonly #scratch = Buffer.allocUnsafe(256);
  /** The length of the last encoding. */
  length = 0;

  constructor(disk: Disk) {
    this.#disk = disk;
    this.#fast = disk.put === Disk.prototype.put;
  }

  /**
   * The encoded key: the first `length` bytes of the returned buffer, valid until the next call.
   * @throws as the Disk's put (TypeError/RangeError naming the key).
   */
  encode(key: Key): Buffer {
    if (this.#fast) {
      const n = encodeKeyInto(key, this.#scratch);
      if (n >= 0) {
        this.length = n;
        return this.#scratch;
      }
    }
    const b = this.#disk.put(key);
    this.length = b.length;
    return b;
  }
}
