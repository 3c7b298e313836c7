/** diskcache's Averager recipe: a running average kept in a cache, updated atomically across processes. */
import type { Key } from '../format/keys.js';
import { checkRecipe } from './locks.js';
import type { RecipeCache, RecipeOptions } from './recipes.js';

/** A running average stored as [total, count]. */
export class Averager {
  /** @throws TypeError naming `cache`, `key` or `opts`. */
  constructor(readonly cache: RecipeCache, readonly key: Key, readonly opts: RecipeOptions = {}) {
    checkRecipe(cache, key, opts);
  }

  /** Adds `value` to the average (atomically across processes). */
  add(value: number): void {
    this.cache.transact(() => {
      const [total, count] = (this.cache.get(this.key, { default: [0, 0], retry: true }) as [number, number]);
      this.cache.set(this.key, [total + value, count + 1], { ...this.opts, retry: true });
    }, { retry: true });
  }

  /** The average, or null when nothing was added. */
  get(): number | null {
    const [total, count] = this.cache.get(this.key, { default: [0, 0], retry: true }) as [number, number];
    return count === 0 ? null : total / count;
  }

  /** Removes the average and returns it (null when nothing was added). */
  pop(): number | null {
    const [total, count] = this.cache.pop(this.key, { default: [0, 0], retry: true }) as [number, number];
    return count === 0 ? null : total / count;
  }
}
