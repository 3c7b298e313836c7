/**
 * An injectable file-system layer for the tests (the torture suite, test/shard/faults.test.ts): `node:fs` with every
 * call the shard makes routed through a `decide` function that may fail it with EIO/ENOSPC/..., tear a write after
 * k bytes (then fail), or kill the process on the spot (crash points for the kill -9 loop). Given to a Cache as
 * `new Cache(dir, { fs: layer.fs })`.
 *
 * Not reached through it: proper-lockfile's lock directory (it uses graceful-fs).
 */
import * as nodeFs from 'node:fs';
import { CRC_BYTES, FRAME_HEADER_BYTES, LENGTH_BYTES, MAGIC_BYTES } from '../../src/format/frame.js';

export type Fs = typeof nodeFs;
export type FaultCode = 'EIO' | 'ENOSPC' | 'EROFS' | 'EACCES';

export type FaultAction =
  /** The call fails before doing anything. */
  | { kind: 'throw'; code: FaultCode }
  /** A write puts its first `bytes` bytes on disk, then fails (a torn write). */
  | { kind: 'tear'; bytes: number; code: FaultCode }
  /** SIGKILL this process before the call, after it, or after `tear` bytes of a write (child processes only). */
  | { kind: 'crash'; when: 'before' | 'after'; tear?: number };

/** The call being decided on. */
export interface FsCall {
  /** 1-based index of the call through this layer. */
  n: number;
  name: string;
  /** The path it touches (for descriptor calls, the path the descriptor was opened with), or null. */
  path: string | null;
  /** Bytes a write would write (0 for other calls). */
  bytes: number;
  /** For a write of exactly one frame (a segment append): the frame's op (OP_SEAL, ...), else -1. */
  op: number;
}

export type Decide = (call: FsCall) => FaultAction | null;

/** Where a frame's body length and op byte are (docs/format.md, "Frames"). */
const FRAME_LENGTH_AT = MAGIC_BYTES + CRC_BYTES;
const FRAME_OP_AT = FRAME_LENGTH_AT + LENGTH_BYTES;
const WRAPPED = [
  'openSync', 'closeSync', 'readSync', 'writeSync', 'writeFileSync', 'readFileSync', 'fsyncSync', 'fdatasyncSync',
  'linkSync', 'unlinkSync', 'renameSync', 'readdirSync', 'mkdirSync', 'rmdirSync', 'fstatSync', 'statSync', 'lstatSync',
  'realpathSync',
] as const;
type Wrapped = (typeof WRAPPED)[number];

function fault(code: FaultCode, call: FsCall): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault in ${call.name}(${call.path ?? ''}) [call ${call.n}]`), {
    code, errno: -5, syscall: call.name.replace(/Sync$/, ''),
  });
}

export class FaultyFs {
  /** The layer to pass as the `fs` option. */
  readonly fs: Fs;
  /** Calls made through the layer so far. */
  calls = 0;
  /** Faults injected so far. */
  injected = 0;
  /** The last injected fault (what, where), or null. */
  lastFault: string | null = null;
  /** Decides each call; null lets everything through. Replaceable at any time. */
  decide: Decide | null;
  /** Called just before a crash action kills the process (the writer journals the crash point). */
  onCrash: ((call: FsCall) => void) | null = null;
  readonly #paths = new Map<number, string>();

  constructor(decide: Decide | null = null) {
    this.decide = decide;
    const layer = Object.create(nodeFs) as Fs;
    for (const name of WRAPPED) {
      const real = (nodeFs[name] as (...a: unknown[]) => unknown).bind(nodeFs);
      (layer as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.#call(name, real, args);
    }
    this.fs = layer;
  }

  #pathOf(name: Wrapped, args: unknown[]): string | null {
    const a = args[0];
    if (typeof a === 'number') return this.#paths.get(a) ?? null;
    if (typeof a === 'string') return name === 'linkSync' || name === 'renameSync' ? `${a} -> ${String(args[1])}` : a;
    return null;
  }

  #call(name: Wrapped, real: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    const n = ++this.calls;
    let bytes = 0;
    let op = -1;
    let buf: Uint8Array | null = null;
    let offset = 0;
    if (name === 'writeSync' && args[1] instanceof Uint8Array) {
      buf = args[1];
      offset = typeof args[2] === 'number' ? args[2] : 0;
      bytes = typeof args[3] === 'number' ? args[3] : buf.length - offset;
    } else if (name === 'writeFileSync' && args[1] instanceof Uint8Array) {
      buf = args[1];
      bytes = buf.length;
    }
    if (buf !== null && bytes >= FRAME_HEADER_BYTES) {
      const view = Buffer.from(buf.buffer, buf.byteOffset + offset, bytes);
      // Frames carry their file's random magic (format 2): a frame is recognised by its length adding up.
      if (view.readUInt32LE(FRAME_LENGTH_AT) + FRAME_HEADER_BYTES === bytes) op = view[FRAME_OP_AT];
    }
    const call: FsCall = { n, name, path: this.#pathOf(name, args), bytes, op };
    const action = this.decide?.(call) ?? null;
    if (action === null) return this.#finish(name, real, args);
    this.injected++;
    this.lastFault = `${action.kind}${'code' in action ? ` ${action.code}` : ''}${'bytes' in action ? ` after ${action.bytes} bytes` : ''} at ${name}(${call.path ?? ''}) [call ${n}]`;
    switch (action.kind) {
      case 'throw':
        throw fault(action.code, call);
      case 'tear':
        if (buf !== null) this.#partial(name, args, buf, offset, Math.min(action.bytes, bytes));
        throw fault(action.code, call);
      case 'crash':
        this.onCrash?.(call);
        if (action.tear !== undefined && buf !== null) this.#partial(name, args, buf, offset, Math.min(action.tear, bytes));
        else if (action.when === 'after') this.#finish(name, real, args);
        process.kill(process.pid, 'SIGKILL');
        // SIGKILL is not delivered synchronously everywhere: make sure nothing more happens in this process.
        for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    }
  }

  /** Runs the real call, keeping the descriptor → path map current. */
  #finish(name: Wrapped, real: (...a: unknown[]) => unknown, args: unknown[]): unknown {
    const result = real(...args);
    if (name === 'openSync' && typeof result === 'number' && typeof args[0] === 'string') this.#paths.set(result, args[0]);
    if (name === 'closeSync' && typeof args[0] === 'number') this.#paths.delete(args[0]);
    return result;
  }

  /** Writes the first `k` bytes of a write (at its position, if it has one). */
  #partial(name: Wrapped, args: unknown[], buf: Uint8Array, offset: number, k: number): void {
    if (name === 'writeFileSync') {
      nodeFs.writeFileSync(args[0] as string, buf.subarray(0, k));
      return;
    }
    const position = typeof args[4] === 'number' ? args[4] : null;
    if (k > 0) nodeFs.writeSync(args[0] as number, buf, offset, k, position);
  }
}
