/**
 * The type test: lines that must compile, and `@ts-expect-error` lines that must not (an unused
 * @ts-expect-error is itself an error). scripts/check-types.mjs compiles it against the sources with the project's
 * TypeScript, and against the built declarations with TypeScript 5.0 and skipLibCheck false. Never run.
 */
import {
  BoundedSemaphore, Cache, Deque, FanoutCache, Index, Lock, RLock, barrier, memoize, memoizeStampede, throttle,
} from 'logcache';
import type { Key, LockGuard, MemoizedFunction } from 'logcache';

declare const cache: Cache;
declare const fan: FanoutCache;
declare const index: Index<string, number>;

export async function types(): Promise<void> {
  // ---- memoize keeps its function's type (Cache, FanoutCache, Index, standalone) -------------------------------
  const slowSquare = cache.memoize({ name: 'slowSquare', expire: 300 })(async (n: number) => n * n);
  const squared: number = await slowSquare(12);
  // @ts-expect-error the argument is a number
  slowSquare('x');
  // @ts-expect-error one argument
  slowSquare(1, 2);
  const key: Key = slowSquare.cacheKey(3);
  const fanSquare = fan.memoize({ name: 'sq' })((n: number) => String(n));
  const s: string = fanSquare(2);
  // @ts-expect-error returns a string
  const wrong: number = fanSquare(2);
  const indexed = index.memoize({ name: 'ix' })((a: string, b: boolean) => [a, b] as const);
  const pair: readonly [string, boolean] = indexed('a', true);
  const standalone = memoize(cache)(function add(a: number, b: number) { return a + b; });
  const sum: number = standalone(1, 2);
  const typedWrapper: MemoizedFunction<(a: number, b: number) => number> = standalone;
  const stampede = memoizeStampede(cache, 60, { name: 'st' })(async (n: number) => n + 1);
  const stamped: number = await stampede(1);
  const throttled = throttle(cache, 1, 1, { name: 'th' })((n: number) => n);
  const th: number = await throttled(1);
  const barred = barrier(cache, BoundedSemaphore, { name: 'bs' })((n: number) => n);
  const bb: number = await barred(2);
  // @ts-expect-error throttled takes a number
  void throttled('x');

  // ---- reads are typed ----------------------------------------------------------------------------------------
  const maybe: number | undefined = cache.get<number>('k');
  // @ts-expect-error a miss is undefined
  const sure: number = cache.get<number>('k');
  const withDefault: number = cache.get('k', { default: 0 });
  const explicit: string | null = cache.get<string | null>('k', { default: null });
  const [v1, e1, t1] = cache.get<number>('k', { expireTime: true, tag: true });
  const checkV1: number | undefined = v1;
  const checkE1: number | null = e1;
  const checkT1: Key | null = t1;
  const [v2, e2] = cache.get('k', { expireTime: true, default: 'd' });
  const checkV2: string = v2;
  const checkE2: number | null = e2;
  const [, t3] = cache.get<number>('k', { tag: true });
  const checkT3: Key | null = t3;
  // @ts-expect-error with expireTime the result is a tuple
  const notTuple: number | undefined = cache.get<number>('k', { expireTime: true });
  const popped: Buffer | undefined = cache.pop<Buffer>('k');
  const [pv, pe] = cache.pop<number>('k', { expireTime: true, default: 1 });
  const checkPv: number = pv;
  const checkPe: number | null = pe;
  const fanGet: number | undefined = fan.get<number>('k');
  const fanPop: string = fan.pop('k', { default: 'x' });
  const item: string = cache.getItem<string>('k');

  // ---- queues ---------------------------------------------------------------------------------------------------
  const [qk, qv] = cache.pull<string>();
  const checkQk: Key | undefined = qk;
  const checkQv: string | undefined = qv;
  const orNull = cache.pull<string, null>({ default: null });
  if (orNull !== null) {
    const value: string = orNull[1];
  }
  const [[pk, pvv], pexp] = cache.peek<number>({ expireTime: true, side: 'back' });
  const checkPk: Key | undefined = pk;
  const checkPvv: number | undefined = pvv;
  const checkPexp: number | null = pexp;
  const [ik, iv]: [Key, number] = cache.peekitem<number>();

  // ---- counters -----------------------------------------------------------------------------------------------
  const n: number = cache.incr('n');
  const big: bigint = cache.incr('b', { delta: 1n });
  const bigDefault: bigint = cache.decr('b', { default: 0n });
  const stored: bigint = cache.incr<bigint>('b');
  // @ts-expect-error a bigint delta gives a bigint
  const notNumber: number = cache.incr('b', { delta: 1n });
  // @ts-expect-error delta is a number or a bigint
  cache.incr('n', { delta: '1' });

  // ---- FanoutCache's sub-collections are generic ---------------------------------------------------------------
  const d: Deque<number> = fan.deque<number>('q');
  d.append(1);
  // @ts-expect-error a Deque<number>
  d.append('x');
  const has: boolean = d.includes(1);
  const at: number = d.indexOf(1);
  const ix: Index<string, { id: number }> = fan.index<string, { id: number }>('users');
  const user: { id: number } | undefined = ix.get('u1');
  const userOr: { id: number } | null = ix.get('u1', null);
  // @ts-expect-error values are { id: number }
  ix.set('u2', 'no');
  const asMap: Map<string, number> = index;

  // ---- locks ----------------------------------------------------------------------------------------------------
  const lock = new Lock(cache, 'l');
  const guard: LockGuard = await lock.acquire({ timeout: 5, signal: AbortSignal.timeout(1000) });
  guard.release();
  const disposer: () => PromiseLike<void> = guard[Symbol.asyncDispose];
  const rguard: LockGuard = await new RLock(cache, 'r').acquire();
  const sem = new BoundedSemaphore(cache, 's', { value: 2 });
  const semGuard: LockGuard = await sem.acquire({ timeout: null });
  // @ts-expect-error timeout is seconds
  await lock.acquire({ timeout: '5' });

  // ---- public declarations do not expose the engine ------------------------------------------------------------
  const closed: void = cache.close();
  void [squared, key, s, wrong, pair, sum, typedWrapper, stamped, th, bb, maybe, sure, withDefault, explicit, checkV1, checkE1,
    checkT1, checkV2, checkE2, checkT3, notTuple, popped, checkPv, checkPe, fanGet, fanPop, item, checkQk, checkQv, checkPk,
    checkPvv, checkPexp, ik, iv, n, big, bigDefault, stored, notNumber, has, at, user, userOr, asMap, disposer, rguard,
    semGuard, closed];
}
