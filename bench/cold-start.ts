/**
 * Cold start: what loading the built package costs a new process, over a bare `node -e 0`: `require('logcache')`
 * (dist/index.cjs), `import('logcache')` (dist/index.js), and the import plus a first Cache open, set and get.
 * The variants run in turn, `runs` times each, each in a fresh process that reports the time since it started
 * (`performance.now()`) and its CPU time (`process.cpuUsage()`). Per variant: the median and the minimum, and the
 * median over bare node's median (the figure the target, ≤ 15 ms, is about). CPU time is given because on a busy
 * machine wall time mostly measures the wait for a core.
 *
 * A reference row, `import` of an empty ES module, shows what any `import()` of a file costs over `node -e 0` (Node's
 * ES module loader, loaded at the first import): the part of the `import('logcache')` figure that is not the package.
 *
 * LOGCACHE_COLD_START_DIR=<folder holding index.cjs and index.js> measures another build (an older release, say).
 * LOGCACHE_COLD_START_BASE=<folder> adds that build's `require` and `import` as rows of the same run, in turn with the
 * others (a paired before/after: on a shared machine two runs minutes apart differ by more than most changes).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mdTable, section } from './lib/markdown.js';
import { median } from './lib/stats.js';

export const COLD_START_TARGET_MS = 15;

export interface ColdStartRow {
  variant: string;
  wall_median_ms: number;
  wall_min_ms: number;
  cpu_median_ms: number;
  /** Medians minus bare node's medians. */
  wall_over_bare_ms: number;
  cpu_over_bare_ms: number;
}

export interface ColdStartSection {
  workload: 'cold-start';
  runs: number;
  dist: string;
  rows: ColdStartRow[];
  target_ms: number;
  /** Whether `require('logcache')` costs at most the target over bare node (wall-time medians): issue 16's target. */
  met: boolean;
}

const REPORT = ";const u = process.cpuUsage(); console.log(JSON.stringify([performance.now(), (u.user + u.system) / 1000]));";

const REQUIRE = "require('logcache')";
const IMPORT = "import('logcache')";

const BASE_SUFFIX = ' (baseline build)';

function variants(dist: string, empty: string, base: string | undefined): [string, string[]][] {
  const cjs = JSON.stringify(path.join(dist, 'index.cjs'));
  const esm = JSON.stringify(path.join(dist, 'index.js'));
  const firstUse = `const { Cache } = await import(${esm}); const fs = await import('node:fs'); const os = await import('node:os');
    const dir = fs.mkdtempSync(os.tmpdir() + '/logcache-cold-'); const c = new Cache(dir); c.set('k', { v: 1 }); c.get('k'); c.close();
    fs.rmSync(dir, { recursive: true })`;
  const baseline: [string, string[]][] = base === undefined ? [] : [
    [`${REQUIRE}${BASE_SUFFIX}`, ['-e', `require(${JSON.stringify(path.join(base, 'index.cjs'))})${REPORT}`]],
    [`${IMPORT}${BASE_SUFFIX}`, ['--input-type=module', '-e', `await import(${JSON.stringify(path.join(base, 'index.js'))})${REPORT}`]],
  ];
  return [
    ['bare node', ['-e', `0${REPORT}`]],
    ['import of an empty ES module', ['--input-type=module', '-e', `await import(${JSON.stringify(empty)})${REPORT}`]],
    [REQUIRE, ['-e', `require(${cjs})${REPORT}`]],
    [IMPORT, ['--input-type=module', '-e', `await import(${esm})${REPORT}`]],
    ...baseline,
    ['import + open, set, get', ['--input-type=module', '-e', `${firstUse}${REPORT}`]],
  ];
}

export function runColdStart(runs: number): ColdStartSection {
  const dist = process.env['LOGCACHE_COLD_START_DIR'] ?? fileURLToPath(new URL('../dist/', import.meta.url));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'logcache-cold-empty-'));
  const empty = path.join(scratch, 'empty.mjs');
  fs.writeFileSync(empty, 'export {};\n');
  const base = process.env['LOGCACHE_COLD_START_BASE'];
  const list = variants(dist, empty, base === undefined ? undefined : path.resolve(base));
  const samples = list.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  // Every Node process reads NODE_EXTRA_CA_CERTS at start (~50 ms here, and as noisy): not the package's cost, and
  // not set for most users. The children run without it.
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  for (let i = 0; i < runs; i++) {
    list.forEach(([name, args], v) => {
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', env });
      if (r.status !== 0) throw new Error(`cold start (${name}) failed:\n${r.stderr}`);
      const [wall, cpu] = JSON.parse(r.stdout.trim().split('\n').pop()!) as [number, number];
      samples[v].wall.push(wall);
      samples[v].cpu.push(cpu);
    });
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  const bare = { wall: median(samples[0].wall), cpu: median(samples[0].cpu) };
  const rows = list.map(([variant], v) => {
    const wall = median(samples[v].wall);
    const cpu = median(samples[v].cpu);
    return {
      variant, wall_median_ms: wall, wall_min_ms: Math.min(...samples[v].wall), cpu_median_ms: cpu,
      wall_over_bare_ms: wall - bare.wall, cpu_over_bare_ms: cpu - bare.cpu,
    };
  });
  const met = rows.filter((r) => r.variant === REQUIRE).every((r) => r.wall_over_bare_ms <= COLD_START_TARGET_MS);
  // The build measured, relative to the working directory when it lies inside it (results name no machine path).
  const shown = path.relative(process.cwd(), dist);
  return { workload: 'cold-start', runs, dist: shown.startsWith('..') ? dist : shown || '.', rows, target_ms: COLD_START_TARGET_MS, met };
}

export function renderColdStart(s: ColdStartSection): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const rows = s.rows.map((r) => [r.variant, ms(r.wall_median_ms), ms(r.wall_min_ms), ms(r.wall_over_bare_ms), ms(r.cpu_median_ms), ms(r.cpu_over_bare_ms)]);
  const table = mdTable(['Variant', 'Wall median', 'Wall min', 'Wall over bare', 'CPU median', 'CPU over bare'], rows);
  const over = (v: string) => s.rows.find((r) => r.variant === v)?.wall_over_bare_ms ?? NaN;
  const loader = over('import of an empty ES module');
  const cpuOver = (v: string) => s.rows.find((r) => r.variant === v)?.cpu_over_bare_ms ?? NaN;
  const paired = s.rows.some((r) => r.variant.endsWith(BASE_SUFFIX))
    ? [REQUIRE, IMPORT].map((v) => `${v} against the baseline build, same run: wall ${ms(over(v) - over(`${v}${BASE_SUFFIX}`))}, CPU ${ms(cpuOver(v) - cpuOver(`${v}${BASE_SUFFIX}`))}`)
    : [];
  return section(`Cold start (${s.runs} runs each, ${s.dist})`, table, [
    `target (issue 16): require within ${s.target_ms} ms of bare node (wall medians): ${s.met ? 'met' : 'NOT met'}`,
    `import: ${ms(over(IMPORT))} over bare node, ${ms(over(IMPORT) - loader)} over an empty ES module's import (${ms(loader)}: Node's ES module loader)`,
    ...paired,
  ]);
}
