/** A binary min-heap of numbers; the keydir's free-slot list (lowest free slot first, so every process agrees). */
export class NumberHeap {
  #a: number[] = [];

  get size(): number {
    return this.#a.length;
  }
  clear(): void {
    this.#a.length = 0;
  }
  push(v: number): void {
    const a = this.#a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number | undefined {
    const a = this.#a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * A min-heap of (key, value) number pairs ordered by key: the keydir's expiry queue (expire time, slot).
 * Entries are not removed when an item changes; readers drop the ones that no longer match (lazy deletion).
 */
export class PairHeap {
  #k: number[] = [];
  #v: number[] = [];

  get size(): number {
    return this.#k.length;
  }
  clear(): void {
    this.#k.length = 0;
    this.#v.length = 0;
  }
  peekKey(): number {
    return this.#k[0];
  }
  peekValue(): number {
    return this.#v[0];
  }
  push(key: number, value: number): void {
    const k = this.#k;
    const v = this.#v;
    let i = k.push(key) - 1;
    v.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (k[p] <= key) break;
      k[i] = k[p];
      v[i] = v[p];
      i = p;
    }
    k[i] = key;
    v[i] = value;
  }
  pop(): void {
    const k = this.#k;
    const v = this.#v;
    const lastK = k.pop()!;
    const lastV = v.pop()!;
    const n = k.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && k[r] < k[l] ? r : l;
      if (k[c] >= lastK) break;
      k[i] = k[c];
      v[i] = v[c];
      i = c;
    }
    k[i] = lastK;
    v[i] = lastV;
  }
}
