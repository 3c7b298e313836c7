// Node's build of the index (dist/index.cjs, which dist/index.js re-exports) is split: the parts of the engine that
// most processes never use, or use only after a while, are built into files of their own, dist/lazy-<part>.cjs,
// that the index `require`s at the first call that needs one. Loading the package then compiles and runs only the
// rest (docs/benchmarks.md, "Cold start"). The sources do not know about the split: a part is a module whose
// exports the rest of the index only calls (functions), and the build puts a stand-in in its place in the index:
//
//   export function encodeCbor(...args) { return load().encodeCbor(...args); }   // load() requires the part once
//
// A part's own imports of modules the index holds are not bundled a second time: the part is built as a function of
// those modules (`module.exports = (__core) => { ... }`), and the stand-in passes the index's own bindings (the
// names the part reads, as getters), so a part and the index share one instance of every module (one error class,
// one clock, one settings table). A part's import of another part goes through the index's stand-in for it.
//
// A new function the index imports from a part goes into that part's `names` (until it does, esbuild stops with "No
// matching export" for it); a part cannot export a value the index uses, since a stand-in only forwards calls. A class
// the index only constructs (`new`) can go into `classes`: its stand-in is a function whose `new` returns an instance
// of the part's class. Never a class anyone tests with `instanceof`, extends or reads statics of (every public class).
//
// Bundlers are not given this build (package.json's "module" condition points them at dist/bundler/, one file per
// entry), but it bundles as it is too: each part is loaded by a plain `require` of a relative path.
import { build, transform } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';

/** The parts: the module split off, the file it becomes (beside the index), and what the index calls in it. */
export const LAZY_PARTS = [
  // cbor-x (~55 kB, and its tables built at load): the first value that is not a string, number or bytes.
  { module: 'src/format/cbor.ts', file: 'lazy-cbor.cjs', names: ['encodeCbor', 'decodeCbor'] },
  // proper-lockfile with graceful-fs, retry and signal-exit: compaction's structural steps and check({ fix }).
  { module: 'src/shard/lockfile.cts', file: 'lazy-lockfile.cjs', names: ['properLockfile'] },
  // The SQLite engine and its binding: `engine: 'sqlite'` only.
  { module: 'src/engine/sqlite-engine.ts', file: 'lazy-sqlite.cjs', names: ['openSqliteEngine'] },
  // check(): the log engine's consistency check and repair.
  { module: 'src/engine/log-check.ts', file: 'lazy-check.cjs', names: ['checkShard'] },
  // Compaction in this process (and the structural lock it takes): compact(), a compaction without a background
  // compactor, check({ fix }).
  { module: 'src/shard/compaction.ts', file: 'lazy-compaction.cjs', names: ['compact', 'logDiskBytes'] },
  // The background compactor's client (its child process, its IPC): a shard's log close to wanting a compaction.
  { module: 'src/shard/compactor.ts', file: 'lazy-compactor.cjs', names: ['warmCompactor', 'compactInBackground', 'compacting', 'compactorPid', 'useCompactor'] },
  // Group commit (a FanoutCache transaction over shards) and the repair of another process's abandoned window.
  { module: 'src/shard/group-commit.ts', file: 'lazy-group-commit.cjs', names: ['intentPath', 'encodeIntent', 'decodeIntent', 'readDecision', 'claimDecision', 'claimAbort', 'removeDecision', 'closeAbandoned', 'completeCommittedGroup'] },
  { module: 'src/api/fanout-txn.ts', file: 'lazy-fanout-txn.cjs', names: ['groupTransact'] },
  // memoize, the recipes that are functions (throttle, barrier, memoizeStampede) and the canonical call keys.
  { module: 'src/api/memoize.ts', file: 'lazy-memoize.cjs', names: ['memoize'] },
  { module: 'src/api/recipes.ts', file: 'lazy-recipes.cjs', names: ['throttle', 'barrier', 'memoizeStampede'] },
  { module: 'src/api/memoize-key.ts', file: 'lazy-memoize-key.cjs', names: ['argsToKey', 'canonicalArg', 'functionKeyName'] },
  // The access-time sidecar: the least-recently-used and least-frequently-used eviction policies only.
  { module: 'src/shard/sidecar.ts', file: 'lazy-sidecar.cjs', names: [], classes: ['Sidecar'] },
  // Frames cut short at a segment's end, and ours cut by one: after a failed write, or a crashed writer's.
  { module: 'src/shard/torn-frames.ts', file: 'lazy-torn-frames.cjs', names: ['afterFailedWrite', 'payTornPad', 'rewriteCut'] },
  // The walk that moves a process onto a new base, slice by slice: after a compaction only.
  { module: 'src/shard/base-walk.ts', file: 'lazy-base-walk.cjs', names: [], classes: ['BaseSwitch'] },
];

const ROOT = process.cwd();
const keyOf = (file) => relative(ROOT, file).split(sep).join('/');
const PART_BY_KEY = new Map(LAZY_PARTS.map((p) => [p.module, p]));
/** A short id for each of the index's modules a part takes from `__core` (its key there, in the index's stand-ins and
 * in the part): a number costs the index ~20 bytes less than the module's path, for each module each part takes. */
const CORE_IDS = new Map();
const coreId = (key) => CORE_IDS.get(key) ?? CORE_IDS.set(key, CORE_IDS.size).get(key);

/**
 * CommonJS builds: esbuild turns each `import fs from 'node:fs'` (or `* as fs`) of the sources into its own
 * `__toESM(require("node:fs"))`, a copy of the module's ~100 properties: thirty-odd copies, enough garbage to cost a
 * scavenge while the package loads. For a built-in, the module itself is what both forms give, so they are read as
 * `const fs = require('node:fs')` (Node caches built-ins: each is one lookup). Named imports already are.
 */
const BUILTIN_IMPORT = /^import (?:\* as )?(\w+) from '(node:[a-z_/]+)';$/gm;
export const builtinsAsRequire = {
  name: 'builtins-as-require',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(BUILTIN_IMPORT, "const $1 = require('$2');");
      return contents === source ? undefined : { contents, loader: 'ts' };
    });
  },
};

/**
 * The index's stand-ins for the parts; `uses` (per part) lists the index's modules the part imports, each with the
 * names the part reads from it (or null: the part uses the module object itself). The part is given only those, as
 * getters (so a binding the index changes later reads as it is then) made when the part is loaded: a module object
 * (`import * as`) would be built with a getter per export while the index loads (~240 getters for the parts, ~1 ms of
 * the load with the 8 kB of text they took).
 */
function standIns(uses) {
  return {
    name: 'lazy-part-stand-ins',
    setup(b) {
      b.onResolve({ filter: /^\.\/lazy-[\w-]+\.cjs$/ }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /\.c?ts$/ }, (args) => {
        const part = PART_BY_KEY.get(keyOf(args.path));
        if (!part) return undefined;
        const core = uses.get(part) ?? [];
        const from = (key) => JSON.stringify(resolve(ROOT, key));
        const given = core.map(({ key, names }, i) => `${coreId(key)}: ${names === null ? `m${i}` : `{ ${names.map((n, j) => `get ${n}() { return m${i}_${j}; }`).join(', ')} }`}`);
        const contents = [
          ...core.map(({ key, names }, i) => (names === null
            ? `import * as m${i} from ${from(key)};`
            : `import { ${names.map((n, j) => `${n} as m${i}_${j}`).join(', ')} } from ${from(key)};`)),
          'let part;',
          `const load = () => (part ??= require(${JSON.stringify(`./${part.file}`)})({ ${given.join(', ')} }));`,
          ...part.names.map((n) => `export function ${n}(...args) { return load().${n}(...args); }`),
          ...(part.classes ?? []).map((n) => `export function ${n}(...args) { return new (load().${n})(...args); }`),
        ].join('\n');
        return { contents, loader: 'js', resolveDir: ROOT };
      });
    },
  };
}

/**
 * The names a built part reads from each of the index's modules (`keys`), from its code: esbuild reads a module the
 * part takes from `__core` through a CommonJS stub, `var require_x = __commonJS({"logcache-core:<key>"...})`, and
 * `import_x = __toESM(require_x())`, then `import_x.name` for each use. Null for a module the part uses otherwise
 * (the module object itself, say): it is then given whole.
 */
function namesRead(code, keys) {
  const word = (w) => new RegExp(`(?<![\\w$])${w.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const count = (re) => [...code.matchAll(re)].length;
  const stubs = new Map([...code.matchAll(/\b(require_[\w$]+)=__commonJS\(\{"logcache-core:([^"]+)"/g)].map((m) => [m[2], m[1]]));
  return keys.map((key) => {
    const stub = stubs.get(key);
    if (!stub) return { key, names: null };
    const imports = [...code.matchAll(new RegExp(`\\b(import_[\\w$]+)=__toESM\\(${stub.replace(/\$/g, '\\$')}\\(\\)(?:,1)?\\)`, 'g'))].map((m) => m[1]);
    if (count(word(stub)) !== 1 + imports.length) return { key, names: null };
    const names = new Set();
    for (const imp of imports) {
      const reads = [...code.matchAll(new RegExp(`(?<![\\w$])${imp.replace(/\$/g, '\\$')}\\.([A-Za-z_$][\\w$]*)`, 'g'))].map((m) => m[1]);
      if (count(word(imp)) !== 1 + reads.length) return { key, names: null };
      for (const n of reads) names.add(n);
    }
    return { key, names: [...names].sort() };
  });
}

/** Builds one part into dist/, its imports of the index's modules (`core`, keys) read from `__core`; returns them
 * with the names the part reads (namesRead). */
async function buildPart(common, plugins, part, core) {
  const used = new Set();
  const fromCore = {
    name: 'from-core',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData === 'from-core') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'from-core' });
        if (r.errors.length > 0 || r.external || r.namespace !== 'file') return undefined;
        const key = keyOf(r.path);
        // Another part's module is always the index's stand-in for it (which this import puts in `core` if no module
        // of the index imports it), so each part is loaded once; the part's own modules are bundled here.
        if (key === part.module || !(core.has(key) || PART_BY_KEY.has(key))) return undefined;
        used.add(key);
        return { path: key, namespace: 'logcache-core' };
      });
      b.onLoad({ filter: /.*/, namespace: 'logcache-core' }, (args) => ({ contents: `module.exports = __core[${coreId(args.path)}];`, loader: 'js' }));
    },
  };
  const outfile = `dist/${part.file}`;
  const result = await build({
    ...common, entryPoints: [part.module], format: 'cjs', outfile, plugins: [fromCore, ...plugins],
    banner: { js: `"use strict";\n// Loaded by index.cjs at first use (scripts/lazy-parts.mjs).\nmodule.exports = (__core) => {\nconst module = { exports: {} }, exports = module.exports;` },
    footer: { js: 'return module.exports;\n};' },
  });
  return { result, used: namesRead(await readFile(outfile, 'utf8'), [...used].sort()) };
}

/**
 * Renames the index's local variables and parameters to short names. Compiling the index is most of what loading
 * the package costs, and V8 pre-parses every function, called or not, in time that grows with the text: 15% less
 * text (155 → 132 kB when it was added), 0.4–0.9 ms less to compile here. A transform of the finished file, not a build option: it renames only what is local to a
 * function (esbuild leaves a script's top-level names alone), so classes, top-level functions and methods keep
 * their names in stack traces and in `.name`; a closure kept in a local (`const onData = () => ...`) shows a short
 * name instead. The parts are left as they are: all their code is local to the function they are built as.
 */
async function shortenLocals(file) {
  let text = await readFile(file, 'utf8');
  // esbuild writes a class that refers to itself as `var Deque = class _Deque {...}` (its own inner name), which would
  // be renamed as a local, and already made `Deque.name` '_Deque': the class is left unnamed (`var Deque = class`
  // names it Deque) and its references to itself use the top-level name, assigned before any method runs.
  for (const [, name] of text.matchAll(/\b([A-Za-z$][\w$]*)=class _\1\b/g)) {
    text = text.replace(`${name}=class _${name}`, `${name}=class`).replace(new RegExp(`(?<![\\w$.'"\`])_${name}(?![\\w$])`, 'g'), name);
  }
  const { code } = await transform(text, { minifyIdentifiers: true, minifySyntax: true, minifyWhitespace: true, target: 'node20', logLevel: 'warning' });
  const unnamed = [...code.matchAll(/\b([A-Za-z$][\w$]*)=class (?!extends\b)[\w$]+/g)].map((m) => m[1]);
  if (unnamed.length > 0) throw new Error(`shortenLocals: classes would lose their names: ${unnamed.join(', ')}`);
  await writeFile(file, code);
}

/**
 * The largest index that loads without a step in its cost: V8 keeps a string over 128 KiB (the index's text, which
 * Node reads whole) in its large-object space, and reading a 131,200-byte file then cost ~0.8 ms more than a
 * 131,000-byte one here (same text, padded). The build warns above it: something else should then be split off.
 */
const INDEX_BYTES_MAX = 128 * 1024;

/** The modules a build of the index holds, the parts' stand-ins included. */
const coreModules = (result) => new Set(Object.keys(result.metafile.inputs));
const sameSet = (a, b) => a.size === b.size && [...a].every((k) => b.has(k));

/**
 * Builds dist/index.cjs (from `entry`) and its lazily loaded parts; returns every esbuild result (for the notices).
 * The index's module set decides what a part imports from it; the parts' imports can only add modules to the
 * index (their namespaces are imported whole), so the two are built in turn until the set stops changing.
 */
export async function buildSplitIndex(common, plugins, entry, outfile) {
  const index = (uses, write) => build({ ...common, entryPoints: [entry], format: 'cjs', outfile, write, plugins: [standIns(uses), ...plugins] });
  let core = coreModules(await index(new Map(), false));
  for (let round = 0; round < 4; round++) {
    const uses = new Map();
    const results = [];
    for (const part of LAZY_PARTS) {
      const { result, used } = await buildPart(common, plugins, part, core);
      uses.set(part, used);
      results.push(result);
    }
    const built = await index(uses, true);
    const now = coreModules(built);
    if (sameSet(now, core)) {
      await shortenLocals(outfile);
      const bytes = (await readFile(outfile)).length;
      if (bytes > INDEX_BYTES_MAX) console.warn(`${outfile} is ${bytes} bytes, over ${INDEX_BYTES_MAX}: loading the package costs ~1 ms more (see INDEX_BYTES_MAX)`);
      return [built, ...results];
    }
    core = now;
  }
  throw new Error('the index and its lazily loaded parts did not settle on one split');
}
