/**
 * Keys encoded for a lookup (a get, a shard's routing), where the bytes are used and dropped: the default Disk's
 * string, integer and byte keys go into one reused buffer, so a lookup makes no Buffer; other keys, and every key of
 * a custom Disk, go through `disk.put`.
 */
import { Disk } from './disk.js';
import { Key } from './keys.js';
export declare class KeyEncoder {
    #private;
    /** The length of the last encoding. */
    length: number;
    constructor(disk: Disk);
    /**
     * The encoded key: the first `length` bytes of the returned buffer, valid until the next call.
     * @throws as the Disk's put (TypeError/RangeError naming the key).
     */
    encode(key: Key): Buffer;
}
