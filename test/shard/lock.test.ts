/**
 * The structural steps' lock (src/shard/lock.ts): a holder proven dead is taken over at once; a holder that may be
 * alive (a pid of another pid namespace, one that runs) is not, whatever its pid looks like from here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { tryLock } from '../../src/shard/lock.js';
import { selfIdentity } from '../../src/shard/owner.js';
import { tmpdir } from '../torture/harness.js';

/** A pid no process has here (the highest pid Linux allows, plus one). */
const NO_SUCH_PID = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1;

/** The lock `name` in `dir` taken by someone else: its directory (fresh, so never stale) and an owner file. */
function takenBy(dir: string, name: string, ownerText: string): void {
  fs.mkdirSync(path.join(dir, `${name}.lock`));
  fs.writeFileSync(path.join(dir, `${name}.owner`), ownerText);
}

const me = selfIdentity();
const id = (pid: number, startTicks: number, pidNs = me.pidNs, bootId = me.bootId) => `${pid} ${startTicks} ${pidNs} ${bootId}`;

test('the holder writes its identity (pid, start time, pid namespace, boot id) beside the lock', (t) => {
  const dir = tmpdir(t, 'lock-id');
  const release = tryLock(dir, 'compact')!;
  assert.ok(release);
  assert.equal(fs.readFileSync(path.join(dir, 'compact.owner'), 'utf8'), id(process.pid, me.startTicks));
  release();
  assert.ok(!fs.existsSync(path.join(dir, 'compact.owner')));
  assert.ok(!fs.existsSync(path.join(dir, 'compact.lock')));
});

test('a holder whose process is gone is taken over at once', { skip: me.pidNs === 0 && 'no /proc identity here' }, (t) => {
  const dir = tmpdir(t, 'lock-dead');
  takenBy(dir, 'compact', id(NO_SUCH_PID, 12345));
  const release = tryLock(dir, 'compact');
  assert.ok(release, 'taken over');
  release!();
});

test('a reused pid (running, but started at another time) is a dead holder', { skip: me.pidNs === 0 && 'no /proc identity here' }, (t) => {
  const dir = tmpdir(t, 'lock-reused');
  takenBy(dir, 'compact', id(process.ppid, me.startTicks + 1e9));
  const release = tryLock(dir, 'compact');
  assert.ok(release, 'taken over');
  release!();
});

test('a holder in another pid namespace is never judged by its pid: the lock waits for its staleness', (t) => {
  const dir = tmpdir(t, 'lock-ns');
  // Its pid names no process here, which proves nothing about a process of another namespace (a container).
  takenBy(dir, 'compact', id(NO_SUCH_PID, 12345, me.pidNs + 1));
  assert.equal(tryLock(dir, 'compact'), null);
  assert.ok(fs.existsSync(path.join(dir, 'compact.owner')), 'left alone');
});

test('a running holder keeps the lock', (t) => {
  const dir = tmpdir(t, 'lock-alive');
  const ppidStart = Number(fs.readFileSync(`/proc/${process.ppid}/stat`, 'latin1').split(') ')[1]!.split(' ')[19]);
  takenBy(dir, 'compact', id(process.ppid, ppidStart));
  assert.equal(tryLock(dir, 'compact'), null);
});

test('an owner file of an older version (a bare pid) is judged by the pid, as it was', (t) => {
  const dir = tmpdir(t, 'lock-legacy');
  takenBy(dir, 'compact', String(NO_SUCH_PID));
  const release = tryLock(dir, 'compact');
  assert.ok(release);
  release!();
  const dir2 = tmpdir(t, 'lock-legacy-alive');
  takenBy(dir2, 'compact', String(process.ppid));
  assert.equal(tryLock(dir2, 'compact'), null);
});

test('before the holder names itself, its intent file decides: another namespace\'s is left alone', (t) => {
  const dir = tmpdir(t, 'lock-want');
  fs.mkdirSync(path.join(dir, 'compact.lock'));
  fs.writeFileSync(path.join(dir, `compact.want-${NO_SUCH_PID}`), id(NO_SUCH_PID, 1, me.pidNs + 1));
  assert.equal(tryLock(dir, 'compact'), null);
  assert.ok(fs.existsSync(path.join(dir, `compact.want-${NO_SUCH_PID}`)));
  fs.writeFileSync(path.join(dir, `compact.want-${NO_SUCH_PID}`), id(NO_SUCH_PID, 1));
  const release = tryLock(dir, 'compact');
  assert.ok(release, 'a want file of a dead process of this namespace: taken over');
  release!();
});

test('a holder in a real container (its own pid namespace, its own /proc) keeps the lock, though its pid names no process here', async (t) => {
  const probe = spawnSync('unshare', ['--fork', '--pid', '--mount-proc', 'true']);
  if (probe.status !== 0) return t.skip('unshare --pid is not permitted here');
  const dir = tmpdir(t, 'lock-container');
  const script = `import { tryLock } from ${JSON.stringify(new URL('../../src/shard/lock.ts', import.meta.url).pathname)};
    if (!tryLock(${JSON.stringify(dir)}, 'compact')) process.exit(3);
    console.log('locked ' + process.pid); setInterval(() => {}, 1000);`;
  // Inside, the holder gets a pid that names no process out here (ns_last_pid sets the namespace's next pid): judged
  // by its pid alone, as lock files were before, it would look dead from here and its lock would be taken.
  let holderPid = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')) - 1000;
  while (fs.existsSync(`/proc/${holderPid}`)) holderPid--;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('unshare', ['--fork', '--pid', '--mount-proc', '--kill-child=SIGKILL', 'sh', '-c',
    `echo ${holderPid - 1} > /proc/sys/kernel/ns_last_pid; ${node}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => { if (String(d).startsWith('locked')) resolve(String(d).trim()); });
    child.on('exit', (code) => reject(new Error(`holder exited (${code})`)));
  });
  const [pid, , pidNs] = fs.readFileSync(path.join(dir, 'compact.owner'), 'utf8').split(' ').map(Number);
  assert.equal(`locked ${pid}`, line, 'the holder wrote its pid as its namespace numbers it');
  assert.equal(pid, holderPid);
  assert.ok(!fs.existsSync(`/proc/${pid}`), 'a pid that names no process here');
  assert.notEqual(pidNs, me.pidNs, 'and its own pid namespace');
  assert.equal(tryLock(dir, 'compact'), null, 'not taken over from here');
});
