/** Error codes: one table (ERROR_CODES), every code LOGCACHE_-prefixed, every class's code in it, docs/errors.md in step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ClosedError, CorruptionError, ERROR_CODES, IOError, InTransactionError, IndexError, KeyError, LogcacheError, NewerFormatError,
  SqliteMissingError, Timeout, TransactionAborted,
} from '../../src/index.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md');

test("every code is LOGCACHE_-prefixed (never Node's ERR_*), and every error class carries one from the table", () => {
  const codes = Object.keys(ERROR_CODES);
  for (const code of codes) assert.match(code, /^LOGCACHE_[A-Z_]+$/);
  const errors: LogcacheError[] = [
    new KeyError('k'), new IndexError('i'), new Timeout(), new ClosedError(), new CorruptionError('f', 0, 1, 'r'),
    new IOError('io', Object.assign(new Error('x'), { code: 'EIO' })), new SqliteMissingError(),
    new TransactionAborted(), new InTransactionError('compact()'), new NewerFormatError('0000000001.log', 3, 2),
  ];
  assert.deepEqual(errors.map((e) => e.code).sort(), [...codes].sort(), 'one class per code, no code unused');
  for (const e of errors) {
    assert.ok(e instanceof LogcacheError);
    assert.equal(e.name, e.constructor.name);
    assert.ok(ERROR_CODES[e.code].startsWith(`${e.name}:`), `${e.code} describes ${e.name}`);
  }
});

test('docs/errors.md lists every code with its class', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  for (const [code, description] of Object.entries(ERROR_CODES)) {
    const cls = description.split(':')[0];
    assert.match(doc, new RegExp(`\\| \`${code}\` \\| \`${cls}\``), `${code} (${cls}) in docs/errors.md`);
  }
  assert.doesNotMatch(doc, /`ERR_[A-Z_]+`/);
});
