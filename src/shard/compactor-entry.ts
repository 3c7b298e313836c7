/**
 * Where the background compactor's process starts from: its entry file beside the module that loads this one, and the
 * Node flags it needs (compactor.ts starts it). Asked when a shard opens (whether it compacts in the background or in
 * its own calls), so it is apart from the compactor's client, which is loaded only when a compaction draws near.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Node flags that load code (a TypeScript loader when running from source): the child needs them too. */
const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'];

let entryCache: { file: string; execArgv: string[] } | null | undefined;

/**
 * The child's entry file beside this module (dist/esm/compactor-main.js, dist/cjs/compactor-main.cjs, or the
 * TypeScript source), or null when there is none (this module was bundled into a single file): compaction then
 * runs inside the writing process, as before background compaction existed.
 */
export function compactorEntry(): { file: string; execArgv: string[] } | null {
  if (entryCache !== undefined) return entryCache;
  entryCache = null;
  for (const name of ['compactor-main.js', 'compactor-main.cjs', 'compactor-main.ts']) {
    let file: string;
    try {
      // import.meta.url in ESM; the CommonJS build has no import.meta, and __filename instead.
      const here = (import.meta as { url?: unknown }).url;
      file = typeof here === 'string' ? fileURLToPath(new URL(`./${name}`, here)) : path.join(path.dirname(__filename), name);
    } catch {
      continue;
    }
    if (!nodeFs.existsSync(file)) continue;
    const execArgv: string[] = [];
    if (name.endsWith('.ts')) {
      const argv = process.execArgv;
      for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (LOADER_FLAGS.includes(a) && i + 1 < argv.length) execArgv.push(a, argv[++i]!);
        else if (LOADER_FLAGS.some((f) => a.startsWith(`${f}=`))) execArgv.push(a);
      }
      if (!execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
    }
    entryCache = { file, execArgv };
    break;
  }
  return entryCache;
}
