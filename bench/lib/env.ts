/** What the numbers were measured on: printed first, saved with the JSON. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface BenchEnv {
  logcache: string;
  node: string;
  cpu: string;
  cpus: number;
  os: string;
  /** File system type of the bench directory (`stat -f -c %T`), or 'unknown'. */
  fs: string;
  dir: string;
  date: string;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function fsType(dir: string): string {
  try {
    return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Describe this machine and the directory the caches will live in. */
export function describeEnv(dir: string): BenchEnv {
  const cpus = os.cpus();
  return {
    logcache: packageVersion(),
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    fs: fsType(dir),
    dir,
    date: new Date().toISOString(),
  };
}
