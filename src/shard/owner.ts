/**
 * Who owns a transaction window, and how long it may hold it (docs/engine.md, "Owners and leases").
 *
 * A window's BEGIN carries its owner's identity — pid, the process's start time (clock ticks since boot, from
 * /proc), the pid namespace and the boot id — and a lease deadline. Another process judges the owner dead only when
 * that identity proves it: same boot, same pid namespace, and the pid runs no longer, is a zombie, or now names a
 * process that started at another time (pid reuse, PID 1 restarted). In any other case (another namespace, another
 * host, no /proc) the pid says nothing, and only the lease decides. The owner renews the lease (a LEASE record) while
 * it makes progress: every call of this process on a shard renews all of its windows that are past half their lease.
 * A window whose lease ran out may be closed by anyone with ABORT; its owner then finds its commit not applied and
 * throws TransactionAborted. So no window outlives its owner's ability to finish it by more than one lease, and every
 * wait for a window is bounded by the waiter's timeout.
 */
import * as fs from 'node:fs';
import { randomBytes } from '../builtin.js';
import { processAlive } from './liveness.js';

/** Default lease of a window (ms): how long the owner may go without a call before others may close its window. */
export const DEFAULT_LEASE_MS = 10_000;

/** Bytes of an encoded identity (BEGIN's value; the base trailer carries it too). */
export const IDENTITY_BYTES = 40;
const IDENTITY_VERSION = 1;

export interface OwnerIdentity {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); 0 when unknown. */
  startTicks: number;
  /** Inode of the pid namespace (/proc/self/ns/pid); 0 when unknown (then pids are never judged). */
  pidNs: number;
  /** The kernel's boot id, 16 bytes as hex; '' when unknown. */
  bootId: string;
}

/** Fields 3.. of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

let self: OwnerIdentity | null = null;

/** This process's identity (computed once). */
export function selfIdentity(): OwnerIdentity {
  if (self !== null) return self;
  let startTicks = 0;
  let pidNs = 0;
  let bootId = '';
  try {
    // /proc must show this process under its own pid: else it belongs to another pid namespace (a container
    // without its own /proc mount) and what it says about other pids is about other processes.
    if (fs.readlinkSync('/proc/self') === String(process.pid)) {
      const ns = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'));
      const fields = statFields('self');
      const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim().replace(/-/g, '');
      if (ns && fields && /^[0-9a-f]{32}$/.test(boot)) {
        pidNs = Number(ns[1]);
        startTicks = Number(fields[19]);
        bootId = boot;
      }
    }
  } catch {
    // No /proc (not Linux): identities stay unknown and only leases decide.
  }
  if (!Number.isSafeInteger(startTicks) || !Number.isSafeInteger(pidNs)) startTicks = pidNs = 0;
  self = { pid: process.pid, startTicks, pidNs, bootId };
  return self;
}

/** version u8 | reserved u8 u16 | pid u32 | startTicks f64 | pidNs f64 | bootId 16 bytes = 40 bytes. */
export function encodeIdentity(id: OwnerIdentity): Buffer {
  const b = Buffer.alloc(IDENTITY_BYTES);
  b[0] = IDENTITY_VERSION;
  b.writeUInt32LE(id.pid >>> 0, 4);
  b.writeDoubleLE(id.startTicks, 8);
  b.writeDoubleLE(id.pidNs, 16);
  if (id.bootId.length === 32) b.write(id.bootId, 24, 'hex');
  return b;
}

/** Bytes of a window's id (a FanoutCache transaction's group id is its windows' id). */
export const WINDOW_ID_BYTES = 16;

/** A fresh window id: 16 random bytes. */
export function newWindowId(): Buffer {
  return randomBytes(WINDOW_ID_BYTES);
}

/** The byte after a single-shard window's id (a group's id has none: the layout older BEGINs of groups used). */
const SINGLE_WINDOW = 0;

/**
 * What a BEGIN (and a base trailer) states about a window: its owner's identity, then the window's id (16 random
 * bytes; a FanoutCache transaction's group id), then, for a window that is not part of a group, one 0 byte. An ABORT
 * or TXN that names a window by its id closes that window only (state.ts), so a closer's record that arrives late
 * cannot close the owner's next window. `id` null: no id (a window from an older base).
 */
export function encodeWindow(owner: OwnerIdentity | null, id: Buffer | null, group: boolean): Buffer {
  const who = owner === null ? Buffer.alloc(IDENTITY_BYTES) : encodeIdentity(owner);
  if (id === null) return who;
  return Buffer.concat(group ? [who, id] : [who, id, Buffer.of(SINGLE_WINDOW)]);
}

/** The window id and group id a BEGIN's value (or a base trailer's window) states; null where it states none. */
export function decodeWindowId(buf: Buffer, start: number, length: number): { id: Buffer | null; group: Buffer | null } {
  const end = IDENTITY_BYTES + WINDOW_ID_BYTES;
  if (length < end) return { id: null, group: null };
  const id = Buffer.from(buf.subarray(start + IDENTITY_BYTES, start + end));
  const single = length > end && buf[start + end] === SINGLE_WINDOW;
  return { id, group: single ? null : id };
}

/** The identity in `buf[start, start + length)`, or null when it is not one (an older BEGIN, damaged bytes). */
export function decodeIdentity(buf: Buffer, start: number, length: number): OwnerIdentity | null {
  if (length < IDENTITY_BYTES || buf[start] !== IDENTITY_VERSION) return null;
  const startTicks = buf.readDoubleLE(start + 8);
  const pidNs = buf.readDoubleLE(start + 16);
  if (!Number.isSafeInteger(startTicks) || !Number.isSafeInteger(pidNs) || startTicks < 0 || pidNs < 0) return null;
  const boot = buf.toString('hex', start + 24, start + 40);
  return { pid: buf.readUInt32LE(start + 4), startTicks, pidNs, bootId: /^0+$/.test(boot) ? '' : boot };
}

/**
 * 'dead' only when the identity proves it from here; 'alive' when it proves the owner runs; 'unknown' when the pid
 * cannot be judged from this process (another namespace or host, an older record without identity, no /proc).
 */
export function ownerVerdict(owner: OwnerIdentity | null): 'dead' | 'alive' | 'unknown' {
  const me = selfIdentity();
  if (owner === null || owner.pidNs === 0 || me.pidNs === 0 || owner.bootId === '') return 'unknown';
  if (owner.pidNs !== me.pidNs || owner.bootId !== me.bootId) return 'unknown';
  if (!processAlive(owner.pid)) return 'dead';
  const fields = statFields(owner.pid);
  if (fields === null) return processAlive(owner.pid) ? 'unknown' : 'dead';
  // Same pid, another start time: the pid was reused (or PID 1 restarted); the owner is gone.
  return Number(fields[19]) === owner.startTicks ? 'alive' : 'dead';
}

/** The window's facts as the log states them: what a waiter decides from. */
export interface WindowFacts {
  owner: OwnerIdentity | null;
  /** Lease deadline, epoch seconds. */
  leaseUntil: number;
}

/** Whether a waiter may close the window now: its lease ran out, or its owner is provably gone. */
export function windowAbandoned(w: WindowFacts, nowMs = Date.now()): boolean {
  return nowMs / 1000 > w.leaseUntil || ownerVerdict(w.owner) === 'dead';
}

/** An open window of this thread that renews its lease while the thread makes progress. */
export interface LeaseHolder {
  /** Renews the lease if less than half of it is left; must not throw. */
  renewLease(nowMs: number): void;
}

const holders = new Set<LeaseHolder>();
let renewing = false;

export function holdLease(h: LeaseHolder): void {
  holders.add(h);
}

export function releaseLease(h: LeaseHolder): void {
  holders.delete(h);
}

/** Progress of this thread: renews every window it holds that is past half its lease (cheap when none is). */
export function renewLeases(): void {
  if (holders.size === 0 || renewing) return;
  renewing = true;
  try {
    const now = Date.now();
    for (const h of holders) h.renewLease(now);
  } finally {
    renewing = false;
  }
}
