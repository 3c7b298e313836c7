/**
 * Issue 13, items 9 and 12 (invariant 8): names read from disk are checked against the format's shape before they
 * name a path; no read or delete leaves the directory, symbolic links included; `new Cache('')` is a TypeError; and
 * check({ fix: true }) deletes only files whose name is one of the format's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache, FanoutCache, LogcacheError } from '../../src/index.js';
import { MODE_BINARY_FILE } from '../../src/format/disk.js';
import { encodeKey } from '../../src/format/keys.js';
import { FLAG_FILE, OP_SET, encodeRecord } from '../../src/format/record.js';
import { PLAIN_SALT, saltFrame } from '../../src/format/frame.js';
import { damagedFileHeader } from '../../src/format/segment.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-names-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Appends to the active segment a SET of `key` whose value file is `name` (of `size` bytes), as the log would
 * carry it: what damage, or someone writing into the directory, can put there. */
function appendFileRecord(dir: string, key: string, name: string, size: number): void {
  const segment = path.join(dir, fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!);
  const { salt } = damagedFileHeader(fs.readFileSync(segment));
  const frame = encodeRecord(OP_SET, {
    writer: 0x4242, seq: 1, time: Date.now() / 1000, flags: FLAG_FILE, mode: MODE_BINARY_FILE, num2: size,
    key: encodeKey(key), value: Buffer.from(name),
  });
  fs.appendFileSync(segment, saltFrame(frame, PLAIN_SALT, salt));
}

/** The value of `key`, or the typed error reading it gave (never anything else). */
function read(c: Cache, key: string): unknown {
  try {
    return c.get(key);
  } catch (err) {
    assert.ok(err instanceof LogcacheError, `typed error, got ${String(err)}`);
    return err;
  }
}

test('a record naming a value file outside the directory: get misses, overwrite and fix leave the file alone', (t) => {
  const root = tmp(t);
  const dir = path.join(root, 'cache');
  const secret = path.join(root, 'outside', 'secret.txt');
  fs.mkdirSync(path.dirname(secret));
  fs.writeFileSync(secret, 'the secret');
  new Cache(dir).close();
  appendFileRecord(dir, 'k', '../outside/secret.txt', 'the secret'.length);
  appendFileRecord(dir, 'log', '0000000001.log', fs.statSync(path.join(dir, '0000000001.log')).size);
  const c = new Cache(dir);
  assert.equal(read(c, 'k'), undefined, 'get returned a file outside the directory');
  assert.equal(read(c, 'log'), undefined, 'get returned a log file as a value');
  const warnings = c.check();
  assert.ok(warnings.filter((w) => /not of the format's shape/.test(w.message)).length === 2, JSON.stringify(warnings));
  c.set('k', 'overwritten');
  c.delete('log');
  assert.equal(fs.readFileSync(secret, 'utf8'), 'the secret');
  assert.ok(fs.existsSync(path.join(dir, '0000000001.log')) || fs.readdirSync(dir).some((n) => n.endsWith('.base')));
  c.check({ fix: true });
  assert.equal(fs.readFileSync(secret, 'utf8'), 'the secret');
  assert.equal(c.get('k'), 'overwritten');
  c.close();
});

test('value files reached through a symbolic link are neither read nor deleted', (t) => {
  const root = tmp(t);
  const dir = path.join(root, 'cache');
  const outside = path.join(root, 'outside');
  const c = new Cache(dir);
  c.set('a', Buffer.alloc(40_000, 1));
  c.set('b', Buffer.alloc(40_000, 2));
  const names = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.val')).sort();
  assert.equal(names.length, 2);
  // 'a': its first directory swapped for a link to an outside tree holding a file of the same name and size.
  const [aName, bName] = names.map((n) => path.relative(dir, path.join(dir, n)));
  const aFile = fs.readFileSync(path.join(dir, aName)).equals(Buffer.alloc(40_000, 1)) ? aName : bName;
  const bFile = aFile === aName ? bName : aName;
  const top = aFile.split(path.sep)[0];
  fs.cpSync(path.join(dir, top), path.join(outside, top), { recursive: true });
  fs.writeFileSync(path.join(outside, aFile), Buffer.alloc(40_000, 9)); // what an outsider would have read back
  fs.rmSync(path.join(dir, top), { recursive: true });
  fs.symlinkSync(path.join(outside, top), path.join(dir, top));
  // 'b': the file itself swapped for a link to an outside file of the same size (unless b shares a's directory).
  const victim = path.join(root, 'victim.bin');
  fs.writeFileSync(victim, Buffer.alloc(40_000, 7));
  if (!bFile.startsWith(top + path.sep)) {
    fs.rmSync(path.join(dir, bFile));
    fs.symlinkSync(victim, path.join(dir, bFile));
  }
  const other = new Cache(dir);
  for (const key of ['a', 'b']) {
    const v = read(other, key);
    assert.ok(!(v instanceof Buffer && (v[0] === 9 || v[0] === 7)), `${key}: read a file outside the directory`);
  }
  other.set('a', 'replaced');
  other.set('b', 'replaced');
  other.check({ fix: true });
  assert.ok(fs.existsSync(path.join(outside, aFile)), 'a file outside the directory was deleted');
  assert.ok(fs.existsSync(victim), 'a symbolic link\'s target was deleted');
  assert.equal(other.get('a'), 'replaced');
  other.close();
  c.close();
});

test('a FanoutCache shard directory that is a symbolic link is refused', (t) => {
  const root = tmp(t);
  const dir = path.join(root, 'fan');
  fs.mkdirSync(dir);
  fs.mkdirSync(path.join(root, 'elsewhere'));
  fs.symlinkSync(path.join(root, 'elsewhere'), path.join(dir, '001'));
  assert.throws(() => new FanoutCache(dir, { shards: 2 }), { code: 'LOGCACHE_IO', message: /symbolic link/ });
  assert.deepEqual(fs.readdirSync(path.join(root, 'elsewhere')), []);
});

test('new Cache(\'\') and new FanoutCache(\'\') are TypeErrors and create nothing', (t) => {
  const cwd = tmp(t);
  const before = process.cwd();
  process.chdir(cwd);
  try {
    assert.throws(() => new Cache(''), TypeError);
    assert.throws(() => new FanoutCache(''), TypeError);
    assert.throws(() => new Cache('a\u0000b'), TypeError);
    assert.deepEqual(fs.readdirSync(cwd), []);
  } finally {
    process.chdir(before);
  }
});

test('check({ fix: true }) deletes only files the format names: a project\'s files stay, reported', (t) => {
  const dir = tmp(t);
  fs.writeFileSync(path.join(dir, 'package.json'), '{}');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'app.js'), 'x');
  fs.mkdirSync(path.join(dir, 'empty'));
  fs.mkdirSync(path.join(dir, 'ab', 'cd'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ab', 'cd', `${'0'.repeat(28)}.val`), 'orphan value file');
  fs.mkdirSync(path.join(dir, 'ef', '01'), { recursive: true });
  // Written an hour ago: check() spares files of writes that may still be in flight (issue 13 item 8).
  const old = new Date(Date.now() - 3_600_000);
  for (const f of ['package.json', 'src/app.js', `ab/cd/${'0'.repeat(28)}.val`]) fs.utimesSync(path.join(dir, f), old, old);
  const c = new Cache(dir);
  c.set('k', 'v');
  const warnings = c.check();
  for (const name of ['package.json', 'app.js', `${'0'.repeat(28)}.val`]) {
    assert.ok(warnings.some((w) => w.category === 'UnknownFileWarning' && w.message.endsWith(name)), `${name} reported`);
  }
  c.check({ fix: true });
  assert.equal(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'), '{}');
  assert.equal(fs.readFileSync(path.join(dir, 'src', 'app.js'), 'utf8'), 'x');
  assert.ok(fs.existsSync(path.join(dir, 'empty')), 'an empty directory the format did not name was removed');
  assert.ok(!fs.existsSync(path.join(dir, 'ab')), 'the orphan value file (and its directories) went');
  assert.ok(!fs.existsSync(path.join(dir, 'ef')), 'empty value directories went');
  const after = c.check();
  assert.deepEqual(after.map((w) => w.category).sort(), ['EmptyDirWarning', 'UnknownFileWarning', 'UnknownFileWarning']);
  assert.equal(c.get('k'), 'v');
  c.close();
});

test('log files and the access sidecar are never followed through a symbolic link out of the directory', (t) => {
  const root = tmp(t);
  const dir = path.join(root, 'cache');
  const c = new Cache(dir, { evictionPolicy: 'least-recently-used' });
  c.set('k', 'v');
  c.get('k');
  c.close();
  const outside = path.join(root, 'outside.bin');
  fs.writeFileSync(outside, Buffer.alloc(4096, 7));
  fs.rmSync(path.join(dir, 'access.bin'));
  fs.symlinkSync(outside, path.join(dir, 'access.bin'));
  const other = new Cache(dir, { evictionPolicy: 'least-recently-used' });
  read(other, 'k');
  try { other.set('k2', 'v2'); } catch (err) { assert.ok(err instanceof LogcacheError, String(err)); }
  other.close();
  assert.deepEqual(fs.readFileSync(outside), Buffer.alloc(4096, 7), 'the access sidecar wrote through a link');
  const segment = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).sort().at(-1)!;
  fs.renameSync(path.join(dir, segment), path.join(root, 'moved.log'));
  fs.symlinkSync(path.join(root, 'moved.log'), path.join(dir, segment));
  const before = fs.readFileSync(path.join(root, 'moved.log'));
  assert.throws(() => new Cache(dir), (err) => err instanceof LogcacheError);
  assert.deepEqual(fs.readFileSync(path.join(root, 'moved.log')), before);
});
