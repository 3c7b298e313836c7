/**
 * The kill -9 loop's journal and its checker. A writer process appends two lines per operation to its own
 * journal file (a plain O_APPEND file, so whatever was written survives the writer's SIGKILL): the intent, before
 * the call, and the acknowledgement with the call's result, after it returned. The supervisor replays the journals
 * against a model:
 *
 * - every acknowledged result must be what the model says (a writer owns its keys, so each result is determined;
 *   a read that returns anything else is a wrong value);
 * - after a kill, every key holds exactly what the acknowledged operations imply, except the key(s) of the one
 *   operation in flight, which hold either the state before it or the state after it, never a mix (a
 *   transaction's keys all move or none do; a value file is whole or absent);
 * - shared keys: the sum of the accounts moved by transactions never changes, no two acknowledged increments of
 *   the shared counter returned the same value and none is lost, and each claimed key is won at most once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { encodeKey, hashEncodedKey } from '../../src/format/keys.js';
import type { Cache } from '../../src/api/cache.js';
import type { FanoutCache } from '../../src/api/fanout.js';
import { same, show } from './harness.js';

export const SMALL_KEYS = 24;
export const BIG_KEYS = 2;
export const COUNTERS = 4;
export const ACCOUNTS = 4;
export const ACCOUNT_START = 1000;
/**
 * Keys a writer sets now and then, with larger values, each seldom overwritten (one of many, picked at random): the
 * bases that hold them stay mostly live for a while, so a background compaction writes a chain link (a base holding
 * what changed since the newest base, on top of the older ones) rather than a whole base, and merges the oldest bases
 * as they die (docs/engine.md, "Chains of bases"). With only the small, hot key space above, every base is soon mostly
 * dead and nearly every compaction writes a whole base.
 */
export const COLD_KEYS = 1500;
/** Bytes of a "big" value: above diskMinFileSize (32 KiB), so it lives in a value file. */
export const BIG_BYTES = 40_000;
/**
 * FanoutCache arena: the keys of a transaction group, and the accounts, are spread over the shards (key j on shard
 * j mod shards), so every transaction and transfer commits on several shards at once (FanoutCache.transact is atomic
 * across shards: a kill between two shards' commits must leave all of it or none).
 */

export type Op =
  | { s: number; op: 'set' | 'add'; k: string; v: string }
  | { s: number; op: 'big'; k: string; id: string }
  | { s: number; op: 'del' | 'pop' | 'get'; k: string }
  | { s: number; op: 'incr'; k: string; d: number }
  | { s: number; op: 'txn'; k: [string, string, string]; v: string; d: number }
  | { s: number; op: 'ctr' }
  | { s: number; op: 'xfer'; from: string; to: string; amt: number }
  | { s: number; op: 'claim'; k: string; v: string }
  | { s: number; op: 'push'; q: string; v: string }
  | { s: number; op: 'pull'; q: string }
  | { s: number; op: 'compact' };

type Ack = { a: number; r: unknown };
/** `link`: the crash landed in a chain link's compaction, or in a read of a link (writer.ts). */
type CrashMark = { crash: string; call: string; path: string | null; link?: boolean };
type Drift = { diverged: string[] };

/** A value the model expects: missing, a string, a number, or a big value (a file) named by its id. */
type Expect = null | string | number | { big: string };

function shardOf(key: string, shards: number): number {
  return hashEncodedKey(encodeKey(key)) % shards;
}

/** `count` keys named `${stem}${j}` (j = 0, 1, ...), the i-th on shard i mod `shards` (any when shards = 0). */
function keysSpread(stem: string, count: number, shards: number): string[] {
  const out: string[] = [];
  for (let j = 0; out.length < count; j++) if (shards === 0 || shardOf(`${stem}${j}`, shards) === out.length % shards) out.push(`${stem}${j}`);
  return out;
}

export interface SlotKeys {
  small: string[];
  big: string[];
  counters: string[];
  /** COLD_KEYS keys, each seldom overwritten. */
  cold: string[];
  group: [string, string, string];
  queue: string;
}

export function slotKeys(slot: number, shards: number): SlotKeys {
  const p = `s${slot}:`;
  const g = keysSpread(`${p}g`, 3, shards);
  return {
    small: Array.from({ length: SMALL_KEYS }, (_, j) => `${p}k${j}`),
    big: Array.from({ length: BIG_KEYS }, (_, j) => `${p}b${j}`),
    counters: Array.from({ length: COUNTERS }, (_, j) => `${p}n${j}`),
    cold: Array.from({ length: COLD_KEYS }, (_, j) => `${p}c${j}`),
    group: [g[0], g[1], g[2]],
    queue: `s${slot}q`,
  };
}

export function accountKeys(shards: number): string[] {
  return keysSpread('acct:', ACCOUNTS, shards);
}

/** The bytes of big value `id`: the id, then a pattern that depends on the id and the position (a torn or mixed
 * value never checks out). */
export function bigValue(id: string): Buffer {
  const b = Buffer.alloc(BIG_BYTES);
  b.write(id.padEnd(32, ' '), 0, 'latin1');
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  for (let i = 32; i < BIG_BYTES; i++) b[i] = (h + i * 31) & 0xff;
  return b;
}

/** What a writer journals for a Buffer it read: the id in its first bytes and whether the rest checks out. */
export function describeBig(v: unknown): unknown {
  if (!Buffer.isBuffer(v)) return v;
  const id = v.toString('latin1', 0, 32).trimEnd();
  return { big: id, ok: v.equals(bigValue(id)) };
}

type Handle = Cache | FanoutCache;

/** Reads `key` through a handle as the model sees it (big values as { big: id }, failing on a torn one). */
function observe(h: Handle, key: string, where: string): Expect {
  const v = h.get(key, { default: null });
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  const d = describeBig(v) as { big?: string; ok?: boolean } | null;
  assert.ok(typeof d === 'object' && d !== null && d.ok === true, `${where}: ${key} holds a damaged value (${show(d)})`);
  return { big: d.big! };
}

/** The string keys a Cache holds, for the queue checks: one iterkeys() scan per check serves every slot. Empty for
 * a FanoutCache (its arena has no queues). */
export function storedKeys(h: Handle): string[] {
  return 'pull' in h ? [...h.iterkeys()].filter((k): k is string => typeof k === 'string') : [];
}

/** Reads a journal file: the parsed lines, dropping a last line cut by the kill. */
export function readJournal(file: string): (Op | Ack | CrashMark | Drift)[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.pop(); // after the last '\n': empty, or a line the kill cut short
  return lines.map((l) => JSON.parse(l) as Op | Ack | CrashMark | Drift);
}

/** Everything shared between the writers of one arena. */
export class SharedModel {
  readonly accounts: string[];
  /** Values returned by acknowledged increments of 'ctr' (each at most once). */
  readonly counterValues = new Map<number, string>();
  counterAcked = 0;
  /** Increments of 'ctr' in flight when their writer was killed (each may or may not have applied). */
  counterInflight = 0;
  /** Claim key → the value of the writer whose add won it. */
  readonly claims = new Map<string, string>();
  /** Claims in flight when their writer was killed: key → candidate values. */
  readonly claimsInflight = new Map<string, Set<string>>();

  constructor(shards: number) {
    this.accounts = accountKeys(shards);
  }

  /** Checks the shared keys: the accounts in one transaction (isolated), and with `quiet` (no writer running) all. */
  verify(h: Handle, quiet: boolean, where: string): number {
    const sum = h.transact(() => this.accounts.reduce((n, k) => n + (h.get(k) as number), 0), { retry: true });
    assert.equal(sum, ACCOUNTS * ACCOUNT_START, `${where}: the accounts sum to ${sum}: a transfer was half-applied`);
    let checked = 1;
    for (const [k, v] of this.claims) {
      assert.equal(h.get(k), v, `${where}: claim ${k} won by ${v} holds ${show(h.get(k))}`);
      checked++;
    }
    if (!quiet) return checked;
    const ctr = (h.get('ctr') as number | null) ?? 0;
    assert.ok(ctr >= this.counterAcked && ctr <= this.counterAcked + this.counterInflight,
      `${where}: ctr = ${ctr} after ${this.counterAcked} acknowledged increments (+${this.counterInflight} in flight): an increment was lost or invented`);
    const max = Math.max(0, ...this.counterValues.keys());
    assert.ok(ctr >= max, `${where}: ctr = ${ctr} but an increment returned ${max}`);
    for (const [k, candidates] of this.claimsInflight) {
      const v = h.get(k, { default: null });
      if (this.claims.has(k)) continue;
      assert.ok(v === null || (typeof v === 'string' && candidates.has(v)), `${where}: claim ${k} holds ${show(v)}, which no writer claimed`);
      if (typeof v === 'string') this.claims.set(k, v);
    }
    this.claimsInflight.clear();
    return checked + 1;
  }
}

/** The model of one writer slot (its keys, across every generation of its process). */
export class SlotModel {
  readonly keys: SlotKeys;
  readonly values = new Map<string, Expect>();
  /** The queue as [key, value], front first (Cache arena only). */
  queue: [string, string][] = [];
  acknowledged = 0;

  constructor(slot: number, shards: number, readonly shared: SharedModel) {
    this.keys = slotKeys(slot, shards);
  }

  get(k: string): Expect {
    return this.values.get(k) ?? null;
  }

  /**
   * Replays one journal (one generation of the slot's process): checks every acknowledged result against the
   * model and applies it. Returns the operation in flight at the kill (intent without acknowledgement) and the
   * crash point the writer hit, if any.
   */
  replay(entries: (Op | Ack | CrashMark | Drift)[], where: string): { inflight: Op | null; crash: CrashMark | null } {
    let pending: Op | null = null;
    let crash: CrashMark | null = null;
    for (const e of entries) {
      if ('diverged' in e) assert.fail(`${where}: this writer's view drifted from the log: ${JSON.stringify(e.diverged)}`);
      if ('crash' in e) crash = e;
      else if ('a' in e) {
        assert.ok(pending && pending.s === e.a, `${where}: acknowledgement ${e.a} without its intent`);
        this.#acked(pending, e.r, `${where} op ${e.a} (${pending.op})`);
        this.acknowledged++;
        pending = null;
      } else {
        assert.ok(pending === null, `${where}: intent ${e.s} while ${(pending as Op | null)?.s} is unacknowledged`);
        pending = e;
      }
    }
    return { inflight: pending, crash };
  }

  #acked(op: Op, r: unknown, where: string): void {
    const expectResult = (want: unknown) => assert.ok(same(r, want), `${where}: returned ${show(r)}, the acknowledged history says ${show(want)}`);
    switch (op.op) {
      case 'set':
        expectResult(true);
        this.values.set(op.k, op.v);
        return;
      case 'big':
        expectResult(true);
        this.values.set(op.k, { big: op.id });
        return;
      case 'add': {
        const absent = this.get(op.k) === null;
        expectResult(absent);
        if (absent) this.values.set(op.k, op.v);
        return;
      }
      case 'del':
        expectResult(this.get(op.k) !== null);
        this.values.set(op.k, null);
        return;
      case 'pop':
        expectResult(this.get(op.k));
        this.values.set(op.k, null);
        return;
      case 'get': {
        const cur = this.get(op.k);
        expectResult(cur !== null && typeof cur === 'object' ? { big: cur.big, ok: true } : cur);
        return;
      }
      case 'incr': {
        const next = ((this.get(op.k) as number | null) ?? 0) + op.d;
        expectResult(next);
        this.values.set(op.k, next);
        return;
      }
      case 'txn': {
        expectResult(true);
        const [a, b, c] = op.k;
        this.values.set(a, op.v);
        this.values.set(b, op.v);
        this.values.set(c, ((this.get(c) as number | null) ?? 0) + op.d);
        return;
      }
      case 'ctr':
        assert.ok(typeof r === 'number' && !this.shared.counterValues.has(r), `${where}: incr of ctr returned ${show(r)}, as ${this.shared.counterValues.get(r as number)} did`);
        this.shared.counterValues.set(r as number, where);
        this.shared.counterAcked++;
        return;
      case 'xfer':
      case 'compact':
        expectResult(true);
        return;
      case 'claim':
        if (r === true) {
          const prior = this.shared.claims.get(op.k);
          assert.ok(prior === undefined || prior === op.v, `${where}: ${op.k} claimed by ${op.v} and by ${prior}`);
          this.shared.claims.set(op.k, op.v);
        } else expectResult(false);
        return;
      case 'push': {
        assert.ok(typeof r === 'string' && r.startsWith(`${op.q}-`), `${where}: push returned ${show(r)}`);
        const last = this.queue.at(-1);
        assert.ok(last === undefined || r > last[0], `${where}: push returned ${r}, not after ${last?.[0]}`);
        this.queue.push([r as string, op.v]);
        return;
      }
      case 'pull': {
        const front = this.queue.shift();
        expectResult(front ?? [null, null]);
        return;
      }
    }
  }

  /** The queue's items as stored now (Cache arena), from `stored` (storedKeys). */
  #queueNow(h: Cache, stored: readonly string[]): [string, string][] {
    const prefix = `${this.keys.queue}-`;
    return stored.filter((k) => k.startsWith(prefix)).map((k) => [k, h.get(k) as string]);
  }

  /**
   * Decides the operation in flight at the kill from what the store holds: the state before it or after it,
   * nothing else. Updates the model to what happened. `stored`: storedKeys(h), listed after this slot's writer died.
   */
  resolve(op: Op, h: Handle, where: string, stored: readonly string[]): 'applied' | 'not applied' | 'unknown' {
    where = `${where} in-flight op ${op.s} (${op.op})`;
    const oneOf = (k: string, options: Expect[]) => {
      const v = observe(h, k, where);
      assert.ok(options.some((o) => same(o, v)), `${where}: ${k} holds ${show(v)}; before/after the op: ${options.map(show).join(' | ')}`);
      const result = same(v, options[0]) ? 'not applied' : 'applied';
      this.values.set(k, v);
      return options.length > 1 && same(options[0], options[1]) ? 'unknown' : result;
    };
    switch (op.op) {
      case 'set':
        return oneOf(op.k, [this.get(op.k), op.v]);
      case 'add':
        return oneOf(op.k, this.get(op.k) === null ? [null, op.v] : [this.get(op.k)]);
      case 'big':
        return oneOf(op.k, [this.get(op.k), { big: op.id }]);
      case 'del':
      case 'pop':
        return oneOf(op.k, [this.get(op.k), null]);
      case 'get':
      case 'xfer':
      case 'compact':
        return 'unknown';
      case 'incr':
        return oneOf(op.k, [this.get(op.k), ((this.get(op.k) as number | null) ?? 0) + op.d]);
      case 'txn': {
        const [a, b, c] = op.k;
        const before = [this.get(a), this.get(b), this.get(c)];
        const after = [op.v, op.v, ((this.get(c) as number | null) ?? 0) + op.d];
        const now = [observe(h, a, where), observe(h, b, where), observe(h, c, where)];
        assert.ok(same(now, before) || same(now, after), `${where}: the transaction is half-visible: ${show(now)}; before ${show(before)}, after ${show(after)}`);
        this.values.set(a, now[0]);
        this.values.set(b, now[1]);
        this.values.set(c, now[2]);
        return same(now, after) ? 'applied' : 'not applied';
      }
      case 'ctr':
        this.shared.counterInflight++;
        return 'unknown';
      case 'claim': {
        if (!this.shared.claims.has(op.k)) {
          const set = this.shared.claimsInflight.get(op.k) ?? new Set<string>();
          set.add(op.v);
          this.shared.claimsInflight.set(op.k, set);
        }
        return 'unknown';
      }
      case 'push': {
        const now = this.#queueNow(h as Cache, stored);
        const before = this.queue;
        const ok = same(now, before) || (now.length === before.length + 1 && same(now.slice(0, -1), before) && now.at(-1)![1] === op.v);
        assert.ok(ok, `${where}: queue ${show(now)}; before ${show(before)}`);
        const applied = now.length > before.length;
        this.queue = now;
        return applied ? 'applied' : 'not applied';
      }
      case 'pull': {
        const now = this.#queueNow(h as Cache, stored);
        const ok = same(now, this.queue) || same(now, this.queue.slice(1));
        assert.ok(ok, `${where}: queue ${show(now)}; before ${show(this.queue)}`);
        const applied = now.length < this.queue.length;
        this.queue = now;
        return applied ? 'applied' : 'not applied';
      }
    }
  }

  /** Every key of the slot holds what the model says. Returns how many keys were checked. `stored`: as for resolve. */
  verify(h: Handle, where: string, stored: readonly string[]): number {
    const all = [...this.keys.small, ...this.keys.big, ...this.keys.counters, ...this.keys.group, ...this.keys.cold];
    for (const k of all) {
      const v = observe(h, k, where);
      assert.ok(same(v, this.get(k)), `${where}: ${k} holds ${show(v)}; the acknowledged operations say ${show(this.get(k))}`);
    }
    if ('pull' in h) {
      const now = this.#queueNow(h, stored);
      assert.ok(same(now, this.queue), `${where}: queue ${show(now)}; the acknowledged operations say ${show(this.queue)}`);
    }
    return all.length + 1;
  }
}
