/**
 * The keydir's per-slot typed arrays (keydir.ts, key-table.ts) all grow and shrink the same way: in place.
 *
 * Each array lies on a resizable ArrayBuffer that reserves address space for RESERVE_SLOTS slots and commits only
 * what is used, so growing is one resize (no copy): doubling 16 arrays from 512 Ki to 1 Mi slots by copying took
 * 171 ms in one call (81 MB to zero and 40 MB to copy), a stall proportional to the keys that every set landing on
 * the boundary paid. The pages come from the OS as they are first written. Beyond the reservation (or where the
 * platform refuses one: a 32-bit process) an array is copied into a new one that reserves twice its size. A process
 * with a limit on its address space (`ulimit -v`, read from /proc/self/limits) reserves nothing and grows by copying,
 * as before: reservations that fit under such a limit would take from what V8's heap may grow into.
 */

import * as nodeFs from 'node:fs';

type SlotArray = Float64Array | Uint32Array | Int32Array | Uint8Array;
type SlotArrayClass = new (b: ArrayBuffer | number) => SlotArray;
interface Resizable {
  readonly resizable?: boolean;
  readonly maxByteLength?: number;
  resize?(bytes: number): void;
}

/** Slots each array reserves address space for (2^26: 512 MiB of address space for a Float64Array). */
export const RESERVE_SLOTS = 2 ** 26;

let reserving: boolean | undefined;

/** Whether this process reserves address space for growth: not when its address space is limited (Linux). */
export function reservesAddressSpace(): boolean {
  if (reserving === undefined) {
    let limits = '';
    try {
      limits = nodeFs.readFileSync('/proc/self/limits', 'latin1');
    } catch {
      // No /proc (not Linux): no such limit to read; a refused reservation still falls back below.
    }
    const line = /^Max address space\s+(\S+)/m.exec(limits);
    reserving = line === null || line[1] === 'unlimited';
  }
  return reserving;
}

/** A new array of `a`'s type with `capacity` elements, holding `a`'s first ones (none when `keep` is false). */
export function resized<T extends SlotArray>(a: T, capacity: number, keep = true): T {
  const bytes = capacity * a.BYTES_PER_ELEMENT;
  const buffer = a.buffer as ArrayBuffer & Resizable;
  if (buffer.resizable === true && bytes <= buffer.maxByteLength!) {
    if (!keep) buffer.resize!(0); // grown again below: the bytes come back as zeros
    buffer.resize!(bytes);
    return a; // length-tracking: a.length is now `capacity`
  }
  const b = allocate(a.constructor as SlotArrayClass, capacity, a.BYTES_PER_ELEMENT) as T;
  if (keep) b.set(a.subarray(0, Math.min(a.length, capacity)) as ArrayLike<number>);
  return b;
}

function allocate(Type: SlotArrayClass, capacity: number, bytesPerElement: number): SlotArray {
  const buffer = reservedBuffer(capacity * bytesPerElement, Math.max(2 * capacity, RESERVE_SLOTS) * bytesPerElement);
  return buffer === null ? new Type(capacity) : new Type(buffer);
}

/**
 * A resizable ArrayBuffer of `bytes` that may grow in place to `maxBytes`, or null when this process reserves no
 * address space (see reservesAddressSpace) or the platform refuses the reservation.
 */
export function reservedBuffer(bytes: number, maxBytes: number): ArrayBuffer | null {
  if (!reservesAddressSpace()) return null;
  try {
    return new (ArrayBuffer as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: maxBytes });
  } catch {
    return null;
  }
}
