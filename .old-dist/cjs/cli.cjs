const __logcache_import_meta_url = require('url').pathToFileURL(__filename).href;
"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// src/cli.ts
var cli_exports = {};
__export(cli_exports, {
  main: () => main
});
module.exports = __toCommonJS(cli_exports);
var nodeFs = __toESM(require("node:fs"), 1);
var os = __toESM(require("node:os"), 1);
var path = __toESM(require("node:path"), 1);
var import_node_util = require("node:util");
var import_node_module = require("node:module");
var import_node_url = require("node:url");
var import_index = require("./index.cjs");

// src/format/segment.ts
var FILE_MAGIC = Buffer.from("LOGCACHE", "latin1");
var KIND_SEGMENT = 1;
var KIND_BASE = 2;
var FILE_HEADER_BYTES = 8 + 2 + 2 + 4;
var NAME_RE = /^(\d{10})\.(log|base)$/;
function parseLogFileName(name) {
  const m = NAME_RE.exec(name);
  if (!m) return null;
  return { id: Number(m[1]), kind: m[2] === "log" ? KIND_SEGMENT : KIND_BASE };
}

// src/cli.ts
var USAGE = `usage: logcache <command> [options] DIR

commands:
  stats DIR            items, bytes, hit counters, settings and sub-collections
  check [--fix] DIR    verify every frame and value file; --fix repairs (exit 1 when problems remain)
  compact DIR          rewrite the live items and drop dead records
  keys [--limit N] DIR keys in insertion order (strings as-is, other keys as JSON)
  get [--json-key] KEY DIR
                       print the value of KEY (a string; with --json-key, KEY is JSON: 42, ["a",1])
  clear DIR            remove every item
  bench [--count N] [--size BYTES] [DIR]
                       time set/get/delete in a temporary cache under DIR (default: the OS temp directory)

options:
  --json               print one JSON document
  --progress           always draw the progress bar; --no-progress never
  -h, --help           this text; --version the package version
`;
var UsageError = class extends Error {
};
var VALUE_FLAGS = /* @__PURE__ */ new Set(["--limit", "--count", "--size"]);
var BOOLEAN_FLAGS = /* @__PURE__ */ new Set(["--json", "--fix", "--json-key", "--progress", "--no-progress", "--help", "--version"]);
function parseArgs(argv) {
  const flags = /* @__PURE__ */ new Map();
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--") && a.includes("=")) {
      const eq = a.indexOf("=");
      if (!VALUE_FLAGS.has(a.slice(0, eq))) throw new UsageError(`unknown option ${a.slice(0, eq)}`);
      flags.set(a.slice(0, eq), a.slice(eq + 1));
    } else if (VALUE_FLAGS.has(a)) {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      flags.set(a, argv[++i]);
    } else if (a === "-h") flags.set("--help", true);
    else if (a.startsWith("-") && a.length > 1) {
      if (!BOOLEAN_FLAGS.has(a)) throw new UsageError(`unknown option ${a}`);
      flags.set(a, true);
    } else positional.push(a);
  }
  return { command: positional.shift() ?? "", positional, flags };
}
function intFlag(args, name, dflt) {
  const v = args.flags.get(name);
  if (v === void 0) return dflt;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a positive integer; got ${String(v)}`);
  return n;
}
var Progress = class _Progress {
  constructor(out, enabled, force) {
    this.out = out;
    this.enabled = enabled;
    this.force = force;
  }
  out;
  enabled;
  force;
  static DELAY_MS = 300;
  static EVERY_MS = 100;
  total = 0;
  done = 0;
  label = "";
  /** What moves the bar: reads (opening, check) or writes (compaction writing its base file). */
  counting = "read";
  #started = Date.now();
  #drawn = 0;
  #shown = false;
  add(bytes) {
    this.done += bytes;
    if (!this.enabled) return;
    const now = Date.now();
    if (!this.force && now - this.#started < _Progress.DELAY_MS) return;
    if (now - this.#drawn < _Progress.EVERY_MS) return;
    this.#draw(false);
  }
  #draw(final) {
    this.#drawn = Date.now();
    this.#shown = true;
    const total = Math.max(this.total, this.done, 1);
    const frac = final ? 1 : Math.min(this.done / total, 0.99);
    const width = 30;
    const full = Math.round(frac * width);
    const bar = "#".repeat(full) + "-".repeat(width - full);
    const pct = String(Math.floor(frac * 100)).padStart(3);
    this.out.write(`\r${this.label.padEnd(16)} [${bar}] ${pct}% ${formatBytes(final ? total : this.done)}/${formatBytes(total)}   `);
    if (final) this.out.write("\n");
  }
  /** Ends the bar at 100% (when it was shown, or always when forced). */
  finish() {
    if (this.enabled && (this.#shown || this.force)) this.#draw(true);
  }
};
function countingFs(progress) {
  const f = { ...nodeFs };
  const readSync2 = nodeFs.readSync;
  const writeSync2 = nodeFs.writeSync;
  const readFileSync2 = nodeFs.readFileSync;
  f.readSync = (...a) => {
    const n = readSync2(...a);
    if (progress.counting === "read") progress.add(n);
    return n;
  };
  f.readFileSync = (...a) => {
    const b = readFileSync2(...a);
    if (progress.counting === "read") progress.add(b.length);
    return b;
  };
  f.writeSync = (...a) => {
    const n = writeSync2(...a);
    if (progress.counting === "write") progress.add(n);
    return n;
  };
  return f;
}
function hasLog(dir) {
  try {
    return nodeFs.readdirSync(dir).some((n) => parseLogFileName(n) !== null);
  } catch {
    return false;
  }
}
function logBytes(dir) {
  let total = 0;
  for (const n of nodeFs.readdirSync(dir)) {
    if (parseLogFileName(n)) {
      try {
        total += nodeFs.statSync(path.join(dir, n)).size;
      } catch {
      }
    }
  }
  return total;
}
function findShards(dir) {
  let st;
  try {
    st = nodeFs.statSync(dir);
  } catch {
    throw new UsageError(`no such directory: ${dir}`);
  }
  if (!st.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  if (hasLog(dir)) return { kind: "Cache", shards: [dir] };
  const shards = nodeFs.readdirSync(dir).filter((n) => /^\d{3}$/.test(n)).sort().map((n) => path.join(dir, n)).filter(hasLog);
  if (shards.length > 0) return { kind: "FanoutCache", shards };
  throw new UsageError(`not a logcache directory (no log files in it or in 000/, 001/, ...): ${dir}`);
}
function findCollections(dir) {
  const found = [];
  const walk = (kind, rel, depth) => {
    const full = path.join(dir, kind, rel);
    if (rel !== "" && hasLog(full)) found.push({ kind, name: rel.split(path.sep).join("/"), dir: full });
    if (depth > 8) return;
    let entries;
    try {
      entries = nodeFs.readdirSync(full, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.name.endsWith(".lock")) walk(kind, rel === "" ? e.name : path.join(rel, e.name), depth + 1);
  };
  for (const kind of ["cache", "deque", "index"]) walk(kind, "", 0);
  return found;
}
function shardName(root, dir) {
  return path.relative(root, dir);
}
function prefix(shard) {
  return shard === "" ? "" : `${shard}: `;
}
function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}
function toJson(v) {
  if (typeof v === "bigint") return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") };
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === "number" && !Number.isFinite(v)) return { $number: String(v) };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [toJson(k), toJson(x)]) };
  if (v instanceof Set) return { $set: [...v].map(toJson) };
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  if (v === void 0 || typeof v === "function" || typeof v === "symbol") return null;
  return v;
}
function fromJsonKey(v) {
  if (Array.isArray(v)) return v.map(fromJsonKey);
  if (v !== null && typeof v === "object") {
    const o = v;
    if (typeof o.$bytes === "string") return Buffer.from(o.$bytes, "base64");
    if (typeof o.$bigint === "string") return BigInt(o.$bigint);
    throw new UsageError('a JSON key is a string, number, boolean, null, array, {"$bytes": base64} or {"$bigint": digits}');
  }
  return v;
}
function formatKey(k) {
  return typeof k === "string" ? k : JSON.stringify(toJson(k));
}
function version() {
  try {
    const req = (0, import_node_module.createRequire)(__logcache_import_meta_url);
    let dir = path.dirname((0, import_node_url.fileURLToPath)(__logcache_import_meta_url));
    for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
      const p = path.join(dir, "package.json");
      if (nodeFs.existsSync(p)) {
        const pkg = req(p);
        if (pkg.name === "logcache") return pkg.version ?? "unknown";
      }
    }
  } catch {
  }
  return "unknown";
}
function dirArg(ctx, extra = 0) {
  const p = ctx.args.positional;
  if (p.length !== 1 + extra) throw new UsageError(`${ctx.args.command} takes ${extra ? "KEY DIR" : "DIR"}; got ${p.length} argument(s)`);
  return path.resolve(p[p.length - 1]);
}
function openShards(ctx, dir, label) {
  const { kind, shards } = findShards(dir);
  ctx.progress.label = label;
  ctx.progress.total += shards.reduce((n, s) => n + logBytes(s), 0);
  const fs = countingFs(ctx.progress);
  const caches = [];
  try {
    for (const s of shards) caches.push(new import_index.Cache(s, { fs }));
  } catch (err) {
    for (const c of caches) c.close();
    throw err;
  }
  return { kind, caches };
}
function closeAll(caches) {
  for (const c of caches) c.close();
}
function cmdStats(ctx) {
  const dir = dirArg(ctx);
  const { kind, caches } = openShards(ctx, dir, "opening");
  try {
    const count = caches.reduce((n, c) => n + c.size, 0);
    const volume = caches.reduce((n, c) => n + c.volume(), 0);
    const settings = caches[0].settings;
    const counter = (name) => settings.statistics ? caches.reduce((n, c) => n + c.reset(name), 0) : 0;
    const hits = counter("hits");
    const misses = counter("misses");
    const logs = caches.reduce((n, c) => n + logBytes(c.directory), 0);
    const collections = findCollections(dir).map((col) => {
      const c = new import_index.Cache(col.dir);
      try {
        return { kind: col.kind, name: col.name, count: c.size, volume: c.volume() };
      } finally {
        c.close();
      }
    });
    ctx.progress.finish();
    if (ctx.json) {
      ctx.emitJson({ directory: dir, kind, shards: caches.length, count, volume, logBytes: logs, hits, misses, settings, collections });
      return 0;
    }
    ctx.print(`directory   ${dir}`);
    ctx.print(`kind        ${kind}${kind === "FanoutCache" ? ` (${caches.length} shards)` : ""}`);
    ctx.print(`items       ${count} (expired ones not yet removed included)`);
    ctx.print(`volume      ${formatBytes(volume)} live (records and value files)`);
    ctx.print(`log files   ${formatBytes(logs)} on disk (dead records go at the next compaction)`);
    ctx.print(`statistics  ${settings.statistics ? `${hits} hits, ${misses} misses` : "off"}`);
    ctx.print(`eviction    ${settings.evictionPolicy}, size limit ${formatBytes(settings.sizeLimit * caches.length)}, cull limit ${settings.cullLimit}`);
    for (const c of collections) ctx.print(`${c.kind.padEnd(11)} ${c.name}: ${c.count} items, ${formatBytes(c.volume)}`);
    return 0;
  } finally {
    closeAll(caches);
  }
}
function cmdCheck(ctx) {
  const dir = dirArg(ctx);
  const fix = ctx.args.flags.has("--fix");
  const { caches } = openShards(ctx, dir, "opening");
  try {
    ctx.progress.total += caches.reduce((n, c) => n + logBytes(c.directory), 0);
    const warnings = [];
    for (const c of caches) {
      ctx.progress.label = `checking ${shardName(dir, c.directory)}`.trim();
      for (const w of c.check({ fix })) warnings.push({ shard: shardName(dir, c.directory), ...w });
    }
    const remaining = fix ? caches.flatMap((c) => c.check()) : warnings;
    ctx.progress.finish();
    const ok = remaining.length === 0;
    if (ctx.json) {
      ctx.emitJson({ directory: dir, ok, fixed: fix, warnings, remaining: fix ? remaining : void 0 });
    } else {
      for (const w of warnings) ctx.print(`${prefix(w.shard)}${w.category}: ${w.message}`);
      if (warnings.length === 0) ctx.print(`ok: ${caches.length} shard(s), no problems found`);
      else if (fix) ctx.print(ok ? `repaired ${warnings.length} problem(s)` : `${remaining.length} problem(s) remain after repair`);
      else ctx.print(`${warnings.length} problem(s) found; run with --fix to repair`);
    }
    return ok ? 0 : 1;
  } finally {
    closeAll(caches);
  }
}
function cmdCompact(ctx) {
  const dir = dirArg(ctx);
  const { caches } = openShards(ctx, dir, "opening");
  try {
    ctx.progress.total += caches.reduce((n, c) => n + c.volume(), 0);
    ctx.progress.counting = "write";
    const results = caches.map((c) => {
      ctx.progress.label = `compacting ${shardName(dir, c.directory)}`.trim();
      return { shard: shardName(dir, c.directory), ...c.compact() };
    });
    ctx.progress.finish();
    const before = results.reduce((n, r) => n + r.bytesBefore, 0);
    const after = results.reduce((n, r) => n + r.bytesAfter, 0);
    if (ctx.json) {
      ctx.emitJson({ directory: dir, bytesBefore: before, bytesAfter: after, shards: results });
      return 0;
    }
    for (const r of results) {
      ctx.print(r.base === 0 ? `${prefix(r.shard)}skipped (another process is compacting it)` : `${prefix(r.shard)}${r.items} items, ${formatBytes(r.bytesBefore)} -> ${formatBytes(r.bytesAfter)}`);
    }
    ctx.print(`log files ${formatBytes(before)} -> ${formatBytes(after)}`);
    return 0;
  } finally {
    closeAll(caches);
  }
}
function cmdKeys(ctx) {
  const dir = dirArg(ctx);
  const limit = intFlag(ctx.args, "--limit", Number.MAX_SAFE_INTEGER);
  const { caches } = openShards(ctx, dir, "opening");
  try {
    const keys = [];
    outer: for (const c of caches) {
      for (const k of c.keys()) {
        if (keys.length >= limit) break outer;
        keys.push(k);
      }
    }
    ctx.progress.finish();
    if (ctx.json) ctx.emitJson(keys.map(toJson));
    else for (const k of keys) ctx.print(formatKey(k));
    return 0;
  } finally {
    closeAll(caches);
  }
}
function cmdGet(ctx) {
  const dir = dirArg(ctx, 1);
  const raw = ctx.args.positional[0];
  let key = raw;
  if (ctx.args.flags.has("--json-key")) {
    try {
      key = fromJsonKey(JSON.parse(raw));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--json-key: KEY is not JSON: ${raw}`);
    }
  }
  const MISS = /* @__PURE__ */ Symbol("miss");
  const { caches } = openShards(ctx, dir, "opening");
  try {
    for (const c of caches) {
      const [value, expireTime, tag] = c.get(key, { default: MISS, expireTime: true, tag: true });
      if (value === MISS) continue;
      ctx.progress.finish();
      if (ctx.json) ctx.emitJson({ key: toJson(key), value: toJson(value), expireTime, tag: toJson(tag) });
      else if (typeof value === "string") ctx.print(value);
      else if (value instanceof Uint8Array) ctx.io.stdout.write(value);
      else ctx.print((0, import_node_util.inspect)(value, { depth: 8, colors: false, maxArrayLength: 200 }));
      return 0;
    }
    ctx.progress.finish();
    ctx.io.stderr.write(`key not found: ${formatKey(key)}
`);
    return 1;
  } finally {
    closeAll(caches);
  }
}
function cmdClear(ctx) {
  const dir = dirArg(ctx);
  const { caches } = openShards(ctx, dir, "opening");
  try {
    const removed = caches.reduce((n, c) => n + c.clear({ retry: true }), 0);
    ctx.progress.finish();
    if (ctx.json) ctx.emitJson({ directory: dir, removed });
    else ctx.print(`removed ${removed} item(s)`);
    return 0;
  } finally {
    closeAll(caches);
  }
}
function summarize(action, samples, miss) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const total = samples.reduce((a, b) => a + b, 0);
  return { action, count: samples.length, miss, median: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1], total, opsPerSec: samples.length / (total / 1e6) };
}
function cmdBench(ctx) {
  const p = ctx.args.positional;
  if (p.length > 1) throw new UsageError(`bench takes at most DIR; got ${p.length} arguments`);
  const parent = path.resolve(p[0] ?? os.tmpdir());
  if (!nodeFs.existsSync(parent)) throw new UsageError(`no such directory: ${parent}`);
  const count = intFlag(ctx.args, "--count", 1e4);
  const size = intFlag(ctx.args, "--size", 100);
  const dir = nodeFs.mkdtempSync(path.join(parent, "logcache-bench-"));
  const value = "x".repeat(size);
  const rows = [];
  const cache = new import_index.Cache(dir);
  try {
    const time = (action, op) => {
      const samples = new Float64Array(count);
      let miss = 0;
      for (let i = 0; i < count; i++) {
        const t0 = process.hrtime.bigint();
        const hit = op(i);
        samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
        if (!hit) miss++;
      }
      rows.push(summarize(action, samples, miss));
    };
    const NONE = /* @__PURE__ */ Symbol("none");
    time("set", (i) => cache.set(`key-${i}`, value));
    time("get", (i) => cache.get(`key-${i}`, { default: NONE }) !== NONE);
    time("get (miss)", (i) => cache.get(`absent-${i}`, { default: NONE }) !== NONE);
    time("delete", (i) => cache.delete(`key-${i}`));
  } finally {
    cache.close();
    nodeFs.rmSync(dir, { recursive: true, force: true });
  }
  const env = { logcache: version(), node: process.version, platform: `${process.platform}-${process.arch}`, cpu: os.cpus()[0]?.model ?? "unknown", directory: parent, count, valueBytes: size };
  if (ctx.json) {
    ctx.emitJson({ env, unit: "microseconds", rows });
    return 0;
  }
  ctx.print(`logcache ${env.logcache}, Node ${env.node}, ${env.platform}, ${env.cpu}`);
  ctx.print(`${count} operations each, ${size}-byte values, in ${parent}`);
  const cols = ["Action", "Count", "Miss", "Median", "P90", "P99", "Max", "Total", "ops/s"];
  const us = (v) => `${v.toFixed(1)} \xB5s`;
  const table = rows.map((r) => [r.action, String(r.count), String(r.miss), us(r.median), us(r.p90), us(r.p99), us(r.max), `${(r.total / 1e3).toFixed(1)} ms`, String(Math.round(r.opsPerSec))]);
  const widths = cols.map((c, i) => Math.max(c.length, ...table.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
  ctx.print(line(cols));
  ctx.print(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of table) ctx.print(line(row));
  return 0;
}
var COMMANDS = {
  stats: cmdStats,
  check: cmdCheck,
  compact: cmdCompact,
  keys: cmdKeys,
  get: cmdGet,
  clear: cmdClear,
  bench: cmdBench
};
function main(argv, io = { stdout: process.stdout, stderr: process.stderr }) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr.write(`logcache: ${err.message}

${USAGE}`);
    return 2;
  }
  if (args.flags.has("--version")) {
    io.stdout.write(`${version()}
`);
    return 0;
  }
  if (args.flags.has("--help") || args.command === "help" || args.command === "") {
    (args.command === "" && !args.flags.has("--help") ? io.stderr : io.stdout).write(USAGE);
    return args.command === "" && !args.flags.has("--help") ? 2 : 0;
  }
  const run = COMMANDS[args.command];
  if (!run) {
    io.stderr.write(`logcache: unknown command ${JSON.stringify(args.command)}

${USAGE}`);
    return 2;
  }
  const json = args.flags.has("--json");
  const force = args.flags.has("--progress");
  const enabled = force || !args.flags.has("--no-progress") && !json && Boolean(io.stderr.isTTY);
  const ctx = {
    io,
    args,
    json,
    progress: new Progress(io.stderr, enabled, force),
    print: (line = "") => io.stdout.write(line + "\n"),
    emitJson: (v) => io.stdout.write(JSON.stringify(v, null, 2) + "\n")
  };
  try {
    return run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`logcache: ${err.message}
`);
      return 2;
    }
    const e = err;
    io.stderr.write(`logcache: ${e.code ? `${e.code}: ` : ""}${e.message}
`);
    return 1;
  }
}
if (process.argv[1] && __logcache_import_meta_url === (0, import_node_url.pathToFileURL)(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  main
});
//# sourceMappingURL=cli.cjs.map
