import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  KEY_BIGINT, KEY_BYTES, KEY_FALSE, KEY_FLOAT, KEY_INT, KEY_NULL, KEY_TEXT, KEY_TRUE, KEY_TUPLE, Key,
  compareEncodedKeys, decodeKey, encodeKey, encodeKeyInto, encodedOfKeyId, hashEncodedKey, keyId, keyIdOfEncoded,
} from '../../src/format/keys.js';
import { mulberry32 } from '../fixtures/prng.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sortKeys = (keys: Key[]): Key[] => keys.map((k) => encodeKey(k)).sort(compareEncodedKeys).map(decodeKey);
const TYPE_MESSAGE = /^key must be a string, number, bigint, boolean, null, Uint8Array or an array of keys; got /;

test('integer-valued floats and integers are one key', () => {
  assert.deepEqual(encodeKey(1.0), encodeKey(1));
  assert.deepEqual(encodeKey(1n), encodeKey(1));
  assert.equal(keyId(1.0), keyId(1n));
  assert.equal(hex(encodeKey(1)), '01' + '0000000000000001');
});

test('integers are int64 big-endian two\'s complement', () => {
  assert.equal(hex(encodeKey(-1)), '01' + 'ff'.repeat(8));
  assert.equal(hex(encodeKey(0x1_0000_0100)), '01' + '0000000100000100');
  assert.equal(hex(encodeKey(-(2 ** 32))), '01' + 'ffffffff00000000');
  assert.equal(hex(encodeKey(-(2 ** 63))), '01' + '8000000000000000');
  assert.equal(hex(encodeKey(2n ** 63n - 1n)), '01' + '7fffffffffffffff');
});

test('-0 is the integer 0', () => {
  assert.deepEqual(encodeKey(-0), encodeKey(0));
  assert.equal(keyId(-0), keyId(0));
  assert.ok(Object.is(decodeKey(encodeKey(-0)), 0));
});

test('integers beyond 2^53 convert exactly and come back as bigints', () => {
  assert.deepEqual(encodeKey(2 ** 60), encodeKey(2n ** 60n));
  assert.deepEqual(encodeKey(-(2 ** 63)), encodeKey(-(2n ** 63n)));
  assert.deepEqual(encodeKey(2 ** 53 + 2), encodeKey(2n ** 53n + 2n));
  assert.equal(decodeKey(encodeKey(2 ** 60)), 2n ** 60n);
  assert.equal(decodeKey(encodeKey(2 ** 53)), 2n ** 53n);
});

test('decodeKey returns a number for safe integers', () => {
  for (const n of [0, 1, -1, 2 ** 32, -(2 ** 32) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.equal(decodeKey(encodeKey(n)), n);
  }
  assert.equal(decodeKey(encodeKey(5n)), 5);
});

test('non-integer numbers and infinities are floats', () => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(1.5);
  assert.equal(hex(encodeKey(1.5)), '02' + b.toString('hex'));
  for (const n of [1.5, -0.25, Infinity, -Infinity, Number.MIN_VALUE, 2 ** 63, -(2 ** 64), 1e300]) {
    assert.equal(encodeKey(n)[0], KEY_FLOAT, String(n));
    assert.equal(decodeKey(encodeKey(n)), n);
  }
});

test('NaN is a RangeError naming the argument', () => {
  assert.throws(() => encodeKey(NaN), { name: 'RangeError', message: /^key must not be NaN/ });
  assert.throws(() => keyId(NaN), { name: 'RangeError', message: /^key must not be NaN/ });
  assert.throws(() => encodeKey(NaN, 'tag'), { name: 'RangeError', message: /^tag must not be NaN/ });
  assert.throws(() => encodeKey([1, [NaN]]), { name: 'RangeError', message: /^key\[1\]\[0\] must not be NaN/ });
});

test('bigints outside int64 are ASCII decimal', () => {
  assert.equal(hex(encodeKey(2n ** 63n)), '09' + Buffer.from('9223372036854775808').toString('hex'));
  for (const n of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 200n, -(10n ** 40n)]) {
    assert.equal(encodeKey(n)[0], KEY_BIGINT);
    assert.equal(decodeKey(encodeKey(n)), n);
  }
  assert.notDeepEqual(encodeKey(2n ** 64n), encodeKey(2 ** 64));
});

test('strings are UTF-8 text', () => {
  assert.equal(hex(encodeKey('aé')), '03' + '61c3a9');
  assert.equal(hex(encodeKey('')), '03');
  for (const s of ['', 'a', 'héllo', '😀', '\u0000\uffff', 'x'.repeat(10_000)]) assert.equal(decodeKey(encodeKey(s)), s);
});

test('strings with lone surrogates are a TypeError naming the argument', () => {
  for (const s of ['\ud800', 'a\udc00b', '\ud83d']) {
    assert.throws(() => encodeKey(s), { name: 'TypeError', message: /^key must be a well-formed string/ });
    assert.throws(() => keyId(s), { name: 'TypeError', message: /^key must be a well-formed string/ });
  }
  assert.throws(() => keyId('\ud800', 'tag'), { name: 'TypeError', message: /^tag / });
  assert.throws(() => encodeKey(['ok', '\udfff']), { name: 'TypeError', message: /^key\[1\] must be a well-formed/ });
});

test('Buffers and Uint8Arrays are the same bytes key, never text', () => {
  assert.deepEqual(encodeKey(Buffer.from('ab')), encodeKey(new Uint8Array([0x61, 0x62])));
  assert.equal(hex(encodeKey(Buffer.from('ab'))), '046162');
  assert.notDeepEqual(encodeKey(Buffer.from('ab')), encodeKey('ab'));
  const back = decodeKey(encodeKey(new Uint8Array([1, 2])));
  assert.ok(Buffer.isBuffer(back));
  assert.deepEqual(back, Buffer.from([1, 2]));
});

test('decodeKey gives bytes keys as a copy', () => {
  const enc = encodeKey(Buffer.from([1, 2]));
  const back = decodeKey(enc) as Buffer;
  back[0] = 9;
  assert.equal(enc[1], 1);
});

test('true, false and null are one byte each, and true is not 1', () => {
  assert.equal(hex(encodeKey(true)), '06');
  assert.equal(hex(encodeKey(false)), '07');
  assert.equal(hex(encodeKey(null)), '08');
  assert.notEqual(keyId(true), keyId(1));
  assert.notEqual(keyId(false), keyId(0));
  assert.equal(decodeKey(encodeKey(true)), true);
  assert.equal(decodeKey(encodeKey(false)), false);
  assert.equal(decodeKey(encodeKey(null)), null);
});

test('arrays are tuples of length-prefixed keys', () => {
  assert.equal(hex(encodeKey([1, 'a'])), '05' + '00000009' + '010000000000000001' + '00000002' + '0361');
  assert.equal(hex(encodeKey([])), '05');
  const keys: Key[] = [[], [1, 2], [[1], 2], [1, [2]], ['a', Buffer.from('b'), null, true, 2n ** 70n, [[[]]]]];
  for (const k of keys) assert.deepEqual(decodeKey(encodeKey(k)), k);
  assert.notEqual(keyId([1, 2]), keyId([[1], 2]));
  assert.equal(keyId(Object.freeze([1, 2])), keyId([1, 2.0]));
});

test('other types are a TypeError naming the argument and the type', () => {
  const bad: unknown[] = [undefined, {}, () => 1, Symbol('s'), new Map(), new Date(), new Set(), new Number(1)];
  for (const v of bad) {
    assert.throws(() => encodeKey(v as Key), { name: 'TypeError', message: TYPE_MESSAGE }, String(v));
    assert.throws(() => keyId(v as Key), { name: 'TypeError', message: TYPE_MESSAGE });
  }
  assert.throws(() => encodeKey({} as Key), {
    message: 'key must be a string, number, bigint, boolean, null, Uint8Array or an array of keys; got object',
  });
  assert.throws(() => encodeKey(new Map() as unknown as Key), { message: /got Map$/ });
  assert.throws(() => encodeKey(undefined as unknown as Key, 'tag'), { message: /^tag must be .* got undefined$/ });
  assert.throws(() => encodeKey([1, [undefined]] as unknown as Key), { message: /^key\[1\]\[0\] must be/ });
});

test('a self-containing array is a RangeError, not a stack overflow', () => {
  const a: Key[] = [];
  a.push(a);
  assert.throws(() => encodeKey(a), { name: 'RangeError', message: /^key\[0\]\[0\].* nests arrays/ });
});

test('decodeKey rejects malformed encodings', () => {
  const bad = ['', '00', '0a', '0100', '01' + '00'.repeat(9), '0200', '0600', '09', '092d', '09312e35', '050000', '0500000005' + '0361'];
  for (const h of bad) assert.throws(() => decodeKey(Buffer.from(h, 'hex')), { name: 'RangeError' }, h);
});

/** A random integer of either sign, its magnitude spread evenly over the powers of two up to 2^63. */
function randomInteger(next: () => number = Math.random): number {
  return Math.floor((next() - 0.5) * 2 ** (next() * 64));
}

/** A random key of every kind, nested up to `depth`. */
function randomKey(depth = 2): Key {
  const r = Math.random();
  const pick = Math.floor(r * 12);
  switch (pick) {
    case 0: return randomInteger();
    case 1: return (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 20);
    case 2: return BigInt.asIntN(64, BigInt(Math.floor(Math.random() * 2 ** 53)) << BigInt(Math.floor(Math.random() * 12)));
    case 3: return (Math.random() < 0.5 ? -1n : 1n) * 2n ** BigInt(63 + Math.floor(Math.random() * 80));
    case 4: {
      const cps = Array.from({ length: Math.floor(Math.random() * 8) }, () => {
        const c = Math.floor(Math.random() * 0x110000);
        return c >= 0xd800 && c <= 0xdfff ? 0x41 : c;
      });
      return String.fromCodePoint(...cps);
    }
    case 5: return Buffer.from(Array.from({ length: Math.floor(Math.random() * 8) }, () => Math.floor(Math.random() * 256)));
    case 6: return true;
    case 7: return false;
    case 8: return null;
    case 9: return [Infinity, -Infinity, -0, 0][Math.floor(Math.random() * 4)];
    default: return depth > 0 ? Array.from({ length: Math.floor(Math.random() * 4) }, () => randomKey(depth - 1)) : 'leaf';
  }
}

test('keyId equals keyIdOfEncoded(encodeKey(key)) for random keys', () => {
  for (let i = 0; i < 500; i++) {
    const k = randomKey();
    const enc = encodeKey(k);
    assert.equal(keyId(k), keyIdOfEncoded(enc), `${hex(enc)}`);
    assert.equal(keyIdOfEncoded(new Uint8Array(enc)), keyId(k)); // not only Buffers
    assert.deepEqual(encodeKey(decodeKey(enc)), enc);
  }
});

test('a text key id is the type character followed by the string itself', () => {
  assert.equal(keyId('héllo😀'), '\u0003héllo😀');
  assert.equal(keyIdOfEncoded(encodeKey('héllo😀')), '\u0003héllo😀');
  assert.equal(keyId(1), String.fromCharCode(KEY_INT, 0, 0, 0, 0, 0, 0, 0, 1));
  assert.equal(keyId(-2), '\u0001' + '\u00ff'.repeat(7) + '\u00fe');
  assert.equal(keyId(Buffer.from([0xff])), '\u0004\u00ff');
});

test('keys sort as diskcache sorts them: numbers, text, bytes, then the rest', () => {
  const expected: Key[] = [-3, 1.5, 2, 'a', 'b', Buffer.from([0]), Buffer.from('a'), [1]];
  for (let i = 0; i < 20; i++) {
    const shuffled = [...expected].sort(() => Math.random() - 0.5);
    assert.deepEqual(sortKeys(shuffled), expected);
  }
});

test('numbers sort numerically across integers and floats, exactly', () => {
  const expected: Key[] = [
    -Infinity, -(2 ** 64), -(2n ** 63n), -(2n ** 63n) + 1n, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2n ** 53n,
    2n ** 53n + 1n, 2n ** 63n - 1n, 2 ** 63, 2 ** 64, Infinity,
  ];
  assert.deepEqual(sortKeys([...expected].reverse()), expected);
  assert.equal(compareEncodedKeys(encodeKey(1), encodeKey(1.0)), 0);
  // 2^63 - 1 as a double rounds to 2^63: an inexact comparison would call these equal.
  assert.ok(compareEncodedKeys(encodeKey(2n ** 63n - 1n), encodeKey(2 ** 63)) < 0);
  assert.ok(compareEncodedKeys(encodeKey(2 ** 63), encodeKey(2n ** 63n - 1n)) > 0);
  assert.ok(compareEncodedKeys(encodeKey(-(2 ** 63) - 4096), encodeKey(-(2n ** 63n))) < 0);
});

test('text sorts by code point, not by UTF-16 code unit', () => {
  // UTF-16 puts U+1F600 (D83D DE00) before U+FFFF; code points put it after.
  assert.deepEqual(sortKeys(['😀', '\uffff', 'b', 'a', 'ab', '']), ['', 'a', 'ab', 'b', '\uffff', '😀']);
});

test('bytes sort bytewise, and the rest bytewise on their encodings', () => {
  assert.deepEqual(sortKeys([Buffer.from([1]), Buffer.from([0, 9]), Buffer.from([])]), [Buffer.from([]), Buffer.from([0, 9]), Buffer.from([1])]);
  const rest: Key[] = [[1], [2], true, false, null, 2n ** 64n];
  assert.deepEqual(sortKeys([...rest].reverse()), rest);
  assert.deepEqual(sortKeys([null, 'z', Buffer.from('a'), 5, [0]]), [5, 'z', Buffer.from('a'), [0], null]);
  assert.deepEqual([KEY_TUPLE, KEY_TRUE, KEY_FALSE, KEY_NULL, KEY_BIGINT], [5, 6, 7, 8, 9]);
  assert.deepEqual([KEY_INT, KEY_FLOAT, KEY_TEXT, KEY_BYTES], [1, 2, 3, 4]);
});

test('hashEncodedKey is the CRC32C of the encoded bytes, an unsigned 32-bit integer', () => {
  assert.equal(hashEncodedKey(Buffer.from('123456789')), 0xe3069283); // the CRC32C check value
  assert.equal(hashEncodedKey(new Uint8Array(Buffer.from('123456789'))), 0xe3069283);
  for (let i = 0; i < 100; i++) {
    const h = hashEncodedKey(encodeKey(randomKey()));
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
  }
  assert.equal(hashEncodedKey(encodeKey(1)), hashEncodedKey(encodeKey(1n)));
});

/** A random string of up to about `maxLength` UTF-16 units drawn from `alphabet` (code points; astral ones take two
 * units), drawn with `next`. */
function randomString(next: () => number, alphabet: readonly number[], maxLength: number): string {
  let s = '';
  const target = Math.floor(next() * (maxLength + 1));
  while (s.length < target) s += String.fromCodePoint(alphabet[Math.floor(next() * alphabet.length)]);
  return s;
}
const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
const ASCII = range(0, 0x7f);
const LATIN_AND_BMP = [...range(0x80, 0x7ff), ...range(0x800, 0xd7ff).filter((_, i) => i % 97 === 0), ...range(0xe000, 0xffff).filter((_, i) => i % 89 === 0)];
const EMOJI = [0x1f600, 0x1f680, 0x1f9d1, 0x10000, 0x10ffff, 0x1f1eb, 0x1f1f7];
const MIXED = [...ASCII, ...LATIN_AND_BMP, ...EMOJI];

/** encodeKeyInto into a buffer of `size` bytes full of junk: [returned length, the buffer]. */
function into(key: Key, size: number): [number, Buffer] {
  const out = Buffer.alloc(size, 0xee);
  return [encodeKeyInto(key, out), out];
}

test('encodeKeyInto writes exactly encodeKey\'s bytes for strings and returns their length', () => {
  const keys: string[] = ['', 'a', 'aé', '😀', 'héllo😀', '\u0000', '\u007f\u0080', '\uffff', 'x'.repeat(300)];
  const next = mulberry32(1);
  for (const alphabet of [ASCII, LATIN_AND_BMP, EMOJI, MIXED]) {
    for (let i = 0; i < 300; i++) keys.push(randomString(next, alphabet, 40));
  }
  for (const k of keys) {
    const expected = encodeKey(k);
    for (const size of [1 + 3 * k.length, 1 + 3 * k.length + 50]) {
      const [n, out] = into(k, size);
      assert.equal(n, expected.length, `${JSON.stringify(k)} into ${size} bytes`);
      assert.deepEqual(out.subarray(0, n), expected, `${JSON.stringify(k)} into ${size} bytes`);
    }
  }
});

test('encodeKeyInto fits any string of n UTF-16 units into 1 + 3n bytes, the widest UTF-8 can need', () => {
  // Three bytes per BMP unit, four per surrogate pair (two units): 1 + 3n is always enough.
  for (const k of ['\uffff'.repeat(20), '\u0800', '😀'.repeat(10), 'é'.repeat(7), 'a\uffff😀é']) {
    const [n, out] = into(k, 1 + 3 * k.length);
    assert.deepEqual(out.subarray(0, n), encodeKey(k), JSON.stringify(k));
  }
});

test('encodeKeyInto returns -1 for a string that may not fit: 1 + 3 × its length beyond the buffer', () => {
  for (const k of ['a', 'abc', 'é', '😀', 'x'.repeat(100)]) {
    assert.equal(into(k, 3 * k.length)[0], -1, `${JSON.stringify(k)}: one byte short of the bound`);
    assert.notEqual(into(k, 1 + 3 * k.length)[0], -1, `${JSON.stringify(k)}: at the bound`);
  }
  // The bound is on the string's length, not on its UTF-8: 'abc' needs 4 bytes, but 9 are not enough.
  assert.equal(into('abc', 9)[0], -1);
  assert.equal(into('', 0)[0], -1);
  assert.equal(into('', 1)[0], 1);
});

test('encodeKeyInto writes exactly encodeKey\'s bytes for integer numbers and returns 9', () => {
  const keys = [0, -0, 1, -1, 255, 256, -256, 2 ** 31, -(2 ** 31), 2 ** 32, -(2 ** 32) - 1, 500000000000000,
    Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 62, 2 ** 63 - 1024, -(2 ** 63)];
  const next = mulberry32(2);
  for (let i = 0; i < 500; i++) keys.push(randomInteger(next));
  for (const k of keys) {
    for (const size of [9, 64]) {
      const [n, out] = into(k, size);
      assert.equal(n, 9, String(k));
      assert.deepEqual(out.subarray(0, 9), encodeKey(k), `${k} into ${size} bytes`);
    }
  }
  assert.deepEqual(into(-0, 9)[1], encodeKey(0), '-0 is the integer 0');
  assert.equal(into(1, 8)[0], -1, 'an integer needs 9 bytes');
});

test('encodeKeyInto returns -1 for every other kind of key: the caller then uses encodeKey', () => {
  const others: Key[] = [1.5, -0.25, Infinity, -Infinity, 2 ** 63, -(2 ** 64), Number.MIN_VALUE, 1n, 2n ** 70n, [], [1],
    ['a'], true, false, null];
  for (const k of others) assert.equal(into(k, 256)[0], -1, hex(encodeKey(k)));
});

test('encodeKeyInto writes exactly encodeKey\'s bytes for byte keys that fit, else returns -1', () => {
  const keys = [Buffer.alloc(0), Buffer.from('a'), new Uint8Array([0, 255, 7]), Buffer.alloc(32, 9), Buffer.alloc(33, 8),
    new Uint8Array(Buffer.alloc(200, 3).buffer, 10, 150), Buffer.alloc(255, 1)];
  for (const k of keys) {
    const [n, out] = into(k, 256);
    assert.equal(n, 1 + k.length, `${k.length} bytes`);
    assert.deepEqual(out.subarray(0, n), encodeKey(k), `${k.length} bytes`);
  }
  assert.equal(into(Buffer.alloc(256), 256)[0], -1, 'one byte too long for the buffer');
  assert.equal(into(Buffer.alloc(5), 5)[0], -1);
  assert.equal(into(Buffer.alloc(5), 6)[0], 6);
});

test('encodeKeyInto throws what encodeKey throws for a lone surrogate and for NaN', () => {
  const thrown = (f: () => unknown): Error => {
    try {
      f();
    } catch (err) {
      return err as Error;
    }
    assert.fail('it throws');
  };
  for (const k of ['\ud800', 'a\udc00b', 'abc\ud83d', '\udfffé', '😀\ud83d']) {
    const expected = thrown(() => encodeKey(k));
    const got = thrown(() => into(k, 64));
    assert.equal(got.constructor, TypeError, JSON.stringify(k));
    assert.equal(got.constructor, expected.constructor);
    assert.equal(got.message, expected.message);
  }
  assert.throws(() => encodeKeyInto('\ud800', Buffer.alloc(64), 'tag'), { name: 'TypeError', message: /^tag must be a well-formed string/ });
  const nan = thrown(() => into(NaN, 64));
  assert.equal(nan.constructor, RangeError);
  assert.equal(nan.message, thrown(() => encodeKey(NaN)).message);
  assert.throws(() => encodeKeyInto(NaN, Buffer.alloc(64), 'tag'), { name: 'RangeError', message: /^tag must not be NaN/ });
});

test('encodedOfKeyId is the inverse of keyIdOfEncoded, for random keys', () => {
  for (let i = 0; i < 1000; i++) {
    const k = randomKey();
    const enc = encodeKey(k);
    const back = encodedOfKeyId(keyIdOfEncoded(enc));
    assert.ok(Buffer.isBuffer(back));
    assert.deepEqual(back, enc, hex(enc));
    assert.deepEqual(encodedOfKeyId(keyId(k)), enc, hex(enc));
  }
  const next = mulberry32(3);
  for (let i = 0; i < 300; i++) {
    const k = randomString(next, MIXED, 30);
    assert.deepEqual(encodedOfKeyId(keyId(k)), encodeKey(k), JSON.stringify(k));
  }
  for (const k of ['', 'héllo😀', '\u0003', '\u0000\u00ff', 1, -1, 0xff, Buffer.from([0x03, 0xff]), [3, '\u0003é'], 2n ** 80n]) {
    assert.deepEqual(encodedOfKeyId(keyId(k)), encodeKey(k), hex(encodeKey(k)));
  }
});
