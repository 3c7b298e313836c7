/**
 * Small values recently read from the log, by slot, so the next get of a just-written or just-replayed item needs
 * no pread (frames never change once written). Bounded; the oldest insertion is evicted through a ring of slots,
 * which is O(1) — a Map's "first key" after many deletions is not (V8 walks the deleted holes), and that walk once
 * took half of a 1,000,000-key reopen.
 */
export interface CachedValue {
  version: number;
  bytes: Buffer;
}

interface Entry extends CachedValue {
  /** Its position in the ring: a slot stored again later sits at a newer position, and the old one must not evict it. */
  at: number;
}

export class ValueCache {
  readonly #map = new Map<number, Entry>();
  readonly #ring: Int32Array;
  #next = 0;
  #bytes = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.#map.size;
  }

  /** Bytes of the values held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The cached bytes of `slot` if they are of `version`. */
  get(slot: number, version: number): Buffer | undefined {
    const e = this.#map.get(slot);
    return e !== undefined && e.version === version ? e.bytes : undefined;
  }

  set(slot: number, version: number, bytes: Buffer): void {
    const at = this.#next;
    const old = this.#ring[at];
    const evicted = old >= 0 ? this.#map.get(old) : undefined;
    if (evicted !== undefined && evicted.at === at) {
      this.#map.delete(old);
      this.#bytes -= evicted.bytes.length;
    }
    this.#ring[at] = slot;
    this.#next = at + 1 === this.capacity ? 0 : at + 1;
    const replaced = this.#map.get(slot);
    if (replaced !== undefined) this.#bytes -= replaced.bytes.length;
    this.#map.set(slot, { version, bytes, at });
    this.#bytes += bytes.length;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
    this.#ring.fill(-1);
    this.#next = 0;
  }
}
