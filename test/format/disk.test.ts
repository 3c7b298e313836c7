import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { mock, test } from 'node:test';
import zlib from 'node:zlib';
import {
  Disk, JSONDisk, MODE_BINARY_FILE, MODE_CBOR, MODE_CBOR_FILE, MODE_JSON, MODE_JSON_FILE, MODE_RAW_BYTES,
  MODE_RAW_NUMBER, MODE_RAW_TEXT, MODE_TEXT16, MODE_TEXT16_FILE, MODE_TEXT_FILE, StoredValue,
} from '../../src/format/disk.js';
import { KEY_BYTES, Key, decodeKey, encodeKey, hashEncodedKey } from '../../src/format/keys.js';
import { tempDir as tmp } from '../fixtures/tmp.js';


/** Every file below `dir`, relative, with `/`. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

function fetchBack(disk: Disk, s: StoredValue, read = false): unknown {
  return disk.fetch(s.mode, s.filename, s.inline, read);
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

test('numbers are an inline little-endian f64, never a file', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  for (const n of [0, -0, 1.5, -7, NaN, Infinity, -Infinity, 2 ** 60, Number.MIN_VALUE]) {
    const s = disk.store(n, false);
    assert.equal(s.mode, MODE_RAW_NUMBER);
    assert.equal(s.filename, null);
    assert.equal(Buffer.from(s.inline!).readDoubleLE(0), n);
    assert.ok(Object.is(fetchBack(disk, s), n), String(n));
  }
  assert.deepEqual(files(disk.directory), []);
});

test('strings below minFileSize characters are inline UTF-8, longer ones a text file', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 5 });
  const short = disk.store('héll', false);
  assert.deepEqual(short, { mode: MODE_RAW_TEXT, size: 0, filename: null, inline: Buffer.from('héll') });
  assert.equal(fetchBack(disk, short), 'héll');
  const long = disk.store('héllo', false);
  assert.equal(long.mode, MODE_TEXT_FILE);
  assert.equal(long.size, 6); // file bytes, not characters
  assert.equal(long.inline, null);
  assert.deepEqual(fs.readFileSync(path.join(disk.directory, long.filename!)), Buffer.from('héllo'));
  assert.equal(fetchBack(disk, long), 'héllo');
});

test('a text file comes back as a string whatever read says', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  const s = disk.store('text', false);
  assert.equal(s.mode, MODE_TEXT_FILE);
  assert.equal(fetchBack(disk, s, true), 'text');
});

test('strings with lone surrogates are stored as UTF-16 and round-trip exactly', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 4 });
  const short = disk.store('a\ud800', false);
  assert.equal(short.mode, MODE_TEXT16);
  assert.equal(fetchBack(disk, short), 'a\ud800');
  const long = disk.store('\udc00bcd\ud83d', false);
  assert.equal(long.mode, MODE_TEXT16_FILE);
  assert.equal(long.size, 10);
  assert.equal(fetchBack(disk, long), '\udc00bcd\ud83d');
  assert.equal(fetchBack(disk, disk.store('😀', false)), '😀');
});

test('byte arrays below minFileSize are inline, larger ones a binary file, and come back as Buffers', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 4 });
  const short = disk.store(new Uint8Array([1, 2, 3]), false);
  assert.equal(short.mode, MODE_RAW_BYTES);
  const back = fetchBack(disk, short);
  assert.ok(Buffer.isBuffer(back));
  assert.deepEqual(back, Buffer.from([1, 2, 3]));
  const long = disk.store(Buffer.from([1, 2, 3, 4]), false);
  assert.deepEqual([long.mode, long.size, long.inline], [MODE_BINARY_FILE, 4, null]);
  assert.deepEqual(fetchBack(disk, long), Buffer.from([1, 2, 3, 4]));
});

test('inline bytes are stored without a copy and fetched as a copy', (t) => {
  // store() hands the caller's bytes straight to the engine, which copies them into the record's frame before
  // set() returns; fetch() must not hand out a view the caller could use to change what is stored.
  const disk = new Disk(tmp(t));
  const input = Buffer.from('abc');
  const s = disk.store(input, false);
  assert.equal(s.inline, input);
  const out = fetchBack(disk, s) as Buffer;
  assert.equal(out.toString(), 'abc');
  out[1] = 0x7a;
  assert.equal(Buffer.from(s.inline!).toString(), 'abc');
});

test('read: true writes a byte array to a file whatever its size', (t) => {
  const disk = new Disk(tmp(t));
  const s = disk.store(Buffer.from('tiny'), true);
  assert.deepEqual([s.mode, s.size], [MODE_BINARY_FILE, 4]);
  assert.deepEqual(fetchBack(disk, s), Buffer.from('tiny'));
});

test('read: true still stores strings and numbers by their own rules', (t) => {
  const disk = new Disk(tmp(t));
  assert.equal(disk.store('s', true).mode, MODE_RAW_TEXT);
  assert.equal(disk.store(1, true).mode, MODE_RAW_NUMBER);
});

test('read: true with a value that is not bytes is a TypeError naming value', (t) => {
  const disk = new Disk(tmp(t));
  assert.throws(() => disk.store({ a: 1 }, true), { name: 'TypeError', message: /^value must be a Uint8Array/ });
  assert.deepEqual(files(disk.directory), []);
});

test('a binary file fetched with read is a stream that survives the file being removed', async (t) => {
  const disk = new Disk(tmp(t));
  const s = disk.store(Buffer.from('streamed'), true);
  const stream = fetchBack(disk, s, true) as fs.ReadStream;
  assert.ok(stream instanceof fs.ReadStream);
  disk.remove(s.filename!);
  assert.deepEqual(files(disk.directory), []);
  assert.equal((await readAll(stream)).toString(), 'streamed');
});

test('a missing value file throws the fs error', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  for (const [value, read] of [[Buffer.from('x'), false], [Buffer.from('x'), true], ['x', false], [{ a: 1 }, false]] as const) {
    const s = disk.store(value, false);
    disk.remove(s.filename!);
    assert.throws(() => fetchBack(disk, s, read), { code: 'ENOENT' });
  }
});

test('an unknown mode or a missing field is a RangeError', (t) => {
  const disk = new Disk(tmp(t));
  assert.throws(() => disk.fetch(99, null, Buffer.alloc(0), false), { name: 'RangeError', message: /unknown value mode 99/ });
  assert.throws(() => disk.fetch(MODE_JSON, null, Buffer.alloc(0), false), { name: 'RangeError' });
  assert.throws(() => disk.fetch(MODE_RAW_TEXT, 'a/b', null, false), { name: 'RangeError' });
  assert.throws(() => disk.fetch(MODE_TEXT_FILE, null, Buffer.from('x'), false), { name: 'RangeError' });
  assert.throws(() => disk.fetch(MODE_RAW_NUMBER, null, Buffer.alloc(4), false), { name: 'RangeError' });
});

test('strings and byte arrays are never CBOR', (t) => {
  const disk = new Disk(tmp(t));
  assert.deepEqual(disk.store('x'.repeat(100), false).inline, Buffer.from('x'.repeat(100)));
  assert.deepEqual(disk.store(Buffer.from([0xa1]), false).inline, Buffer.from([0xa1]));
});

class Point {
  constructor(public x = 1) {}
}

test('CBOR values round-trip: Map, Set, Date, bigint, typed arrays, undefined, null, booleans, nesting', (t) => {
  const disk = new Disk(tmp(t));
  const values: Record<string, unknown> = {
    map: new Map<unknown, unknown>([[1, 'a'], ['k', { x: 1 }], [[1, 2], 3], [null, new Set([1])]]),
    stringMap: new Map([['a', 1]]),
    emptyMap: new Map(),
    set: new Set([1, 'a', 2n, null]),
    emptySet: new Set(),
    date: new Date(1700000000123),
    bigint: 5n,
    negativeBigint: -(2n ** 80n),
    hugeBigint: 2n ** 200n,
    uint8InObject: { b: new Uint8Array([1, 2, 3]) },
    bufferInArray: [Buffer.from('hi'), Buffer.alloc(0)],
    int8: new Int8Array([-1, 127]),
    uint8Clamped: new Uint8ClampedArray([255]),
    int16: new Int16Array([-300]),
    uint16: new Uint16Array([65535]),
    int32: new Int32Array([-1, 2]),
    uint32: new Uint32Array([2 ** 32 - 1]),
    float32: new Float32Array([0.1, -0]),
    float64: new Float64Array([1.5, -0, NaN, Infinity]),
    bigInt64: new BigInt64Array([-1n, 2n ** 62n]),
    bigUint64: new BigUint64Array([2n ** 64n - 1n]),
    typedArrayView: new Float64Array(new ArrayBuffer(24), 8, 2),
    undefined,
    null: null,
    true: true,
    false: false,
    nested: { a: [1, { b: [undefined, null, 'x', 1.5] }], c: new Map([['d', new Set([new Date(0)])]]), e: {} },
    emptyObject: {},
    emptyArray: [],
    numericKeys: { 1: 'a', b: 2 },
    special: { n: NaN, i: Infinity, ni: -Infinity, big: 2 ** 60, small: 1e-300 },
    regexp: /ab+c/gimsuy,
    unicode: { 'ключ': '值😀' },
  };
  for (const [name, v] of Object.entries(values)) {
    const s = disk.store(v, false);
    assert.equal(s.mode, MODE_CBOR, name);
    assert.deepStrictEqual(fetchBack(disk, s), v, name);
  }
  const invalid = fetchBack(disk, disk.store(new Date(NaN), false)) as Date;
  assert.ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
});

test('-0 inside a CBOR value round-trips', (t) => {
  const disk = new Disk(tmp(t));
  const back = fetchBack(disk, disk.store({ z: -0, list: [-0, 0, 1, 2 ** 40], m: new Map([[-0, -0]]) }, false)) as {
    z: number; list: number[]; m: Map<number, number>;
  };
  assert.ok(Object.is(back.z, -0));
  assert.ok(Object.is(back.list[0], -0) && Object.is(back.list[1], 0));
  assert.deepStrictEqual(back.list, [-0, 0, 1, 2 ** 40]);
  assert.ok(Object.is([...back.m.values()][0], -0));
});

test('cycles and shared objects round-trip with their identity', (t) => {
  const disk = new Disk(tmp(t));
  const cyc: Record<string, unknown> = { name: 'c' };
  cyc.self = cyc;
  const back = fetchBack(disk, disk.store(cyc, false)) as Record<string, unknown>;
  assert.equal(back.self, back);
  const shared = { x: 1 };
  const pair = fetchBack(disk, disk.store([shared, shared, new Map([['s', shared]])], false)) as unknown[];
  assert.equal(pair[0], pair[1]);
  assert.equal((pair[2] as Map<string, unknown>).get('s'), pair[0]);
  const outer: Record<string, unknown> = {};
  outer.m = new Map([['back', outer]]);
  const o = fetchBack(disk, disk.store(outer, false)) as { m: Map<string, unknown> };
  assert.equal(o.m.get('back'), o);
  const shares = new Map([['a', 1]]);
  const two = fetchBack(disk, disk.store({ x: shares, y: shares }, false)) as { x: unknown; y: unknown };
  assert.equal(two.x, two.y);
});

test('a cycle back to an enclosing Map or Set is a TypeError naming value (cbor-x would return {})', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  const selfMap = new Map<string, unknown>();
  selfMap.set('me', selfMap);
  const viaObject = new Map<string, unknown>();
  viaObject.set('o', { back: viaObject });
  const selfSet = new Set<unknown>();
  selfSet.add([selfSet]);
  assert.throws(() => disk.store(selfMap, false), { name: 'TypeError', message: /^value → a Map value refers back to a Map/ });
  assert.throws(() => disk.store(viaObject, false), { name: 'TypeError', message: /^value → a Map value\.back refers back/ });
  assert.throws(() => disk.store({ s: selfSet }, false), { name: 'TypeError', message: /^value\.s → a Set element\[0\] refers back to a Set/ });
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('objects with a null prototype come back as plain objects', (t) => {
  const disk = new Disk(tmp(t));
  const o = Object.assign(Object.create(null) as object, { a: 1 });
  assert.deepEqual(fetchBack(disk, disk.store(o, false)), { a: 1 });
});

test('decoded CBOR byte arrays do not share memory with the stored bytes', (t) => {
  const disk = new Disk(tmp(t));
  const s = disk.store({ b: Buffer.from('abc'), f: new Float64Array([1]) }, false);
  const back = fetchBack(disk, s) as { b: Buffer; f: Float64Array };
  (s.inline as Uint8Array).fill(0);
  assert.equal(back.b.toString(), 'abc');
  assert.equal(back.f[0], 1);
});

test('CBOR values of minFileSize bytes or more go to a CBOR file', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 100 });
  const small = disk.store({ a: 1 }, false);
  assert.equal(small.mode, MODE_CBOR);
  const big = disk.store({ a: 'x'.repeat(200), m: new Map([[1, 2]]) }, false);
  assert.equal(big.mode, MODE_CBOR_FILE);
  assert.equal(big.size, fs.statSync(path.join(disk.directory, big.filename!)).size);
  assert.deepStrictEqual(fetchBack(disk, big), { a: 'x'.repeat(200), m: new Map([[1, 2]]) });
});

test('values CBOR cannot keep faithfully are a TypeError naming value, and no file is written', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const cases: [unknown, RegExp][] = [
    [() => 1, /^value is a function/],
    [Symbol('s'), /^value is a symbol/],
    [{ a: [1, { f() {} }] }, /^value\.a\[1\]\.f is a function/],
    [{ s: Symbol('s') }, /^value\.s is a symbol/],
    [new Point(), /^value is an instance of Point/],
    [{ p: [new Point()] }, /^value\.p\[0\] is an instance of Point/],
    [new Error('boom'), /^value is an instance of Error/],
    [new TypeError('boom'), /^value is an instance of TypeError/],
    [new Number(1), /^value is an instance of Number/],
    [new String('s'), /^value is an instance of String/],
    [new ArrayBuffer(4), /^value is an instance of ArrayBuffer/],
    [new DataView(new ArrayBuffer(2)), /^value is an instance of DataView/],
    [new WeakMap(), /^value is an instance of WeakMap/],
    [Promise.resolve(1), /^value is an instance of Promise/],
    [new (class MyMap extends Map {})(), /^value is an instance of MyMap/],
    [Object.create({ inherited: 1 }), /^value is an object with a custom prototype/],
    [sparse, /^value\[1\] is a hole/],
    [JSON.parse('{"__proto__": {"x": 1}}'), /^value\.__proto__ is an own property named "__proto__"/],
    [{ s: 'a\ud800' }, /^value\.s is a string with a lone surrogate/],
    [{ ['\udc00']: 1 }, /lone surrogate/],
    [{ [Symbol('k')]: 1 }, /^value has symbol-keyed properties/],
    [new Map([['k', () => 1]]), /^value → a Map value is a function/],
    [new Set([new Point()]), /^value → a Set element is an instance of Point/],
    [{ 'a b': { c: () => 1 } }, /^value\["a b"\]\.c is a function/],
  ];
  for (const [v, message] of cases) {
    assert.throws(() => disk.store(v, false), { name: 'TypeError', message }, String(message));
  }
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('storeStream writes any stream to a binary file, whatever its size', async (t) => {
  const disk = new Disk(tmp(t));
  async function* gen() {
    yield Buffer.from('ab');
    yield new Uint8Array([0x63]);
  }
  const sources: [unknown, string][] = [
    [Readable.from([Buffer.from('hello '), Buffer.from('world')]), 'hello world'],
    [gen(), 'abc'],
    [[Buffer.from('x'), 'y'], 'xy'],
    [Readable.from(['text ', 'chunks']), 'text chunks'],
    [Buffer.from('one buffer'), 'one buffer'],
    [Readable.from([]), ''],
  ];
  for (const [source, text] of sources) {
    const s = await disk.storeStream(source as AsyncIterable<Uint8Array>, 'k');
    assert.deepEqual([s.mode, s.size, s.inline], [MODE_BINARY_FILE, Buffer.byteLength(text), null]);
    assert.equal((fetchBack(disk, s) as Buffer).toString(), text);
    assert.equal((await readAll(fetchBack(disk, s, true) as fs.ReadStream)).toString(), text);
  }
  const big = Buffer.alloc(5 << 20, 7);
  const s = await disk.storeStream(Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]));
  assert.equal(s.size, big.length);
  assert.ok(big.equals(fetchBack(disk, s) as Buffer));
});

test('storeStream removes the partial file when the source fails or yields a non-byte chunk', async (t) => {
  const disk = new Disk(tmp(t));
  async function* failing() {
    yield Buffer.from('partial');
    throw new Error('source broke');
  }
  await assert.rejects(disk.storeStream(failing()), { message: 'source broke' });
  await assert.rejects(disk.storeStream([Buffer.from('a'), 5] as unknown as Iterable<Uint8Array> as never), {
    name: 'TypeError', message: /^value must yield Uint8Array chunks; got number/,
  });
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('storeStream with something that is not a stream is a TypeError naming value', async (t) => {
  const disk = new Disk(tmp(t));
  for (const bad of [42, null, { a: 1 }, undefined]) {
    await assert.rejects(disk.storeStream(bad as never), { name: 'TypeError', message: /^value must be a readable stream/ });
  }
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('value files are named ab/cd/<28 hex>.val from 16 random bytes', (t) => {
  const disk = new Disk(tmp(t));
  const names = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const { relative, full } = disk.filename();
    assert.match(relative, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{28}\.val$/);
    assert.equal(full, path.join(disk.directory, relative));
    names.add(relative);
  }
  assert.equal(names.size, 50);
  const s = disk.store(Buffer.from('x'), true);
  assert.deepEqual(files(disk.directory), [s.filename]);
});

test('remove deletes the file and its empty parents, but never the directory', (t) => {
  const dir = tmp(t);
  const disk = new Disk(dir, { minFileSize: 0 });
  const stored = Array.from({ length: 30 }, (_, i) => disk.store(`value ${i}`, false));
  assert.equal(files(dir).length, 30);
  for (const s of stored) disk.remove(s.filename!);
  assert.deepEqual(fs.readdirSync(dir), []);
  assert.ok(fs.existsSync(dir));
});

test('remove keeps parents that still hold other files', (t) => {
  const disk = new Disk(tmp(t));
  fs.mkdirSync(path.join(disk.directory, 'aa/bb'), { recursive: true });
  fs.writeFileSync(path.join(disk.directory, 'aa/bb/one.val'), '1');
  fs.writeFileSync(path.join(disk.directory, 'aa/other'), '2');
  disk.remove('aa/bb/one.val');
  assert.deepEqual(files(disk.directory), ['aa/other']);
});

test('remove swallows every error and leaves paths outside the directory alone', (t) => {
  const parent = tmp(t);
  const dir = path.join(parent, 'cache');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(parent, 'outside'), 'keep');
  const disk = new Disk(dir);
  disk.remove('no/such/file.val');
  disk.remove('');
  disk.remove('../outside');
  disk.remove(path.join(parent, 'outside'));
  assert.equal(fs.readFileSync(path.join(parent, 'outside'), 'utf8'), 'keep');
  assert.ok(fs.existsSync(dir));
});

test('opening a value file is retried when its directory vanishes, then the error is thrown', (t) => {
  const disk = new Disk(tmp(t), { minFileSize: 0 });
  const realOpen = fs.openSync;
  let calls = 0;
  const enoent = () => Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
  const opener = mock.method(fs, 'openSync', (...args: Parameters<typeof fs.openSync>) => {
    if (args[1] === 'wx' && ++calls <= 3) throw enoent();
    return realOpen(...args);
  });
  try {
    const s = disk.store('after three failures', false);
    assert.equal(calls, 4);
    assert.equal(fetchBack(disk, s), 'after three failures');
    calls = -1000;
    assert.throws(() => disk.store('never', false), { code: 'ENOENT' });
    assert.equal(calls, -1000 + 10);
  } finally {
    opener.mock.restore();
  }
});

test('a value file is never overwritten: it is created exclusively', (t) => {
  class FixedName extends Disk {
    override filename(): { relative: string; full: string } {
      return { relative: 'fixed.val', full: path.join(this.directory, 'fixed.val') };
    }
  }
  const disk = new FixedName(tmp(t), { minFileSize: 0 });
  disk.store('first', false);
  assert.throws(() => disk.store('second', false), { code: 'EEXIST' });
  assert.equal(fs.readFileSync(path.join(disk.directory, 'fixed.val'), 'utf8'), 'first');
});

test('Disk can be subclassed to name files by key (diskcache\'s SHA256FilenameDisk)', (t) => {
  class SHA256FilenameDisk extends Disk {
    override filename(key?: Key): { relative: string; full: string } {
      const relative = crypto.createHash('sha256').update(encodeKey(key ?? null)).digest('hex').slice(0, 32);
      return { relative, full: path.join(this.directory, relative) };
    }
  }
  const disk = new SHA256FilenameDisk(tmp(t), { minFileSize: 0 });
  const s = disk.store('value', false, 'my key');
  const expected = crypto.createHash('sha256').update(encodeKey('my key')).digest('hex').slice(0, 32);
  assert.equal(s.filename, expected);
  assert.equal(fetchBack(disk, s), 'value');
  disk.remove(s.filename!);
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('minFileSize defaults to 32 KiB and must be a number >= 0', (t) => {
  const dir = tmp(t);
  assert.equal(new Disk(dir).minFileSize, 2 ** 15);
  assert.equal(new Disk(dir, { minFileSize: 0, other: 'ignored' }).minFileSize, 0);
  assert.equal(new Disk(dir).store('x'.repeat(2 ** 15 - 1), false).mode, MODE_RAW_TEXT);
  assert.equal(new Disk(dir).store('x'.repeat(2 ** 15), false).mode, MODE_TEXT_FILE);
  for (const bad of [-1, NaN, '10']) {
    assert.throws(() => new Disk(dir, { minFileSize: bad as number }), { name: 'RangeError', message: /^minFileSize / });
  }
  assert.equal(new Disk('relative/dir').directory, path.resolve('relative/dir'));
});

test('put, get and hash are the key encoding', (t) => {
  const disk = new Disk(tmp(t));
  for (const k of [1, 'a', Buffer.from('b'), [1, 'x'], null, 2n ** 70n] as Key[]) {
    assert.deepEqual(disk.put(k), encodeKey(k));
    assert.deepEqual(disk.get(disk.put(k)), k);
    assert.equal(disk.hash(disk.put(k)), hashEncodedKey(encodeKey(k)));
  }
  assert.throws(() => disk.put(undefined as never), { name: 'TypeError', message: /^key / });
});

// ---- JSONDisk ---------------------------------------------------------------------------------------------------

test('JSONDisk keys are deflated JSON stored as bytes keys', (t) => {
  const disk = new JSONDisk(tmp(t));
  const enc = disk.put({ a: [1, 2] } as never);
  assert.equal(enc[0], KEY_BYTES);
  assert.equal(zlib.inflateSync(enc.subarray(1)).toString(), '{"a":[1,2]}');
  assert.deepEqual(enc, encodeKey(zlib.deflateSync(Buffer.from('{"a":[1,2]}'), { level: 1 })));
  for (const k of [1, 1.5, 'text', null, true, [1, [2, 'x']], { nested: { b: null } }]) assert.deepEqual(disk.get(disk.put(k as never)), k);
  assert.deepEqual(disk.put(1), disk.put(1.0));
  assert.notDeepEqual(disk.put(1), disk.put('1'));
  assert.notDeepEqual(disk.put({ a: 1, b: 2 } as never), disk.put({ b: 2, a: 1 } as never));
});

test('JSONDisk get decodes keys the cache encoded itself', (t) => {
  const disk = new JSONDisk(tmp(t));
  assert.equal(disk.get(encodeKey(42)), 42);
  assert.equal(disk.get(encodeKey('prefix-000000000000001')), 'prefix-000000000000001');
  assert.deepEqual(disk.get(encodeKey(Buffer.from('not zlib'))), Buffer.from('not zlib'));
});

test('JSONDisk keys JSON cannot hold are a TypeError naming key', (t) => {
  const disk = new JSONDisk(tmp(t));
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  for (const bad of [1n, undefined, () => 1, Symbol('s'), cyc]) {
    assert.throws(() => disk.put(bad as never), { name: 'TypeError', message: /^key is not JSON serializable/ });
  }
});

test('JSONDisk values are deflated JSON, inline when small and a file when large, and come back parsed', (t) => {
  const disk = new JSONDisk(tmp(t), { minFileSize: 64 });
  const small = disk.store({ a: [1, 'x', null] }, false);
  assert.equal(small.mode, MODE_JSON);
  assert.deepEqual(small.inline, zlib.deflateSync(Buffer.from('{"a":[1,"x",null]}'), { level: 1 }));
  assert.deepEqual(fetchBack(disk, small), { a: [1, 'x', null] });
  const random = crypto.randomBytes(200).toString('hex');
  const large = disk.store({ random }, false);
  assert.equal(large.mode, MODE_JSON_FILE);
  assert.equal(large.size, fs.statSync(path.join(disk.directory, large.filename!)).size);
  assert.deepEqual(fetchBack(disk, large), { random });
  assert.deepEqual(fetchBack(disk, large, true), { random });
  for (const v of ['text', 1.5, null, true, [1, 2]]) assert.deepEqual(fetchBack(disk, disk.store(v, false)), v);
});

test('JSONDisk values JSON cannot hold are a TypeError naming value, and no file is written', (t) => {
  const disk = new JSONDisk(tmp(t), { minFileSize: 0 });
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  for (const bad of [1n, undefined, () => 1, Symbol('s'), cyc, { big: 2n }]) {
    assert.throws(() => disk.store(bad, false), { name: 'TypeError', message: /^value is not JSON serializable/ });
  }
  assert.deepEqual(fs.readdirSync(disk.directory), []);
});

test('JSONDisk stores read: true values raw', async (t) => {
  const disk = new JSONDisk(tmp(t));
  const s = disk.store(Buffer.from('raw bytes'), true);
  assert.equal(s.mode, MODE_BINARY_FILE);
  assert.deepEqual(fetchBack(disk, s), Buffer.from('raw bytes'));
  const streamed = await disk.storeStream(Readable.from([Buffer.from('raw stream')]));
  assert.equal((await readAll(fetchBack(disk, streamed, true) as fs.ReadStream)).toString(), 'raw stream');
});

test('JSONDisk compressLevel defaults to 1 and sets the zlib level', (t) => {
  const dir = tmp(t);
  assert.equal(new JSONDisk(dir).compressLevel, 1);
  const value = { text: 'abc'.repeat(1000) };
  const none = new JSONDisk(dir, { compressLevel: 0 }).store(value, false);
  const best = new JSONDisk(dir, { compressLevel: 9 }).store(value, false);
  assert.deepEqual(none.inline, zlib.deflateSync(Buffer.from(JSON.stringify(value)), { level: 0 }));
  assert.ok(best.inline!.length < none.inline!.length);
  for (const bad of [10, -2, 1.5, 'high']) {
    assert.throws(() => new JSONDisk(dir, { compressLevel: bad as number }), { name: 'RangeError', message: /^compressLevel / });
  }
});

test('Disk round-trips what it stored through a fresh instance on the same directory', (t) => {
  const dir = tmp(t);
  const values: unknown[] = ['s', 'x'.repeat(100), 2.5, Buffer.from('b'), { m: new Map([[1, 2]]) }, 'lone\ud800'];
  const stored = values.map((v) => new Disk(dir, { minFileSize: 10 }).store(v, false));
  const reader = new Disk(dir, { minFileSize: 10 });
  stored.forEach((s, i) => assert.deepStrictEqual(fetchBack(reader, s), values[i]));
  assert.equal(decodeKey(reader.put('k')), 'k');
});
