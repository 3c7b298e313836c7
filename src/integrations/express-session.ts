/**
 * LogcacheSessionStore: an express-session Store (`logcache/express-session`) on a logcache Cache or FanoutCache,
 * so every process serving the site (cluster workers, several servers on one volume) sees one set of sessions:
 * a login on one is seen by all, a logout logs out everywhere, and sessions expire from disk on their own.
 *
 * Each session is one item `['sess', prefix, sid]` holding the session's JSON, tagged `['sess', prefix]` (so
 * `clear()` is one `evict`), with the cookie's remaining lifetime as its expiry (`ttl` when the cookie has none).
 * It extends express-session's own Store (what gives `regenerate`, `load` and `createSession`), so this module
 * imports express-session, the application's dependency (an optional peer of logcache).
 */
import session from 'express-session';
import type { SessionData } from 'express-session';
import type { Key } from '../index.js';
import { BackendOptions, StoreBackend, openBackend, read, writeWhenWritable } from './backend.js';

/** How sessions become stored strings and back. Default JSON. */
export interface SessionSerializer {
  stringify(value: unknown): string;
  parse(text: string): unknown;
}

export interface LogcacheSessionStoreOptions extends BackendOptions {
  /** Prepended to session ids, so several apps can share one cache. Default 'sess:'. */
  prefix?: string;
  /**
   * Seconds a session lives when its cookie has no expiry (a browser-session cookie), or a function of the
   * session giving seconds. Default 86400 (one day).
   */
  ttl?: number | ((sess: SessionData) => number);
  /** Default JSON. */
  serializer?: SessionSerializer;
}

type Callback<T = void> = (err: unknown, result?: T) => void;

/**
 * Runs `fn` and hands its result or error to `cb` (express-session's callback style), or throws without one. A
 * Promise from `fn` (a write waiting for another process's transaction: writeWhenWritable) is handed over once it
 * settles; its error, without a callback, is then an unhandled rejection.
 */
function settle<T>(cb: Callback<T> | undefined, fn: () => T | Promise<T>): void {
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (err) {
    if (cb) return cb(err);
    throw err;
  }
  if (!(result instanceof Promise)) return cb?.(null, result);
  result.then((r) => cb?.(null, r), (err) => {
    if (!cb) throw err;
    cb(err);
  });
}

/**
 * ```ts
 * import session from 'express-session';
 * import { LogcacheSessionStore } from 'logcache/express-session';
 * app.use(session({ store: new LogcacheSessionStore({ directory: '/var/cache/app' }), secret, resave: false, saveUninitialized: false }));
 * ```
 * `all()` and `length()` walk the cache's keys (for administration, not for request paths); everything else is
 * one or two operations on one key.
 */
export class LogcacheSessionStore extends session.Store {
  /** The cache the sessions live in. */
  readonly cache: StoreBackend;
  readonly prefix: string;
  readonly #ttl: number | ((sess: SessionData) => number);
  readonly #serializer: SessionSerializer;
  readonly #owned: boolean;

  /** @throws TypeError for bad options (a cache that is not one, a non-string prefix, a bad ttl or serializer). */
  constructor(options: LogcacheSessionStoreOptions = {}) {
    super();
    const prefix = options.prefix ?? 'sess:';
    if (typeof prefix !== 'string') throw new TypeError(`prefix must be a string; got ${typeof prefix}`);
    const ttl = options.ttl ?? 86_400;
    if (typeof ttl !== 'function' && (typeof ttl !== 'number' || !(ttl > 0))) throw new RangeError(`ttl must be seconds > 0 or a function; got ${String(ttl)}`);
    const serializer = options.serializer ?? JSON;
    if (typeof serializer?.stringify !== 'function' || typeof serializer.parse !== 'function') throw new TypeError('serializer must have stringify and parse');
    const { cache, owned } = openBackend(options, 'LogcacheSessionStore');
    this.cache = cache;
    this.#owned = owned;
    this.prefix = prefix;
    this.#ttl = ttl;
    this.#serializer = serializer;
  }

  #key(sid: string): Key {
    if (typeof sid !== 'string') throw new TypeError(`sid must be a string; got ${typeof sid}`);
    return ['sess', this.prefix, sid];
  }

  #tag(): Key {
    return ['sess', this.prefix];
  }

  /** Seconds the session has left: its cookie's expiry, else `ttl`. */
  #expire(sess: SessionData): number {
    const expires = sess?.cookie?.expires;
    if (expires) return (new Date(expires).getTime() - Date.now()) / 1000; // past: stored already expired
    return typeof this.#ttl === 'function' ? this.#ttl(sess) : this.#ttl;
  }

  #load(sid: string): SessionData | null {
    const text = read(this.cache, this.#key(sid));
    return text === undefined ? null : (this.#serializer.parse(text as string) as SessionData);
  }

  /** The session `sid`, or null when there is none or it expired. */
  get(sid: string, callback: Callback<SessionData | null>): void {
    settle(callback, () => this.#load(sid));
  }

  /** Stores the session, expiring when its cookie does. */
  set(sid: string, sess: SessionData, callback?: Callback): void {
    settle(callback, () => {
      const key = this.#key(sid);
      return writeWhenWritable(this.cache, key, () => {
        this.cache.set(key, this.#serializer.stringify(sess), { expire: this.#expire(sess), tag: this.#tag() });
      });
    });
  }

  /** Removes the session (a logout, for every process). */
  destroy(sid: string, callback?: Callback): void {
    settle(callback, () => {
      const key = this.#key(sid);
      return writeWhenWritable(this.cache, key, () => { this.cache.delete(key); });
    });
  }

  /**
   * Extends a live session to its cookie's new expiry and stores that cookie (the session's data stays as stored,
   * whatever another process wrote meanwhile). A missing or expired session stays gone.
   */
  override touch(sid: string, sess: SessionData, callback?: () => void): void {
    settle(callback as Callback, () => {
      const key = this.#key(sid);
      return writeWhenWritable(this.cache, undefined, () => this.cache.transact(() => {
        const stored = this.#load(sid);
        if (stored === null) return;
        stored.cookie = sess.cookie;
        this.cache.set(key, this.#serializer.stringify(stored), { expire: this.#expire(sess), tag: this.#tag() });
      }), true);
    });
  }

  /** Every live session of this prefix, by id (walks the cache's keys). */
  override all(callback: Callback<{ [sid: string]: SessionData }>): void {
    settle(callback, () => {
      const out: { [sid: string]: SessionData } = {};
      for (const sid of this.#ids()) {
        const sess = this.#load(sid);
        if (sess !== null) out[sid] = sess;
      }
      return out;
    });
  }

  /** How many live sessions this prefix has (walks the cache's keys). */
  override length(callback: Callback<number>): void {
    settle(callback, () => {
      let n = 0;
      for (const sid of this.#ids()) if (this.cache.has(this.#key(sid))) n++;
      return n;
    });
  }

  /** Removes every session of this prefix. */
  override clear(callback?: Callback): void {
    settle(callback, () => writeWhenWritable(this.cache, undefined, () => { this.cache.evict(this.#tag()); }, true));
  }

  /** Closes the cache if the store opened it (given a directory). */
  close(): void {
    if (this.#owned) this.cache.close();
  }

  *#ids(): IterableIterator<string> {
    for (const k of this.cache.keys()) {
      if (Array.isArray(k) && k.length === 3 && k[0] === 'sess' && k[1] === this.prefix && typeof k[2] === 'string') yield k[2];
    }
  }
}

export default LogcacheSessionStore;
