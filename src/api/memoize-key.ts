/**
 * memoize's keys: the name a memoized function keys under, and the canonical key of a call's arguments.
 *
 * The key of a call is `[base, ...args]` (diskcache's args_to_key), each argument in a canonical form that any
 * process computes alike: primitives and byte arrays as they are (they are keys already), arrays element by
 * element, and the values a cache key cannot hold as tagged tuples, `['\u0000o', k1, v1, k2, v2, ...]` for a plain
 * object (own enumerable string keys, sorted; properties whose value is undefined left out, as JSON does),
 * `['\u0000d', epochMs]` for a Date, `'\u0000u'` for undefined, `['\u0000m', ...]`/`['\u0000s', ...]` for a Map or
 * a Set (entries sorted by their encoded keys). A string argument that itself starts with U+0000 gets a second
 * U+0000 in front, so no argument can be mistaken for a tag.
 */
import { builtin } from '../builtin.js';
import { Key, compareEncodedKeys, encodeKey } from '../format/keys.js';

const TYPED_MARKER = '\u0000typed';
const UNDEFINED = '\u0000u';
const OBJECT = '\u0000o';
const DATE = '\u0000d';
const MAP = '\u0000m';
const SET = '\u0000s';
/** Arguments nest at most this deep (a cycle would otherwise recurse forever). */
const MAX_DEPTH = 64;

/** typed: the type each argument adds to the key. */
function typeOfArg(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof Map) return 'map';
  if (v instanceof Set) return 'set';
  return typeof v;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function sortedByEncoding(items: Key[]): Key[] {
  const encoded = items.map((k) => [encodeKey(k), k] as const);
  encoded.sort((a, b) => compareEncodedKeys(a[0], b[0]));
  return encoded.map(([, k]) => k);
}

/**
 * The canonical key form of one argument (see the file's summary).
 * @throws TypeError naming `name` for a value with no canonical form (a function, a symbol, a class instance other
 * than Date, Map, Set and byte arrays); RangeError for a cycle or nesting deeper than 64.
 */
export function canonicalArg(v: unknown, name: string, depth = 0): Key {
  if (depth > MAX_DEPTH) throw new RangeError(`${name} nests more than ${MAX_DEPTH} deep (a cycle?)`);
  switch (typeof v) {
    case 'string':
      return v.startsWith('\u0000') ? '\u0000' + v : v;
    case 'number':
    case 'bigint':
    case 'boolean':
      return v;
    case 'undefined':
      return UNDEFINED;
    case 'object': {
      if (v === null || v instanceof Uint8Array) return v;
      if (Array.isArray(v)) {
        const out: Key[] = [];
        for (let i = 0; i < v.length; i++) out.push(canonicalArg(v[i], `${name}[${i}]`, depth + 1));
        return out;
      }
      if (v instanceof Date) {
        const ms = v.getTime();
        if (Number.isNaN(ms)) throw new RangeError(`${name} is an invalid Date`);
        return [DATE, ms];
      }
      if (v instanceof Map) {
        const entries = [...v].map(([k, x], i) => [canonicalArg(k, `${name} key ${i}`, depth + 1), canonicalArg(x, `${name}.get(…)`, depth + 1)] as Key);
        return [MAP, ...sortedByEncoding(entries)];
      }
      if (v instanceof Set) {
        return [SET, ...sortedByEncoding([...v].map((x, i) => canonicalArg(x, `${name} element ${i}`, depth + 1)))];
      }
      if (isPlainObject(v)) {
        const out: Key[] = [OBJECT];
        const record = v as Record<string, unknown>;
        // Code-unit order: the same in every process, whatever order the properties were written in.
        for (const k of Object.keys(record).sort()) {
          if (record[k] === undefined) continue;
          out.push(canonicalArg(k, name, depth + 1), canonicalArg(record[k], `${name}.${k}`, depth + 1));
        }
        return out;
      }
      const kind = (v as object).constructor?.name ?? 'object';
      throw new TypeError(`${name} is a ${kind}: memoize keys plain data (primitives, arrays, plain objects, Date, Map, Set, ` +
        'Uint8Array); leave it out with `ignore`, or pass a plain key derived from it');
    }
    default:
      throw new TypeError(`${name} is a ${typeof v}: memoize keys plain data; leave it out with \`ignore\``);
  }
}

/**
 * diskcache's args_to_key: `[base, ...args]` with the ignored positions left out and each argument in its
 * canonical form; with `typed`, a marker and the kept arguments' type names follow.
 * @throws TypeError/RangeError naming `args[i]` for an argument with no canonical form.
 */
export function argsToKey(base: string, args: readonly unknown[], typed: boolean, ignore: ReadonlySet<number>): Key {
  const key: Key[] = [base];
  const kept: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    if (ignore.has(i)) continue;
    kept.push(args[i]);
    key.push(canonicalArg(args[i], `args[${i}]`));
  }
  if (typed) key.push(TYPED_MARKER, ...kept.map(typeOfArg));
  return key;
}

/**
 * The name a decorated function keys under when no `name` is given: its own name and a hash of its source text,
 * so two functions share entries only when both name and definition are the same (diskcache keys on module and
 * qualified name, which JavaScript cannot see). The same code in two processes keys alike; an edited function
 * keys apart from its old results. A function without a usable name (an inline arrow, a bound or
 * native function, whose source text is not its definition) must be named.
 * @param what the decorator, for the error message ('memoize', 'throttle', ...).
 * @throws TypeError saying how to name it.
 */
export function functionKeyName(fn: (...args: never[]) => unknown, name: string | null | undefined, what: string): string {
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string' || name === '') throw new TypeError(`name must be a non-empty string; got ${String(name)}`);
    return name;
  }
  const source = Function.prototype.toString.call(fn);
  if (fn.name === '' || fn.name.startsWith('bound ') || source.includes('[native code]')) {
    throw new TypeError(`${what}: the function has no name of its own to key its results under (an inline arrow, a ` +
      "bound or a native function): pass one in the options ({ name: 'square' }), or decorate a named function " +
      '(const square = (n) => n * n; function square(n) { ... })');
  }
  // Whitespace runs count as one space: re-indenting (or a bundler's re-printing) does not change the key.
  const text = source.replace(/\s+/g, ' ');
  return `${fn.name}#${builtin<typeof import('node:crypto')>('node:crypto').createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
