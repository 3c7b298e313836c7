/**
 * logcache/next: a Next.js `cacheHandler` (the App Router's incremental cache: ISR pages, route handlers and the
 * fetch cache) on a logcache Cache, so every `next start` process of a self-hosted site, on one machine or one
 * volume, serves and revalidates one cache instead of one per process.
 *
 * Layout in the cache:
 * - `['next', 'e', key]`: an entry `{ lastModified, value, cacheControl, tags }`, expiring with its cacheControl's
 *   `expire` when it has one; tagged `['next']` (so `clear()` is one evict).
 * - `['next', 'm', tag, key]`: the entry's membership in `tag`, tagged `['next-tag', tag]`. revalidateTag(tag) is
 *   `evict(['next-tag', tag])`: one atomic step for every process, and an entry missing any of its memberships is a
 *   miss from then on (and removed on that read).
 * - `['next', 't', tag]`: when `tag` was last revalidated (ms). Only soft tags (a page's implicit tags, which its
 *   fetches do not store) are checked against it: a fetch cached before its page was revalidated is a miss.
 * Nothing of Next is loaded here: its handler contract is described by the types below (checked against Next's own
 * in the tests).
 */
import type { Key } from '../index.js';
import { BackendOptions, StoreBackend, openBackend, read, writeWhenWritable } from './backend.js';

/** The `ctx` Next passes to `get` (fetch entries carry their tags and the page's soft tags). */
export interface NextGetContext {
  kind: string;
  tags?: string[];
  softTags?: string[];
  revalidate?: number | false;
  fetchUrl?: string;
  fetchIdx?: number;
  isFallback?: boolean;
  isRoutePPREnabled?: boolean;
}

/** The `ctx` Next passes to `set` (fetch entries: `tags`; responses: `cacheControl`). */
export interface NextSetContext {
  kind?: string;
  fetchCache?: boolean;
  tags?: string[];
  cacheControl?: { revalidate?: number | false; expire?: number };
  fetchUrl?: string;
  fetchIdx?: number;
  isImplicitBuildTimeCache?: boolean;
  isFallback?: boolean;
  isRoutePPREnabled?: boolean;
}

/** A cached value as Next hands it over (`kind`, and per kind html, rscData, body, headers, data, ...). */
export type NextCacheValue = { kind: string; headers?: object; tags?: readonly string[] } | null;

/** What `get` answers: Next's CacheHandlerValue. */
export interface NextCacheEntry {
  lastModified: number;
  value: NextCacheValue;
  cacheControl?: { revalidate?: number | false; expire?: number };
}

interface StoredEntry extends NextCacheEntry {
  tags: string[];
}

export interface NextCacheHandlerOptions extends BackendOptions {}

/** Next's tag header on page and route entries (NEXT_CACHE_TAGS_HEADER). */
const TAGS_HEADER = 'x-next-cache-tags';
const ENTRIES: Key = ['next'];
/** Next stamps entries and tags with this clock (ms): the same one here keeps comparisons meaningful. */
const nowMs = () => Math.floor(performance.timeOrigin + performance.now());

/** The tags an entry is stored under: a fetch's own, or a page's/route's header. */
function tagsOf(data: NextCacheValue, ctx: NextSetContext): string[] {
  if (ctx.fetchCache) return [...new Set([...(ctx.tags ?? []), ...(data?.tags ?? [])])];
  const header = (data?.headers as Record<string, unknown> | undefined)?.[TAGS_HEADER];
  return typeof header === 'string' && header !== '' ? [...new Set(header.split(','))] : [];
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string; got ${typeof key}`);
  return key;
}

/**
 * The handler's work, on one cache shared by every handler instance of the process (Next constructs one per
 * request).
 */
export class NextCacheStore {
  readonly cache: StoreBackend;
  readonly #owned: boolean;

  /** @throws TypeError for bad options (see `directory`/`cache`). */
  constructor(options: NextCacheHandlerOptions = {}) {
    const { cache, owned } = openBackend(options, 'logcache/next');
    this.cache = cache;
    this.#owned = owned;
  }

  /**
   * The entry for `key`, or null when missing, expired, or revalidated: one of its tags was revalidated since it
   * was stored (its membership is gone), or, for a fetch, one of the page's soft tags was revalidated after it.
   */
  get(key: string, ctx: NextGetContext = { kind: '' }): NextCacheEntry | null {
    const found = this.#lookup(key, ctx);
    if (found.revoked) found.revoked();
    return found.entry;
  }

  /** get for asynchronous callers (the handler): a revalidated entry's removal waits for another process's
   * transaction with timers (writeWhenWritable), not blocking the event loop. */
  async getAsync(key: string, ctx: NextGetContext = { kind: '' }): Promise<NextCacheEntry | null> {
    const found = this.#lookup(key, ctx);
    if (found.revoked) await writeWhenWritable(this.cache, undefined, found.revoked, true);
    return found.entry;
  }

  /** The entry get answers, and when it was revalidated (so answered null), the removal to run. */
  #lookup(key: string, ctx: NextGetContext): { entry: NextCacheEntry | null; revoked?: () => void } {
    const k = checkKey(key);
    const entry = read(this.cache, ['next', 'e', k]) as StoredEntry | undefined;
    if (entry === undefined || typeof entry !== 'object' || entry === null || !Array.isArray(entry.tags)) return { entry: null };
    const revoked = entry.tags.some((tag) => !this.cache.has(['next', 'm', tag, k]))
      || (ctx.softTags ?? []).some((tag) => Number(read(this.cache, ['next', 't', tag]) ?? -Infinity) > entry.lastModified);
    if (revoked) return { entry: null, revoked: () => this.#remove(k, entry) };
    const { tags: _tags, ...out } = entry;
    return { entry: out };
  }

  /** Stores the entry and its tag memberships in one transaction (replacing any entry for `key`). */
  set(key: string, data: NextCacheValue, ctx: NextSetContext = {}): void {
    const k = checkKey(key);
    const tags = tagsOf(data, ctx);
    const cacheControl = ctx.fetchCache ? undefined : ctx.cacheControl;
    const expire = typeof cacheControl?.expire === 'number' && Number.isFinite(cacheControl.expire) && cacheControl.expire > 0 ? cacheControl.expire : null;
    const entry: StoredEntry = { lastModified: nowMs(), value: data, tags, ...(cacheControl ? { cacheControl } : {}) };
    this.cache.transact(() => {
      const old = read(this.cache, ['next', 'e', k]) as StoredEntry | undefined;
      if (old && Array.isArray(old.tags)) for (const tag of old.tags) if (!tags.includes(tag)) this.cache.delete(['next', 'm', tag, k]);
      this.cache.set(['next', 'e', k], entry, { expire, tag: ENTRIES });
      for (const tag of tags) this.cache.set(['next', 'm', tag, k], entry.lastModified, { expire, tag: ['next-tag', tag] });
    });
  }

  /**
   * Revalidates `tags` for every process: their entries become misses (regenerated on their next request). With
   * Next's `durations` (revalidateTag(tag, profile)), Next would serve the stale entry once more while it
   * regenerates; here the entry is regenerated before it is served (never staler than Next's own handler).
   */
  revalidateTag(tags: string | string[]): void {
    const list = typeof tags === 'string' ? [tags] : tags;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new TypeError('tags must be a string or an array of strings');
    const at = nowMs();
    for (const tag of list) {
      this.cache.set(['next', 't', tag], at);
      this.cache.evict(['next-tag', tag]);
    }
  }

  #remove(key: string, entry: StoredEntry): void {
    this.cache.transact(() => {
      // Only if it is still the entry read (another process may have regenerated it meanwhile).
      const now = read(this.cache, ['next', 'e', key]) as StoredEntry | undefined;
      if (now?.lastModified !== entry.lastModified) return;
      this.cache.delete(['next', 'e', key]);
      for (const tag of entry.tags) this.cache.delete(['next', 'm', tag, key]);
    });
  }

  /** Removes every entry (tag records stay: they only make older entries misses). */
  clear(): void {
    this.cache.evict(ENTRIES);
    this.cache.transact(() => {
      for (const k of [...this.cache.keys()]) if (Array.isArray(k) && k[0] === 'next' && k[1] === 'm') this.cache.delete(k);
    });
  }

  /** Closes the cache if it was opened from a directory. */
  close(): void {
    if (this.#owned) this.cache.close();
  }
}

/** The class Next instantiates (`new CacheHandler(ctx)`): Next's CacheHandler contract, on one shared store. */
export interface NextCacheHandlerClass {
  new (ctx?: unknown): {
    get(key: string, ctx: NextGetContext): Promise<NextCacheEntry | null>;
    set(key: string, data: NextCacheValue, ctx: NextSetContext): Promise<void>;
    revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>;
    resetRequestCache(): void;
  };
  /** The store every instance uses. */
  readonly store: NextCacheStore;
}

/**
 * Makes the class to export from the file `cacheHandler` names in next.config:
 * ```js
 * // cache-handler.mjs
 * import { createCacheHandler } from 'logcache/next';
 * export default createCacheHandler({ directory: process.env.NEXT_CACHE_DIR ?? '.next/logcache' });
 * // next.config.mjs: { cacheHandler: fileURLToPath(new URL('./cache-handler.mjs', import.meta.url)) }
 * ```
 * Next constructs the class for every request; the cache opens on the first one, once per process, and every
 * instance shares it.
 */
export function createCacheHandler(options: NextCacheHandlerOptions = {}): NextCacheHandlerClass {
  let store: NextCacheStore | undefined;
  const shared = () => (store ??= new NextCacheStore(options));
  return class LogcacheNextCacheHandler {
    static get store(): NextCacheStore { return shared(); }
    // Writes wait for another process's transaction with timers (writeWhenWritable): the event loop runs meanwhile.
    async get(key: string, ctx: NextGetContext): Promise<NextCacheEntry | null> { return shared().getAsync(key, ctx); }
    async set(key: string, data: NextCacheValue, ctx: NextSetContext): Promise<void> {
      const s = shared();
      await writeWhenWritable(s.cache, undefined, () => s.set(key, data, ctx), true);
    }
    async revalidateTag(tags: string | string[]): Promise<void> {
      const s = shared();
      await writeWhenWritable(s.cache, undefined, () => s.revalidateTag(tags), true);
    }
    /** Nothing is kept per request. */
    resetRequestCache(): void {}
  };
}

export default createCacheHandler;
