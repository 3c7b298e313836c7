/**
 * Child-process HTTP servers for the framework-store tests: each app in test/ecosystem/apps listens on 127.0.0.1
 * (port 0), prints `listening <port>` and serves until killed.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { ROOT } from './helpers.js';

export interface Server {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Everything the server wrote to stderr so far (for assertion messages). */
  stderr(): string;
}

/**
 * Starts `node --import tsx test/ecosystem/apps/<app> ...args`; resolves once it listens (rejects if it exits or
 * says nothing within 60 s). Killed when the test ends.
 */
export function startServer(t: TestContext, app: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/ecosystem/apps', app), ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${app} did not start in 60 s\n${err}`)); }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${m[1]}`, stderr: () => err });
      }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${app} exited with ${code}\n${err}`)); });
  });
}
