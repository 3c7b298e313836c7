/**
 * The original library on the same workload: shared/bench-peers/diskcache_core.py
 * run with Debian's python3-diskcache, whose JSON rows fold into our table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ImplResults } from './types.js';

export const PYTHON = '/usr/bin/python3';
/** `../shared/bench-peers/diskcache_core.py` relative to the repo root. */
export const PEER_SCRIPT = fileURLToPath(new URL('../../../shared/bench-peers/diskcache_core.py', import.meta.url));

/** The installed diskcache version (python3 started once), or why the peer cannot run. */
export function probePeer(): { version: string } | { unavailable: string } {
  if (!fs.existsSync(PEER_SCRIPT)) return { unavailable: `peer harness not found at ${PEER_SCRIPT}` };
  const r = spawnSync(PYTHON, ['-c', 'import diskcache; print(diskcache.__version__)'], { encoding: 'utf8' });
  if (r.status !== 0) return { unavailable: `${PYTHON} cannot import diskcache (apt-get install python3-diskcache)` };
  return { version: r.stdout.trim() };
}

/** Run the peer harness for one process count; its stdout is one JSON object. */
export function runPeer(procs: number, ops: number, kinds: readonly string[], dir: string, timeoutMs: number): ImplResults {
  const out = execFileSync(PYTHON, [PEER_SCRIPT, '--procs', String(procs), '--ops', String(ops), '--kinds', kinds.join(','), '--dir', dir], {
    encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20,
  });
  return JSON.parse(out) as ImplResults;
}
