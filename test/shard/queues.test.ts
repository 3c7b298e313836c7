/** Queue keys (src/shard/queues.ts): which encoded keys belong to which push/pull queue, and each queue's order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeKey, Key } from '../../src/format/keys.js';
import { QueueIndex } from '../../src/shard/queues.js';
import { mulberry32 } from '../fixtures/prng.js';

const parse = (key: Key): [string | null, number] | null => {
  const b = encodeKey(key);
  return QueueIndex.parse(b, 0, b.length);
};
/** The queue name parse gives integer keys (whatever it is, every integer key shares it). */
const INT_QUEUE = parse(1)![0];
const add = (q: QueueIndex, key: Key): void => { const b = encodeKey(key); q.add(b, 0, b.length); };
const remove = (q: QueueIndex, key: Key): void => { const b = encodeKey(key); q.remove(b, 0, b.length); };
const digits = (n: number): string => String(n).padStart(15, '0');

test('integer keys strictly between 0 and 999999999999999 are the queue without a prefix', () => {
  for (const n of [1, 2, 255, 256, 2 ** 32, 500000000000000, 999999999999998]) {
    assert.deepEqual(parse(n), [INT_QUEUE, n], String(n));
    assert.deepEqual(parse(BigInt(n)), [INT_QUEUE, n], `${n}n: the same key`);
  }
});

test('other integer keys are no queue\'s: 0, 999999999999999 and up, negatives, 2^50 and beyond', () => {
  const outside = [0, -0, 999999999999999, 1000000000000000, 2 ** 50 - 1, 2 ** 50, 2 ** 50 + 1, 2 ** 53, 2 ** 56, 2 ** 62,
    -1, -2, -500000000000000, -(2 ** 50), -(2 ** 63)];
  for (const n of outside) assert.equal(parse(n), null, String(n));
  // Beyond 2^56 or negative, with small low bytes: every byte of the int64 counts, not only the low seven.
  for (const n of [2n ** 56n + 5n, 2n ** 62n + 1n, -(2n ** 63n) + 5n, -(2n ** 56n) + 1n]) assert.equal(parse(n), null, `${n}n`);
});

test('keys of other types are no queue\'s, even with a queue key\'s bytes', () => {
  const b = Buffer.from('P-000000000000001');
  for (const k of [1.5, 2n ** 64n, b, [1], ['P-000000000000001'], true, null]) {
    assert.equal(parse(k), null, String(k));
  }
  // An INT of another length is malformed, never a queue key.
  const long = Buffer.concat([encodeKey(1), Buffer.from([0])]);
  assert.equal(QueueIndex.parse(long, 0, long.length), null);
  assert.equal(QueueIndex.parse(long, 0, 8), null);
});

test('text keys "prefix-" + 15 digits are the queue of that prefix', () => {
  assert.deepEqual(parse('P-000000000000042'), ['P', 42]);
  assert.deepEqual(parse(`queue-${digits(500000000000000)}`), ['queue', 500000000000000]);
  assert.deepEqual(parse('P-999999999999999'), ['P', 999999999999999]);
  assert.deepEqual(parse('P-000000000000000'), ['P', 0]);
  assert.deepEqual(parse('a-b-000000000000003'), ['a-b', 3], 'the prefix may hold dashes');
  assert.deepEqual(parse('P--000000000000003'), ['P-', 3]);
});

test('a multi-byte UTF-8 prefix is decoded whole', () => {
  assert.deepEqual(parse('é☃-000000000000001'), ['é☃', 1]);
  assert.deepEqual(parse(`😀x😀-${digits(123456789012345)}`), ['😀x😀', 123456789012345]);
});

test('the empty prefix is a queue of its own, apart from integer keys', () => {
  assert.deepEqual(parse('-000000000000001'), ['', 1]);
  assert.notEqual(INT_QUEUE, '');
});

test('text keys without exactly 15 digits after the last dash are no queue\'s', () => {
  const bad = [
    'P-00000000000004x', 'x-00000000000000x', 'P-0000000/0000001', 'P-:00000000000001', 'P-00000000000001 ',
    'P-00000000000001', // 14 digits
    'P-0000000000000001', // 16 digits: the character before the last 15 is a digit, not a dash
    'P_000000000000001', 'P000000000000001', '000000000000001', '-00000000000001', '', 'P-',
    'P-٠٠٠٠٠٠٠٠٠٠٠٠٠٠١', // Arabic-Indic digits are not ASCII digits
  ];
  for (const k of bad) assert.equal(parse(k), null, JSON.stringify(k));
});

test('parse reads only b[start, end), in any buffer and at any offset', () => {
  const cases: [Key, [string | null, number] | null][] = [
    [7, [INT_QUEUE, 7]], [999999999999998, [INT_QUEUE, 999999999999998]], [0, null],
    ['P-000000000000042', ['P', 42]], ['é☃-000000000000001', ['é☃', 1]], ['-000000000000009', ['', 9]],
    ['P-00000000000004x', null],
  ];
  for (const [key, expected] of cases) {
    const enc = encodeKey(key);
    for (const offset of [1, 5, 16, 100]) {
      // Surrounded by digits and dashes: reading one byte too far either way would change the answer.
      for (const fill of ['0', '-', '\u0001']) {
        const big = Buffer.alloc(offset + enc.length + 20, fill);
        enc.copy(big, offset);
        assert.deepEqual(QueueIndex.parse(big, offset, offset + enc.length), expected, `${String(key)} at ${offset}, ${JSON.stringify(fill)} around`);
        // A Uint8Array view that does not start at its ArrayBuffer's first byte.
        const view = new Uint8Array(big.buffer, big.byteOffset + 1, big.length - 1);
        assert.deepEqual(QueueIndex.parse(view, offset - 1, offset - 1 + enc.length), expected, `${String(key)} in a view`);
        const sub = new Uint8Array(big.buffer, big.byteOffset + offset, enc.length);
        assert.deepEqual(QueueIndex.parse(sub, 0, enc.length), expected, `${String(key)} as a view at ${offset}`);
      }
    }
  }
});

test('QueueIndex.encodeKey makes the keys parse reads back', () => {
  for (const [prefix, n] of [[null, 1], [null, 500000000000000], [null, 999999999999998], ['P', 0], ['é☃', 42], ['', 7]] as const) {
    const b = QueueIndex.encodeKey(prefix, n);
    assert.deepEqual(QueueIndex.parse(b, 0, b.length), [prefix ?? INT_QUEUE, n]);
  }
  assert.deepEqual(QueueIndex.encodeKey('P', 42), encodeKey('P-000000000000042'));
  assert.deepEqual(QueueIndex.encodeKey(null, 42), encodeKey(42));
});

test('each queue keeps its numbers sorted, whichever end or middle they arrive at', () => {
  const q = new QueueIndex();
  assert.equal(q.get(null), undefined);
  for (const n of [500, 501, 499, 502, 498, 700, 100, 300]) add(q, n);
  assert.deepEqual(q.get(null), [100, 300, 498, 499, 500, 501, 502, 700]);
  for (const n of [5, 3, 9, 1]) add(q, `P-${digits(n)}`);
  assert.deepEqual(q.get('P'), [1, 3, 5, 9]);
  add(q, `é☃-${digits(2)}`);
  add(q, `-${digits(4)}`);
  assert.deepEqual(q.get('é☃'), [2]);
  assert.deepEqual(q.get(''), [4]);
  assert.deepEqual(q.get(null), [100, 300, 498, 499, 500, 501, 502, 700], 'other queues are apart');
  assert.equal(q.get('Q'), undefined);
});

test('remove takes a number from the front, the back or the middle; an absent one is a no-op', () => {
  const q = new QueueIndex();
  for (const n of [1, 2, 3, 4, 5, 6]) add(q, n);
  remove(q, 1);
  assert.deepEqual(q.get(null), [2, 3, 4, 5, 6]);
  remove(q, 6);
  assert.deepEqual(q.get(null), [2, 3, 4, 5]);
  remove(q, 4);
  assert.deepEqual(q.get(null), [2, 3, 5]);
  remove(q, 4);
  remove(q, 100);
  remove(q, `P-${digits(3)}`);
  assert.deepEqual(q.get(null), [2, 3, 5]);
  for (const n of [2, 3, 5]) remove(q, n);
  assert.equal(q.get(null), undefined, 'an emptied queue is gone');
});

test('add and remove ignore keys that are no queue\'s', () => {
  const q = new QueueIndex();
  for (const k of [0, -5, 1.5, 'hello', 'P-00000000000001', Buffer.from('x'), 999999999999999]) add(q, k);
  assert.equal(q.get(null), undefined);
  assert.equal(q.get('P'), undefined);
  add(q, 10);
  remove(q, 'hello');
  remove(q, 0);
  assert.deepEqual(q.get(null), [10]);
});

test('add and remove at offsets inside a larger buffer', () => {
  const q = new QueueIndex();
  const big = Buffer.alloc(200, '9');
  const enc = encodeKey(`é☃-${digits(77)}`);
  enc.copy(big, 50);
  q.add(big, 50, 50 + enc.length);
  assert.deepEqual(q.get('é☃'), [77]);
  q.remove(big, 50, 50 + enc.length);
  assert.equal(q.get('é☃'), undefined);
});

test('random adds and removes keep every queue equal to its sorted numbers', () => {
  const next = mulberry32(11);
  const prefixes = [null, 'P', 'é☃', ''] as const;
  const q = new QueueIndex();
  const model = new Map<string | null, Set<number>>(prefixes.map((p) => [p, new Set()]));
  const keyOf = (p: string | null, n: number): Key => (p === null ? n : `${p}-${digits(n)}`);
  for (let i = 0; i < 20_000; i++) {
    const p = prefixes[Math.floor(next() * prefixes.length)];
    const set = model.get(p)!;
    const sorted = [...set].sort((a, b) => a - b);
    const r = next();
    if (set.size === 0 || r < 0.55) {
      // Mostly at the ends (push), sometimes anywhere; never a number already there (keys are unique).
      let n: number;
      do {
        const at = next();
        n = sorted.length === 0 ? 1 + Math.floor(next() * 1000) : at < 0.4 ? sorted[sorted.length - 1] + 1 : at < 0.7 ? sorted[0] - 1 : 1 + Math.floor(next() * 2000);
      } while (set.has(n) || n < 1);
      add(q, keyOf(p, n));
      set.add(n);
    } else {
      const at = next();
      const n = at < 0.4 ? sorted[0] : at < 0.7 ? sorted[sorted.length - 1] : sorted[Math.floor(next() * sorted.length)];
      remove(q, keyOf(p, n));
      set.delete(n);
    }
    if (i % 10 === 0 || i === 19_999) {
      for (const [prefix, numbers] of model) {
        const expected = [...numbers].sort((a, b) => a - b);
        assert.deepEqual(q.get(prefix), expected.length === 0 ? undefined : expected, `operation ${i}, queue ${prefix}`);
      }
    }
  }
});

test('clear() forgets every queue', () => {
  const q = new QueueIndex();
  add(q, 5);
  add(q, 'P-000000000000001');
  q.clear();
  assert.equal(q.get(null), undefined);
  assert.equal(q.get('P'), undefined);
  add(q, 6);
  assert.deepEqual(q.get(null), [6]);
});

// A regression: the integer queue's name was once '\u0000', which is also what the text key '\u0000-000000000000007'
// parses to, so the prefix '\u0000' and the integer queue shared one array. Through the Cache, push(v, { prefix:
// '\u0000' }) numbered its key after the integer queue's last, and a later pull() with no prefix spun forever on a
// number whose INT key did not exist.
test('the queue without a prefix is apart from every text prefix, "\\u0000" included', () => {
  assert.notDeepEqual(parse('\u0000-000000000000007'), [INT_QUEUE, 7]);
  const q = new QueueIndex();
  add(q, 5);
  add(q, '\u0000-000000000000007');
  assert.deepEqual(q.get(null), [5]);
  assert.deepEqual(q.get('\u0000'), [7]);
});
