/** Shared by the ecosystem tests: temporary directories, child processes, PATH look-ups. */
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export { tempDir } from '../fixtures/tmp.js';

/** The full path of `cmd` on PATH, or null. */
export function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!d) continue;
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

/** `node` with the package's `logcache-source` export condition and tsx: `import 'logcache'` runs src/. */
export const NODE_SOURCE_ARGS = ['--conditions=logcache-source', '--import', 'tsx'];

/** Runs `node ...args` (this Node unless `node` is given) and returns its output; never throws on exit code. */
export function runNode(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(opts.node ?? process.execPath, args, {
    cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeout ?? 60_000,
  });
}

/** As runNode, without blocking the event loop (several at once). */
export function runNodeAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string; timeout?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.node ?? process.execPath, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Explains a failed child process in an assertion message. */
export function explain(r: { status: number | null; stdout: string; stderr: string }): string {
  return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** True when no directory from `dir` up to the root holds a node_modules (so nothing can be resolved from it). */
export function noNodeModulesAbove(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return false;
    if (path.dirname(d) === d) return true;
  }
}
