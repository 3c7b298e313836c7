/** Running a call again while another process's transaction makes it time out (diskcache's retry loops). */
import { Timeout } from '../errors.js';

/**
 * Runs `fn` until it completes without Timeout: each attempt waits up to the handle's timeout, so a call that must
 * not fail on a busy store (stats, reset, FanoutCache's aggregates) waits as long as the other process holds it.
 */
export function retrying<T>(fn: () => T): T {
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof Timeout)) throw err;
    }
  }
}
