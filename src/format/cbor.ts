/**
 * Values as CBOR (cbor-x): the encoder a value's shape needs, and CborCheck, which refuses before anything is
 * written what cbor-x would store wrongly.
 */
// cbor-x/encode is cbor-x without its node entry, which would try to load the native cbor-extract.
import { Encoder } from 'cbor-x/encode';
import { isWellFormed, typeName } from './keys.js';

// CBOR encoders, measured on Node 20 with cbor-x 1.6.9:
// - useRecords: false everywhere. Records (tag 105) carry their definitions inside every message when no
//   structures are shared: a 5-field object took 78 B and 0.81 µs instead of 68 B and 0.48 µs, and no other CBOR
//   reader knows them (docs/format.md promises a reader in another language).
// - structuredClone only when CborCheck saw a cycle or a shared object: it tags every object and cost ~40% more
//   encode time on an array of 100 objects; without it a cycle overflows the stack and sharing is lost.
// - alwaysUseFloat only when a -0 is inside: cbor-x otherwise writes -0 as the integer 0.
// - copyBuffers: decoded byte strings and typed arrays would otherwise be views of the engine's read buffer.
const CBOR_TREE = new Encoder({ useRecords: false, copyBuffers: true });
const CBOR_GRAPH = new Encoder({ useRecords: false, copyBuffers: true, structuredClone: true });
const CBOR_NEG_ZERO = new Encoder({
  useRecords: false, copyBuffers: true, structuredClone: true, alwaysUseFloat: true,
});

/** CBOR of a value CborCheck accepts, with the encoder its shape needs (TypeError naming the part it refuses). */
export function encodeCbor(value: unknown): Buffer {
  const check = new CborCheck();
  check.visit(value, null);
  return (check.negativeZero ? CBOR_NEG_ZERO : check.shared ? CBOR_GRAPH : CBOR_TREE).encode(value);
}

/** The value in CBOR `bytes` (byte strings and typed arrays copied out of `bytes`). */
export function decodeCbor(bytes: Uint8Array): unknown {
  return CBOR_TREE.decode(bytes);
}

/** Typed arrays cbor-x brings back as themselves (DataView and ArrayBuffer come back as Buffer: rejected). */
const TYPED_ARRAYS = new Set<object | null>([
  Buffer.prototype, Int8Array.prototype, Uint8Array.prototype, Uint8ClampedArray.prototype, Int16Array.prototype,
  Uint16Array.prototype, Int32Array.prototype, Uint32Array.prototype, Float32Array.prototype,
  Float64Array.prototype, BigInt64Array.prototype, BigUint64Array.prototype,
]);
const MAP_KEY = Symbol('a Map key');
const MAP_VALUE = Symbol('a Map value');
const SET_ELEMENT = Symbol('a Set element');
type Segment = string | number | symbol | null;

/**
 * Walks a value before it is encoded and throws for what cbor-x would store wrongly: functions and symbols (cbor-x
 * throws a bare Error), class instances and boxed primitives (they come back as plain objects), Errors,
 * ArrayBuffer/DataView (come back as Buffer), array holes, lone surrogates and `__proto__` keys (changed on the
 * way back), symbol-keyed properties (dropped), a cycle back to an enclosing Map or Set (comes back as `{}`).
 * It notes shared objects and -0, which pick the encoder.
 */
class CborCheck {
  shared = false;
  negativeZero = false;
  readonly #seen = new Set<object>();
  readonly #path: Segment[] = [];
  /** The Maps and Sets being walked (ancestors of the current value). */
  readonly #openCollections = new Set<object>();

  visit(v: unknown, segment: Segment): void {
    switch (typeof v) {
      case 'number':
        if (v === 0 && 1 / v < 0) this.negativeZero = true;
        return;
      case 'string':
        if (!isWellFormed(v)) this.#fail(segment, 'is a string with a lone surrogate, which CBOR (UTF-8) cannot hold');
        return;
      case 'boolean': case 'undefined': case 'bigint':
        return;
      case 'function': case 'symbol':
        return this.#fail(segment, `is a ${typeof v}, which cannot be stored`);
    }
    if (v === null) return;
    const o = v as object;
    if (this.#seen.has(o)) {
      // cbor-x decodes a reference back to an enclosing Map or Set as an empty object.
      if (this.#openCollections.has(o)) {
        this.#fail(segment, `refers back to a ${typeName(o)} that contains it, which cbor-x cannot restore`);
      }
      this.shared = true;
      return;
    }
    this.#seen.add(o);
    const proto = Object.getPrototypeOf(o) as object | null;
    if (proto === Date.prototype || proto === RegExp.prototype || TYPED_ARRAYS.has(proto)) return;
    this.#path.push(segment);
    if (proto === Array.prototype) {
      const a = o as unknown[];
      for (let i = 0; i < a.length; i++) {
        if (a[i] === undefined && !(i in a)) this.#fail(i, 'is a hole in a sparse array, which CBOR cannot keep');
        this.visit(a[i], i);
      }
    } else if (proto === Object.prototype || proto === null) {
      if (Object.getOwnPropertySymbols(o).length > 0) this.#fail(null, 'has symbol-keyed properties, which CBOR drops');
      for (const k of Object.keys(o)) {
        if (k === '__proto__') this.#fail(k, 'is an own property named "__proto__", which cbor-x renames');
        if (!isWellFormed(k)) this.#fail(k, 'is a key with a lone surrogate, which CBOR (UTF-8) cannot hold');
        this.visit((o as Record<string, unknown>)[k], k);
      }
    } else if (proto === Map.prototype || proto === Set.prototype) {
      this.#openCollections.add(o);
      if (proto === Set.prototype) for (const x of o as Set<unknown>) this.visit(x, SET_ELEMENT);
      else {
        for (const [k, x] of o as Map<unknown, unknown>) {
          this.visit(k, MAP_KEY);
          this.visit(x, MAP_VALUE);
        }
      }
      this.#openCollections.delete(o);
    } else {
      this.#path.pop();
      const what = typeName(o) === 'object' ? 'an object with a custom prototype' : `an instance of ${typeName(o)}`;
      this.#fail(segment, `is ${what}, which would come back as a plain object; only primitives, plain objects, ` +
        'arrays, Map, Set, Date, RegExp and typed arrays can be stored');
    }
    this.#path.pop();
  }

  #fail(segment: Segment, why: string): never {
    let where = 'value';
    for (const s of [...this.#path, segment]) {
      if (s === null) continue;
      where += typeof s === 'number' ? `[${s}]` : typeof s === 'symbol' ? ` → ${s.description}`
        : /^[A-Za-z_$][\w$]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
    throw new TypeError(`${where} ${why}`);
  }
}
