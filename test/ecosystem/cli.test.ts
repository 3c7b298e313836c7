/**
 * The `logcache` command (src/cli/), run in-process through main() with captured output; package.test.ts runs
 * the built bin/logcache.mjs as a user's `npx logcache` would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cache } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { formatBytes } from '../../src/cli/format.js';
import { tempDir } from './helpers.js';

interface Run { code: number; out: string; err: string; bytes: Buffer }

/** Runs the command in-process; `stdin` lines are what a terminal user types (none: stdin is not a terminal). */
function cli(args: string[], opts: { tty?: boolean; stdin?: string[] } = {}): Run {
  const out: Buffer[] = [];
  let err = '';
  const lines = opts.stdin ? [...opts.stdin] : null;
  const code = main(args, {
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s)) },
    stderr: { write: (s: string) => { err += s; }, isTTY: opts.tty ?? false },
    stdin: { isTTY: lines !== null, readLine: () => lines?.shift() ?? null },
  });
  const bytes = Buffer.concat(out);
  return { code, out: bytes.toString('utf8'), err, bytes };
}

function json(r: Run): any {
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

/** A Cache directory with a few kinds of keys and values. */
function sample(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  const c = new Cache(dir);
  c.set('user:1', 'Ada');
  c.set(42, { n: 42 }, { expire: 3600, tag: 'numbers' });
  c.set(['tuple', 1], [1, 2, 3]);
  c.set(Buffer.from([0, 1, 2]), Buffer.from('raw bytes'));
  c.set('big', 'x'.repeat(100_000)); // stored in a value file
  c.close();
  return dir;
}

/** Every file under `dir` with its size (what a read-only command must leave alone). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${fs.statSync(p).size}`);
    }
  };
  walk(dir);
  return out.sort();
}

test('stats reports items, bytes and settings, as text and as JSON', (t) => {
  const dir = sample(t);
  const text = cli(['stats', dir]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /kind +Cache\n/);
  assert.match(text.out, /items +5 /);
  assert.match(text.out, /statistics +off/);
  const s = json(cli(['stats', '--json', dir]));
  assert.equal(s.kind, 'Cache');
  assert.equal(s.count, 5);
  assert.ok(s.volume > 100_000, `volume ${s.volume}`);
  assert.equal(s.settings.evictionPolicy, 'least-recently-stored');
});

test('stats, keys, get and check change nothing in the directory', (t) => {
  const dir = sample(t);
  const before = snapshot(dir);
  for (const args of [['stats'], ['keys'], ['get', 'user:1'], ['check'], ['stats', '--json']]) {
    assert.equal(cli([...args, dir]).code, 0, args.join(' '));
  }
  assert.deepEqual(snapshot(dir), before);
});

test('a FanoutCache directory is opened shard by shard, sub-collections are listed', (t) => {
  const dir = tempDir(t);
  // FanoutCache's layout: a Cache per shard in 000, 001, ...; sub-collections under cache/, deque/, index/.
  for (let i = 0; i < 4; i++) {
    const c = new Cache(path.join(dir, String(i).padStart(3, '0')));
    c.set(`key-${i}`, i);
    c.close();
  }
  const sub = new Cache(path.join(dir, 'cache', 'sessions'));
  sub.set('s', 1);
  sub.close();
  const s = json(cli(['stats', '--json', dir]));
  assert.equal(s.kind, 'FanoutCache');
  assert.equal(s.shards, 4);
  assert.equal(s.count, 4);
  assert.deepEqual(s.collections.map((c: { kind: string; name: string; count: number }) => [c.kind, c.name, c.count]), [['cache', 'sessions', 1]]);
  assert.deepEqual(json(cli(['keys', '--json', dir])), ['key-0', 'key-1', 'key-2', 'key-3']);
  assert.equal(cli(['get', 'key-2', dir]).out, '2\n');
  assert.deepEqual(json(cli(['check', '--json', dir])).warnings, []);
  assert.equal(json(cli(['clear', '--json', '--yes', dir])).removed, 4);
});

test('keys lists keys in insertion order: strings as-is, other keys as JSON; --limit and --json', (t) => {
  const dir = sample(t);
  const r = cli(['keys', dir]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.trimEnd().split('\n'), ['user:1', '42', '["tuple",1]', '{"$bytes":"AAEC"}', 'big']);
  assert.deepEqual(cli(['keys', '--limit', '2', dir]).out, 'user:1\n42\n');
  assert.deepEqual(json(cli(['keys', '--json', dir])), ['user:1', 42, ['tuple', 1], { $bytes: 'AAEC' }, 'big']);
});

test('get prints a value; --json-key takes non-string keys; a missing key exits 1', (t) => {
  const dir = sample(t);
  assert.equal(cli(['get', 'user:1', dir]).out, 'Ada\n');
  assert.equal(cli(['get', '--json-key', '["tuple",1]', dir]).out, '[ 1, 2, 3 ]\n');
  assert.deepEqual(cli(['get', '--json-key', '{"$bytes":"AAEC"}', dir]).bytes, Buffer.from('raw bytes'));
  assert.equal(cli(['get', 'big', dir]).out.length, 100_001);
  const item = json(cli(['get', '--json', '--json-key', '42', dir]));
  assert.deepEqual(item.value, { n: 42 });
  assert.equal(item.tag, 'numbers');
  assert.ok(item.expireTime > Date.now() / 1000, 'expireTime in seconds since the epoch');
  const miss = cli(['get', 'nobody', dir]);
  assert.equal(miss.code, 1);
  assert.match(miss.err, /key not found: nobody/);
  assert.equal(cli(['get', '--json-key', '{not json', dir]).code, 2);
});

test('check finds a flipped byte (exit 1), check --fix repairs it, and check is clean afterwards', (t) => {
  const dir = tempDir(t);
  const c = new Cache(dir);
  for (let i = 0; i < 50; i++) c.set(`k${i}`, `value-${i}-${'v'.repeat(40)}`);
  c.close();
  assert.equal(cli(['check', dir]).code, 0);
  const log = fs.readdirSync(dir).find((n) => n.endsWith('.log'))!;
  const bytes = fs.readFileSync(path.join(dir, log));
  const at = bytes.indexOf('value-25-');
  assert.ok(at > 0);
  bytes[at + 3] ^= 0xff;
  fs.writeFileSync(path.join(dir, log), bytes);
  const found = cli(['check', dir]);
  assert.equal(found.code, 1, found.out);
  assert.match(found.out, /CorruptionWarning: corrupt frame/);
  assert.match(found.out, /run with --fix/);
  const fixed = cli(['check', '--fix', dir]);
  assert.equal(fixed.code, 0, fixed.out + fixed.err);
  assert.match(fixed.out, /repaired/);
  const after = json(cli(['check', '--json', dir]));
  assert.equal(after.ok, true);
  assert.equal(cli(['get', 'k24', dir]).out, `value-24-${'v'.repeat(40)}\n`);
});

test('compact drops dead records and reports the bytes before and after', (t) => {
  const dir = tempDir(t);
  const c = new Cache(dir, { compactMinBytes: 0 });
  for (let i = 0; i < 2000; i++) c.set(`k${i}`, 'x'.repeat(200));
  for (let i = 0; i < 1900; i++) c.delete(`k${i}`);
  c.close();
  const r = json(cli(['compact', '--json', dir]));
  assert.ok(r.bytesAfter < r.bytesBefore / 4, `${r.bytesBefore} -> ${r.bytesAfter}`);
  assert.equal(r.shards[0].items, 100);
  assert.match(cli(['compact', dir]).out, /100 items/);
  assert.equal(json(cli(['stats', '--json', dir])).count, 100);
});

test('clear removes every item once confirmed: --yes, or "y" at the terminal; with stdin not a terminal it needs --yes', (t) => {
  const dir = sample(t);
  const piped = cli(['clear', dir]);
  assert.equal(piped.code, 2);
  assert.match(piped.err, /--yes/);
  const declined = cli(['clear', dir], { stdin: ['n'] });
  assert.equal(declined.code, 1);
  assert.match(declined.err, /remove all 5 item\(s\) from .*\? \[y\/N\] nothing removed/);
  const eof = cli(['clear', dir], { stdin: [] });
  assert.equal(eof.code, 1);
  assert.equal(json(cli(['stats', '--json', dir])).count, 5, 'nothing removed yet');
  assert.equal(cli(['clear', dir], { stdin: ['y'] }).out, 'removed 5 item(s)\n');
  assert.equal(json(cli(['stats', '--json', dir])).count, 0);
  const again = sample(t);
  assert.equal(cli(['clear', '--yes', again]).out, 'removed 5 item(s)\n');
  assert.equal(json(cli(['clear', '--json', '-y', again])).removed, 0);
});

test('get says when the key is there but its value file is missing; get --json of a missing key prints found: false', (t) => {
  const dir = sample(t);
  const valueFiles = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.val'));
  assert.equal(valueFiles.length, 1, `one value file (the 'big' value): ${valueFiles}`);
  fs.unlinkSync(path.join(dir, valueFiles[0]));
  const gone = cli(['get', 'big', dir]);
  assert.equal(gone.code, 1);
  assert.match(gone.err, /^big: its value file is missing or unreadable/);
  assert.doesNotMatch(gone.err, /key not found/);
  const goneJson = cli(['get', '--json', 'big', dir]);
  assert.equal(goneJson.code, 1);
  assert.deepEqual(Object.keys(JSON.parse(goneJson.out)), ['key', 'found', 'error']);
  const miss = cli(['get', '--json', 'nobody', dir]);
  assert.equal(miss.code, 1);
  assert.deepEqual(JSON.parse(miss.out), { key: 'nobody', found: false });
  assert.equal(json(cli(['get', '--json', 'user:1', dir])).found, true);
});

test('read-only commands leave the hit/miss counters and the access times as they were', (t) => {
  const dir = sample(t);
  const app = new Cache(dir, { evictionPolicy: 'least-recently-used' });
  app.stats({ enable: true });
  app.get('user:1');
  app.get('nobody');
  app.close();
  const sidecar = () => fs.readFileSync(path.join(dir, 'access.bin'));
  const before = sidecar();
  for (const args of [['get', 'user:1'], ['get', 'nobody'], ['get', '--json-key', '42'], ['stats'], ['keys'], ['check'], ['stats', '--json']]) cli([...args, dir]);
  assert.deepEqual(sidecar(), before);
  const again = new Cache(dir);
  assert.deepEqual(again.stats({ enable: true }), [1, 1]);
  again.close();
  assert.equal(json(cli(['stats', '--json', dir])).hits, 1);
});

test('compact removes expired items, and compacting a store with nothing to reclaim leaves it as it was', (t) => {
  const dir = tempDir(t);
  const c = new Cache(dir, { cullLimit: 0 }); // no expired item is removed by a set
  for (let i = 0; i < 400; i++) c.set(`short${i}`, 'x'.repeat(50), { expire: 0.05 });
  for (let i = 0; i < 100; i++) c.set(`long${i}`, 'y'.repeat(50));
  c.close();
  const until = Date.now() + 100;
  while (Date.now() < until) { /* let the short items expire */ }
  const r = json(cli(['compact', '--json', dir]));
  assert.equal(r.expired, 400);
  assert.equal(r.shards[0].items, 100);
  assert.ok(r.bytesAfter < r.bytesBefore, `${r.bytesBefore} -> ${r.bytesAfter}`);
  assert.equal(json(cli(['stats', '--json', dir])).count, 100);

  const clean = tempDir(t);
  const d = new Cache(clean);
  for (let i = 0; i < 2000; i++) d.set(`k${i}`, `v${i}`);
  d.close();
  assert.match(cli(['compact', clean]).out, /2000 items, [\d.]+ KiB -> [\d.]+ KiB/, 'ITEMs are shorter than the records they replace');
  const files = snapshot(clean);
  const text = cli(['compact', clean]);
  assert.match(text.out, /2000 items, nothing to reclaim/);
  assert.deepEqual(snapshot(clean), files);
  const s = json(cli(['stats', '--json', clean]));
  assert.ok(s.volume <= s.logBytes, `live ${s.volume} <= log ${s.logBytes}`);
});

test('bench times set/get/delete in a temporary cache and removes it', (t) => {
  const parent = tempDir(t);
  const r = json(cli(['bench', '--json', '--count', '200', '--size', '64', parent]));
  assert.deepEqual(r.rows.map((row: { action: string }) => row.action), ['set', 'get', 'get (miss)', 'delete']);
  for (const row of r.rows) {
    assert.equal(row.count, 200);
    assert.ok(row.median > 0 && row.p99 >= row.median && row.max >= row.p99, JSON.stringify(row));
  }
  assert.equal(r.rows[1].miss, 0);
  assert.equal(r.rows[2].miss, 200);
  assert.deepEqual(fs.readdirSync(parent), []);
  const text = cli(['bench', '--count', '50', parent]);
  assert.match(text.out, /Action +Count +Miss +Median +P90 +P99 +Max +Total +ops\/s/);
});

test('the progress bar is drawn on stderr with --progress, and never into --json output or a pipe', (t) => {
  const dir = sample(t);
  const forced = cli(['check', '--progress', dir]);
  assert.match(forced.err, /\r(opening|checking) +\[#+\] 100% /);
  assert.ok(forced.err.endsWith('\n'));
  // Each phase's total is the bytes that phase reads: the log once, not the log twice.
  const log = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const total = formatBytes(log).replace('.', '\\.');
  assert.match(forced.err, new RegExp(`\\rchecking +\\[#+\\] 100% ${total}/${total} `));
  assert.equal(cli(['check', dir]).err, '', 'stderr is not a terminal: no bar');
  const j = cli(['compact', '--json', dir], { tty: true });
  assert.equal(j.err, '');
  JSON.parse(j.out);
});

test('usage errors exit 2 and create nothing', (t) => {
  const parent = tempDir(t);
  const missing = path.join(parent, 'nope');
  const r = cli(['stats', missing]);
  assert.equal(r.code, 2);
  assert.match(r.err, /no such directory/);
  assert.equal(fs.existsSync(missing), false);
  const empty = path.join(parent, 'empty');
  fs.mkdirSync(empty);
  assert.match(cli(['keys', empty]).err, /not a logcache directory/);
  assert.deepEqual(fs.readdirSync(empty), []);
  assert.equal(cli(['frobnicate', empty]).code, 2);
  assert.equal(cli([]).code, 2);
  assert.equal(cli(['stats']).code, 2);
  assert.equal(cli(['bench', '--count', 'many', os.tmpdir()]).code, 2);
  assert.match(cli(['stats', '--jsn', empty]).err, /unknown option --jsn/);
  const help = cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /usage: logcache <command>/);
  assert.match(cli(['--version']).out, /^\d+\.\d+\.\d+/);
});
