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

// src/api/keyv.ts
var keyv_exports = {};
__export(keyv_exports, {
  KeyvLogcache: () => KeyvLogcache,
  default: () => keyv_default
});
module.exports = __toCommonJS(keyv_exports);
var import_node_events = require("node:events");
var fs = __toESM(require("node:fs"), 1);
var path = __toESM(require("node:path"), 1);
var import__ = require("./index.cjs");
var MISS = /* @__PURE__ */ Symbol("miss");
var LOG_FILE = /^\d{10}\.(log|base)$/;
function isFanoutDirectory(dir) {
  try {
    const isShard = (names) => names.some((n) => LOG_FILE.test(n) || n === "cache.db");
    return !isShard(fs.readdirSync(dir)) && isShard(fs.readdirSync(path.join(dir, "000")));
  } catch {
    return false;
  }
}
function expireOf(ttl) {
  if (ttl === void 0 || ttl === null || ttl === 0) return null;
  if (typeof ttl !== "number" || Number.isNaN(ttl)) throw new TypeError(`ttl must be a number of milliseconds; got ${String(ttl)}`);
  return ttl === Infinity ? null : ttl / 1e3;
}
function checkKey(key, name = "key") {
  if (typeof key !== "string") throw new TypeError(`${name} must be a string; got ${typeof key}`);
  return key;
}
var KeyvLogcache = class extends import_node_events.EventEmitter {
  /** The cache the items live in. */
  cache;
  /** keyv 5 reads `opts` (its `dialect` and `url` decide whether Keyv wires `keyv.iterator`; see `iterator`). */
  opts;
  /** Set by Keyv from its `namespace` option; scopes every key, `clear()` and `iterator()`. */
  namespace;
  #owned;
  /**
   * @param cache a directory (the adapter opens a Cache there and closes it on `disconnect()`) or an open Cache
   *   or FanoutCache (left open: its owner closes it). Default: a new temporary directory.
   * @throws TypeError for a cache that is neither, or a directory that holds a FanoutCache (pass the FanoutCache).
   */
  constructor(cache, options = {}) {
    super();
    if (cache === void 0 || typeof cache === "string") {
      if (cache !== void 0 && isFanoutDirectory(cache)) {
        throw new TypeError(`${cache} holds a FanoutCache: open it with new FanoutCache(dir) and pass that to KeyvLogcache`);
      }
      this.cache = new import__.Cache(cache, options.cache);
      this.#owned = true;
    } else if (typeof cache === "object" && cache !== null && typeof cache.get === "function" && typeof cache.evict === "function") {
      this.cache = cache;
      this.#owned = false;
    } else {
      throw new TypeError("cache must be a directory or a Cache/FanoutCache");
    }
    this.namespace = options.namespace;
    this.opts = { dialect: "logcache", url: "logcache://", directory: this.cache.directory };
  }
  #key(key) {
    return [this.namespace || null, checkKey(key)];
  }
  #tag() {
    return ["keyv", this.namespace || null];
  }
  #read(key) {
    const v = this.cache.get(this.#key(key), { default: MISS });
    return v === MISS ? void 0 : v;
  }
  #write(key, value, ttl) {
    return this.cache.set(this.#key(key), value, { expire: expireOf(ttl), tag: this.#tag() });
  }
  /** The stored value (Keyv's serialized string), or undefined when missing or expired. */
  async get(key) {
    return this.#read(key);
  }
  /** Values for `keys`, in order; undefined for each one missing or expired. */
  async getMany(keys) {
    if (!Array.isArray(keys)) throw new TypeError("keys must be an array");
    return keys.map((k) => this.#read(k));
  }
  /**
   * Stores `value` under `key`, replacing any item. @param ttl milliseconds until it expires (undefined or 0:
   * never; negative: already expired). Returns true, or false when a FanoutCache shard timed out.
   */
  async set(key, value, ttl) {
    return this.#write(key, value, ttl);
  }
  /** set for each entry, in order; one boolean per entry. */
  async setMany(entries) {
    if (!Array.isArray(entries)) throw new TypeError("entries must be an array");
    return entries.map((e) => this.#write(e.key, e.value, e.ttl));
  }
  /** Removes `key`. Returns whether a live item was removed. */
  async delete(key) {
    return this.cache.delete(this.#key(key));
  }
  /**
   * Removes every key in `keys`. Returns true when each one was there (keyv 5's contract, a single boolean; keyv
   * 6's bridge spreads it over the keys).
   */
  async deleteMany(keys) {
    if (!Array.isArray(keys)) throw new TypeError("keys must be an array");
    let all = true;
    for (const k of keys) if (!this.cache.delete(this.#key(k))) all = false;
    return all;
  }
  /** Whether a live item exists for `key`. */
  async has(key) {
    return this.cache.has(this.#key(key));
  }
  async hasMany(keys) {
    if (!Array.isArray(keys)) throw new TypeError("keys must be an array");
    return keys.map((k) => this.cache.has(this.#key(k)));
  }
  /** Removes this namespace's items (without a namespace: the items stored without one). Others stay. */
  async clear() {
    this.cache.evict(this.#tag());
  }
  /**
   * Yields `[key, value]` for each live item of `namespace` (default: the adapter's), in insertion order, as of
   * the call (items added meanwhile are not yielded). keyv 6 wires this to `keyv.iterator()`. keyv 5 wires it only
   * for the adapters on its own list (SQL, Redis, Mongo, etcd); with keyv 5 call
   * `keyv.iterator = keyv.generateIterator(store.iterator.bind(store))` once, or iterate the adapter directly.
   */
  async *iterator(namespace = this.namespace) {
    const ns = namespace || null;
    const mine = [];
    for (const k of this.cache.keys()) {
      if (Array.isArray(k) && k.length === 2 && k[0] === ns && typeof k[1] === "string") mine.push(k[1]);
    }
    for (const key of mine) {
      const v = this.cache.get([ns, key], { default: MISS });
      if (v !== MISS) yield [key, v];
    }
  }
  /** Closes the cache if the adapter opened it (given a directory); a cache passed in stays open. */
  async disconnect() {
    if (this.#owned) this.cache.close();
  }
};
var keyv_default = KeyvLogcache;
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  KeyvLogcache
});
//# sourceMappingURL=keyv.cjs.map
