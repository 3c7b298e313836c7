/**
 * One shard: a directory holding an append-only log of segments (and, after compaction, a base), replayed into
 * a ShardState by every process that opens it. The log is the single order of all operations: a write is one
 * O_APPEND of one frame; before answering, a process checks with one fstat whether the active segment grew and
 * replays the new frames. A writer that needs its command's outcome (add, incr, pop, ...) replays up to its own
 * frame. Locks guard only what changes which files exist (compaction); see docs/engine.md.
 */
import { now as clockNow } from '../clock.js';
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from '../builtin.js';
import {
  FRAME_HEADER_BYTES, FRAME_INCOMPLETE, FRAME_OK, FrameView, newFrameView, nextGoodFrame, readFrame,
} from '../format/frame.js';
import {
  OP_ABORT, OP_BASE, OP_BEGIN, OP_ENTRY, OP_SEAL, OP_TXN, RecordInput, TxnOp, encodeTxnValue, walkTxnValue, RecordView, SEAL_COMPACTION_DONE, SEAL_ROLLOVER, encodeRecord, newRecordView, readRecord, releaseRecordView,
} from '../format/record.js';
import {
  FILE_HEADER_BYTES, KIND_BASE, KIND_SEGMENT, baseName, checkFileHeader, fileHeader, parseLogFileName, segmentName,
} from '../format/segment.js';
import { IOError, LogcacheError, Timeout } from '../errors.js';
import { FrameLocation, Outcome, ShardState, VOID } from './state.js';
import { rebuildStoreOrder } from './keydir.js';
import { processAlive } from './liveness.js';
import { ValueCache } from './value-cache.js';

export type SyncPolicy = 'none' | 'interval' | 'always';

/** The file-system calls a shard makes; tests replace it to inject faults. */
export type FsLike = typeof nodeFs;

export interface ShardOptions {
  /** Roll over to a new segment past this size (bytes). Default 64 MiB. */
  segmentBytes?: number;
  /** fsync policy: 'none' (default, like SQLite synchronous=NORMAL on a crash of the process), 'interval' (1 s), 'always'. */
  sync?: SyncPolicy;
  /** Compact when dead bytes exceed both this (bytes, default 8 MiB) and the live bytes. 0 turns automatic compaction off. */
  compactMinBytes?: number;
  fs?: FsLike;
}

/** A problem found while reading the log: bytes skipped and why. */
export interface CorruptionReport {
  file: string;
  offset: number;
  bytes: number;
  reason: string;
}

interface OpenFile {
  id: number;
  kind: number;
  name: string;
  fd: number;
}

interface Pending {
  frame: Buffer;
  segment: number;
  outcome: Outcome | null;
  /** It landed inside another writer's transaction window: re-append once the window closes. */
  voided: boolean;
  /** Written and not yet met by a replay. */
  unread: boolean;
  /** The caller wants snapshots of every item the command removes. */
  wantItems: boolean;
  /** A rebuild after an I/O error happened before the frame was met: its outcome cannot be known. */
  lost?: boolean;
}

/** The open transaction of this handle: commands are applied locally and buffered, then committed as one TXN. */
interface OpenTxn {
  /** state.seq just after our BEGIN; nested commands take version baseSeq + 1. */
  baseSeq: number;
  ops: TxnOp[];
  /** Slots whose value lives in a buffered command (index into ops), to re-point once the TXN is in the log. */
  stored: { slot: number; version: number; op: number }[];
  values: Map<number, { version: number; bytes: Buffer }>;
  committing: boolean;
  /** The state was rebuilt from the log while committing: our TXN applies as anyone else's would. */
  reloaded: boolean;
}

/** Local file number for values that are still in an uncommitted transaction. */
const TXN_FILE = 0xffffffff;

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const VALUE_CACHE_ENTRIES = 8192;
const VALUE_CACHE_MAX_BYTES = 4096;
/** Only frames this close to the end of what a replay read are cached: earlier ones would be evicted anyway. */
const VALUE_CACHE_WINDOW_BYTES = 1024 * 1024;
const READ_BUFFER_BYTES = 64 * 1024;

export class Shard {
  readonly dir: string;
  readonly state = new ShardState();
  /** Names this handle's records in the log. */
  readonly writer: number;
  readonly fs: FsLike;
  readonly segmentBytes: number;
  readonly compactMinBytes: number;
  readonly syncPolicy: SyncPolicy;
  /** Problems met while replaying since open (or the last clearReports). */
  readonly reports: CorruptionReport[] = [];
  /** Called at the seal of `compactAt` with the state exactly as of that seal (compaction writes the base there). */
  onSealed: ((segmentId: number) => void) | null = null;

  #seqNo = 0;
  #files: (OpenFile | undefined)[] = [];
  #active = -1; // local file number of the active segment
  #activeId = 0;
  #pos = 0;
  #pending = new Map<number, Pending>();
  /** Bytes of our frames written and not yet met by a replay. */
  #unreadOwn = 0;
  #lastWritten: Pending | null = null;
  #fv: FrameView = newFrameView();
  #scan: FrameView = newFrameView();
  #rv: RecordView = newRecordView();
  #loc: FrameLocation = { file: 0, offset: 0, frameLength: 0, bufStart: 0 };
  /** Bytes of frames applied since the load (base included): minus liveFrameBytes, what compaction reclaims. */
  logBytes = 0;
  #valueCache = new ValueCache(VALUE_CACHE_ENTRIES);
  #dirty = false;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Reused for the per-operation tail check; values taken from it are copied. */
  #readBuf = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  #txn: OpenTxn | null = null;
  /** A compaction finished: reload from its base at the next safe point (see #nextSegment). */
  #reloadWanted = false;
  /** A step between a seal and the next segment failed (I/O): the state must be rebuilt before anything else. */
  #mustReload = false;
  /** How long a write waits for another writer's transaction window to close (ms); Infinity waits forever. */
  waitTimeoutMs = 60_000;

  constructor(dir: string, options: ShardOptions = {}) {
    this.dir = dir;
    this.fs = options.fs ?? nodeFs;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.compactMinBytes = options.compactMinBytes ?? 8 * 1024 * 1024;
    this.syncPolicy = options.sync ?? 'none';
    this.writer = randomBytes(4).readUInt32LE(0);
    this.#io('create directory', () => this.fs.mkdirSync(dir, { recursive: true }));
    this.load();
    if (this.syncPolicy === 'interval') {
      this.#timer = setInterval(() => this.flush(), 1000);
      this.#timer.unref();
    }
  }

  #io<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new IOError(`${what} in ${this.dir}`, err);
    }
  }

  /** Whether dead bytes in the log exceed both compactMinBytes and the live bytes (compaction would pay). */
  get wantsCompaction(): boolean {
    if (this.compactMinBytes <= 0) return false;
    const dead = this.logBytes - this.state.kd.liveFrameBytes;
    return dead > this.compactMinBytes && dead > this.state.kd.liveFrameBytes;
  }

  get activeSegmentId(): number {
    return this.#activeId;
  }

  /** Ids of the files this process holds open (segments and base). */
  openFiles(): { id: number; kind: number; name: string }[] {
    return this.#files.filter((f): f is OpenFile => f !== undefined).map(({ id, kind, name }) => ({ id, kind, name }));
  }

  // ---- loading --------------------------------------------------------------------------------------------------

  /** (Re)builds the state from the newest base and the segments after it. */
  load(): void {
    this.#reloadWanted = false;
    // An open transaction's buffered commands live only in this state: a rebuild must apply them again.
    const txn = this.#txn;
    if (txn?.committing) txn.reloaded = true;
    this.#mustReload = false;
    try {
      this.#loadLog();
    } catch (err) {
      this.#mustReload = true; // half-built: rebuild again before anything else
      throw err instanceof LogcacheError ? err : new IOError(`load ${this.dir}`, err);
    }
    if (txn && !txn.committing && this.#txn === txn) this.#reapplyTxn(txn);
  }

  #loadLog(): void {
    for (let attempt = 0; ; attempt++) {
      this.#closeFiles();
      this.state.reset();
      this.#valueCache.clear();
      this.logBytes = 0;
      const { bases, segments } = this.#listLog();
      let start = segments.length > 0 ? segments[0] : 1;
      let loadedBase = false;
      for (const b of bases.sort((x, y) => y - x)) {
        if (this.#loadBase(b)) {
          start = b + 1;
          loadedBase = true;
          break;
        }
      }
      if (!loadedBase && bases.length > 0 && segments.length > 0 && segments[0] > 1) {
        this.reports.push({ file: baseName(bases[0]), offset: 0, bytes: 0, reason: 'no readable base; older segments are gone' });
      }
      try {
        this.#openActive(start);
        this.sync();
        this.state.kd.fit();
        return;
      } catch (err) {
        // A compaction removed the segments we were about to read: start again from its base.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5) continue;
        throw err;
      }
    }
  }

  #listLog(): { bases: number[]; segments: number[] } {
    const bases: number[] = [];
    const segments: number[] = [];
    for (const name of this.#io('list directory', () => this.fs.readdirSync(this.dir))) {
      const p = parseLogFileName(name);
      if (!p) continue;
      (p.kind === KIND_BASE ? bases : segments).push(p.id);
    }
    segments.sort((a, b) => a - b);
    return { bases, segments };
  }

  #addFile(f: OpenFile): number {
    this.#files.push(f);
    return this.#files.length - 1;
  }

  #closeFiles(): void {
    for (const f of this.#files) if (f) try { this.fs.closeSync(f.fd); } catch { /* already gone */ }
    this.#files = [];
    this.#active = -1;
  }

  /** Loads base `id` into the (reset) state; false if it is unreadable (the caller tries an older one). */
  #loadBase(id: number): boolean {
    const name = baseName(id);
    let fd: number;
    try {
      fd = this.fs.openSync(path.join(this.dir, name), 'r');
    } catch (err) {
      // Gone (a newer compaction removed it): try the next. Any other error must not fall back to an older,
      // partial history: it fails the load.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new IOError(`open ${name} in ${this.dir}`, err);
    }
    const fileNo = this.#addFile({ id, kind: KIND_BASE, name, fd });
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    const size = this.fs.fstatSync(fd).size;
    this.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0);
    const bad = size < FILE_HEADER_BYTES ? 'base shorter than its header' : checkFileHeader(header, KIND_BASE, id);
    let complete = false;
    if (!bad) {
      // A base is read whole: one read, then the same frame loop as the log (bounded by live data, not history).
      const buf = Buffer.allocUnsafe(size - FILE_HEADER_BYTES);
      this.#io(`read ${name}`, () => this.fs.readSync(fd, buf, 0, buf.length, FILE_HEADER_BYTES));
      const { lastOp } = this.#applyBuffer(buf, buf.length, fileNo, FILE_HEADER_BYTES, name, false);
      complete = lastOp === OP_BASE;
    }
    if (bad || !complete) {
      this.reports.push({ file: name, offset: 0, bytes: size, reason: bad ?? 'base has no trailer' });
      this.state.reset();
      this.#closeFiles();
      return false;
    }
    this.state.kd.rebuildFree();
    rebuildStoreOrder(this.state.kd);
    return true;
  }

  /**
   * Applies the good frames of `buf[0, len)` (file bytes from `fileOffset`), skipping and reporting bad ones.
   * With `stopAtSeal`, stops after a seal. Returns bytes consumed (an incomplete tail is left), the last op applied,
   * and the seal met: -1 none, 0 a plain seal, else the id of the base a finished compaction wrote.
   */
  #applyBuffer(buf: Buffer, len: number, fileNo: number, fileOffset: number, name: string, stopAtSeal: boolean, trusted = false):
    { consumed: number; lastOp: number; sealed: number } {
    let p = 0;
    let lastOp = 0;
    let sealed = -1;
    while (p < len) {
      const f = trusted ? trustedFrame(buf, p, this.#fv) : readFrame(buf, p, len, this.#fv);
      if (f.status !== FRAME_OK) {
        const q = nextGoodFrame(buf, p, len, this.#scan);
        if (q < 0 && stopAtSeal) break; // an incomplete tail of the log: wait for it
        const skip = q < 0 ? len - p : q - p;
        this.reports.push({ file: name, offset: fileOffset + p, bytes: skip, reason: f.status === FRAME_INCOMPLETE ? 'torn frame' : 'checksum mismatch' });
        p += skip;
        continue;
      }
      if (stopAtSeal && (f.op === OP_ENTRY || f.op === OP_BASE)) {
        // Records that only a base holds, found in a segment (bytes copied there): never applied from a log.
        this.reports.push({ file: name, offset: fileOffset + p, bytes: f.next - p, reason: 'malformed record' });
        p = f.next;
        continue;
      }
      if (f.op === OP_SEAL && stopAtSeal) {
        readRecord(buf, f.op, f.body, f.length, this.#rv);
        sealed = this.#rv.num1 === SEAL_COMPACTION_DONE ? this.#rv.num2 : 0;
        p = f.next;
        break;
      }
      lastOp = this.#applyFrame(buf, f, fileNo, fileOffset, name);
      if (stopAtSeal && lastOp !== 0 && len - f.next < VALUE_CACHE_WINDOW_BYTES) this.#cacheValue(buf, f, fileNo, trusted);
      p = f.next;
    }
    // The view must not keep a large read buffer (a whole base, a segment's tail) alive; the reused read buffer keeps
    // its DataView for the next replay.
    if (buf !== this.#readBuf) releaseRecordView(this.#rv);
    return { consumed: p, lastOp, sealed };
  }

  /** Applies one good frame; returns its op (0 when the body is not a record). */
  #applyFrame(buf: Buffer, f: FrameView, fileNo: number, fileOffset: number, name: string): number {
    const r = this.#rv;
    const start = f.body - FRAME_HEADER_BYTES;
    if (!readRecord(buf, f.op, f.body, f.length, r)) {
      this.reports.push({ file: name, offset: fileOffset + start, bytes: f.next - start, reason: 'malformed record' });
      return 0;
    }
    this.logBytes += f.next - start;
    const loc = this.#loc; // one object, refilled per frame (an allocation per frame showed in the load's GC)
    loc.file = fileNo;
    loc.offset = fileOffset + start;
    loc.frameLength = f.next - start;
    loc.bufStart = start;
    const own = r.writer === this.writer ? this.#pending.get(r.seq) : undefined;
    if (own && f.op === OP_TXN && this.#txn?.committing && !this.#txn.reloaded) {
      this.#settleOwnTxn(own, r.seq, loc, buf);
      return f.op;
    }
    if (own) this.#markRead(own);
    const out: Outcome | null = own ? { applied: false, removed: [], wantItems: own.wantItems } : null;
    const status = this.state.apply(r, loc, out);
    if (status === VOID) {
      if (own) own.voided = true;
      return 0;
    }
    if (own) {
      if (own.wantItems) this.#readRemoved(out!);
      own.outcome = out;
      this.#pending.delete(r.seq);
    }
    if (status !== 0) this.reports.push({ file: name, offset: loc.offset, bytes: loc.frameLength, reason: 'malformed record' });
    return f.op;
  }

  /**
   * Our own TXN reached the log. Its commands are already applied here (as they were buffered), so instead of
   * applying them again, point their values at the TXN frame. If our window was aborted meanwhile (another
   * process took us for dead), the local state is wrong: reload it.
   */
  #settleOwnTxn(own: Pending, seq: number, loc: { file: number; offset: number; frameLength: number; bufStart: number }, buf: Buffer): void {
    const txn = this.#txn!;
    this.#pending.delete(seq);
    this.#markRead(own);
    if (this.state.txnOwner !== this.writer) {
      own.outcome = { applied: false, removed: [] };
      this.#txn = null;
      this.load();
      return;
    }
    this.state.txnOwner = 0;
    this.state.txnPid = 0;
    this.state.seq = txn.baseSeq + 1;
    const kd = this.state.kd;
    const bodies: number[] = [];
    const r = newRecordView();
    walkTxnValue(buf, this.#rv.valueStart, this.#rv.valueLength, () => {}, (op, body, length) => {
      readRecord(buf, op, body, length, r);
      bodies.push(r.valueStart);
    });
    // Last first: a key stored twice in the transaction holds its last value (the earlier entries are skipped).
    for (let i = txn.stored.length - 1; i >= 0; i--) {
      const { slot, version, op } = txn.stored[i];
      if (kd.version[slot] !== version || kd.file[slot] !== TXN_FILE) continue;
      // Accounted as every other process accounts it (the TXN frame's length), so removals later subtract the same.
      kd.account(slot, -1);
      kd.file[slot] = loc.file;
      kd.offset[slot] = loc.offset;
      kd.frameLength[slot] = loc.frameLength;
      kd.valueOffset[slot] = bodies[op] - loc.bufStart;
      kd.account(slot, 1);
    }
    for (const [slot, v] of txn.values) if (kd.version[slot] === v.version) this.#valueCache.set(slot, v.version, v.bytes);
    own.outcome = { applied: true, removed: [] };
    this.#txn = null;
  }

  // ---- the active segment ----------------------------------------------------------------------------------

  /** Opens segment `id` as the active one, creating it (whole, via link) if it does not exist yet. */
  #openActive(id: number): void {
    const name = segmentName(id);
    const full = path.join(this.dir, name);
    let fd: number;
    try {
      fd = this.#openAppend(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IOError(`open ${name}`, err);
      // A base at or past this id means a compaction removed it: the caller reloads.
      if (this.#compactedPast(id)) throw err;
      this.#createSegment(id);
      try {
        fd = this.#openAppend(full);
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code === 'ENOENT') throw again; // a compaction removed it: reload
        throw new IOError(`open ${name}`, again);
      }
      // Look again now that it exists: a compaction that finished while we were creating it (it made a base at or
      // past this id and removed the segment) would leave ours a stale file no one else reads. Writing into it would
      // fork this process's history from everyone's: drop it and reload instead.
      if (this.#compactedPast(id)) {
        this.fs.closeSync(fd);
        try { this.fs.unlinkSync(full); } catch { /* removed meanwhile */ }
        throw Object.assign(new Error(`${name} was compacted away while it was being created`), { code: 'ENOENT' });
      }
    }
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    const got = this.#io(`read ${name}`, () => this.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0));
    if (got < FILE_HEADER_BYTES) {
      // Cut inside its header (no frame can be in it): appends would land where readers never look. Replace it
      // with a fresh, empty segment.
      this.reports.push({ file: name, offset: 0, bytes: got, reason: 'segment shorter than its header' });
      this.fs.closeSync(fd);
      this.#createSegment(id, true);
      fd = this.#io(`open ${name}`, () => this.#openAppend(full));
      fileHeader(KIND_SEGMENT, id).copy(header);
    }
    const bad = checkFileHeader(header, KIND_SEGMENT, id);
    if (bad) this.reports.push({ file: name, offset: 0, bytes: FILE_HEADER_BYTES, reason: bad });
    this.#active = this.#addFile({ id, kind: KIND_SEGMENT, name, fd });
    this.#activeId = id;
    this.#pos = FILE_HEADER_BYTES;
  }

  #openAppend(full: string): number {
    return this.fs.openSync(full, nodeFs.constants.O_RDWR | nodeFs.constants.O_APPEND);
  }

  /** Whether a compaction has made a base at or past segment `id` (so the segment is gone, or garbage). */
  #compactedPast(id: number): boolean {
    return this.#listLog().bases.some((b) => b >= id);
  }

  /** Writes segment `id` whole under a temporary name, then links it into place (or, `replace`, renames it over). */
  #createSegment(id: number, replace = false): void {
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${this.writer.toString(16)}-${id}`);
    this.#io(replace ? 'replace segment' : 'create segment', () => {
      this.fs.writeFileSync(tmp, fileHeader(KIND_SEGMENT, id));
      if (replace) return this.fs.renameSync(tmp, path.join(this.dir, segmentName(id)));
      try {
        this.fs.linkSync(tmp, path.join(this.dir, segmentName(id)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        this.fs.unlinkSync(tmp);
      }
    });
  }

  /**
   * Catches up with the log: one pread at our end of the active segment when nothing changed (it returns 0
   * bytes; cheaper than fstat, whose Stats object costs more than the call), and when something did, that same
   * read already holds the new frames. Linearizable reads follow from calling this before every answer.
   */
  sync(): void {
    if (this.#mustReload) {
      // A rebuild may start past our unread frames (in a base): their outcomes are lost to their callers.
      for (const p of this.#pending.values()) {
        if (p.unread) {
          this.#markRead(p);
          p.lost = true;
        }
      }
      this.load();
    }
    for (;;) {
      const fd = this.#files[this.#active]!.fd;
      const rbuf = this.#readBuf;
      let n: number;
      try {
        n = this.fs.readSync(fd, rbuf, 0, rbuf.length, this.#pos);
      } catch (err) {
        throw new IOError(`read segment in ${this.dir}`, err);
      }
      if (n === 0) return this.#caughtUp();
      let buf: Buffer;
      let trusted = false;
      const last = this.#lastWritten;
      if (last !== null && last.unread && n === this.#unreadOwn && n === last.frame.length) {
        // Exactly the frame we just wrote and nothing else: use the buffer we built (no CRC check of bytes we
        // made, and its value can be cached without a copy).
        buf = last.frame;
        trusted = true;
      } else if (n === rbuf.length) {
        // More than the read buffer holds (catching up after a while): read the whole tail at once.
        let size: number;
        try {
          size = this.fs.fstatSync(fd).size;
        } catch (err) {
          throw new IOError(`stat segment in ${this.dir}`, err);
        }
        buf = Buffer.allocUnsafe(size - this.#pos);
        n = this.#io('read segment', () => this.fs.readSync(fd, buf, 0, buf.length, this.#pos));
      } else buf = rbuf;
      const { consumed, sealed } = this.#applyBuffer(buf, n, this.#active, this.#pos, this.#files[this.#active]!.name, true, trusted);
      this.#pos += consumed;
      if (sealed >= 0) {
        try {
          this.#nextSegment(sealed);
        } catch (err) {
          // We are past the seal but not in the next segment: reading on here would apply void frames. Rebuild
          // from the files at the next sync instead.
          this.#mustReload = true;
          throw err;
        }
        continue;
      }
      return this.#caughtUp();
    }
  }

  /** At the tail of the log: the deferred reload after a compaction, if none of our frames is still unread. */
  #caughtUp(): void {
    if (!this.#reloadWanted || this.#unreadOwn > 0) return;
    for (const p of this.#pending.values()) if (p.unread) return;
    this.load();
  }

  /** Keeps small values read from the log, so the next get needs no pread (frames never change once written). */
  #cacheValue(buf: Buffer, f: FrameView, fileNo: number, ownFrame: boolean): void {
    const slot = this.state.lastStored;
    if (slot < 0) return;
    const kd = this.state.kd;
    const len = kd.valueLength[slot];
    if (len > VALUE_CACHE_MAX_BYTES || kd.files.has(slot) || kd.file[slot] !== fileNo) return;
    const start = f.body - FRAME_HEADER_BYTES + kd.valueOffset[slot];
    // A copy of a read buffer (it may be large and must not stay alive for one small value); our own frame is
    // already its own small buffer.
    const view = buf.subarray(start, start + len);
    this.#valueCache.set(slot, kd.version[slot], ownFrame ? view : Buffer.from(view));
  }

  #markRead(p: Pending): void {
    if (p.unread) {
      p.unread = false;
      this.#unreadOwn -= p.frame.length;
    }
  }

  /** Past a seal: open the next segment, re-append our frames that landed after the seal, reload after compaction. */
  #nextSegment(compactedBase: number): void {
    const sealedId = this.#activeId;
    this.onSealed?.(sealedId);
    // Our frames written to the sealed segment but not applied landed after the seal: they are void everywhere.
    const voided = [...this.#pending.values()].filter((p) => p.segment === sealedId && p.unread);
    for (const p of voided) this.#markRead(p);
    let reloaded = false;
    try {
      this.#openActive(sealedId + 1);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // We lagged behind a compaction that removed the next segment: start again from its base. Every frame of
      // ours before the seal was met on the way here, so none of them is hidden in that base.
      this.load();
      reloaded = true;
    }
    for (const p of voided) this.#write(p);
    const holdsReplaced = () => this.#files.some((f) => f !== undefined && (f.kind === KIND_SEGMENT ? f.id <= compactedBase : f.id < compactedBase));
    // (The base must exist: a DONE seal copied from elsewhere names one that does not, and would reload forever.)
    if (!reloaded && compactedBase > 0 && holdsReplaced() && this.#compactedPast(compactedBase)) {
      // A compaction replaced the segments we hold: reload from the newest base to let their space go, once we
      // are caught up and none of our frames is unread. (The state is already right; only the files change. A
      // reload while a frame of ours is unread could jump past it into a base that holds it, or a segment that
      // voided it, and never learn its outcome.)
      this.#reloadWanted = true;
    }
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  /**
   * Appends one command. With `wait`, replays until the command is applied and returns its outcome (a conditional
   * command's result is known only then); without, returns null and the next sync applies it.
   */
  append(op: number, input: Omit<RecordInput, 'writer' | 'seq'>, deadline = Date.now() + this.waitTimeoutMs, wantItems = false): Outcome {
    if (this.#txn && !this.#txn.committing) return this.#buffer(op, input, wantItems);
    if (this.state.txnOwner !== 0 && this.state.txnOwner !== this.writer && op !== OP_ABORT) this.#waitWindow(deadline);
    // Our own window, left open by an ABORT that could not be written: close it first.
    if (this.state.txnOwner === this.writer && !this.#txn && op !== OP_ABORT && op !== OP_BEGIN) {
      this.append(OP_ABORT, { time: clockNow(), num1: this.writer }, deadline);
    }
    const seq = (this.#seqNo = (this.#seqNo + 1) >>> 0);
    const frame = encodeRecord(op, input as RecordInput, this.writer, seq);
    if (this.#pos + frame.length > this.segmentBytes && this.#pos > FILE_HEADER_BYTES) this.seal(SEAL_ROLLOVER, 0);
    const p: Pending = { frame, segment: this.#activeId, outcome: null, voided: false, unread: false, wantItems };
    this.#pending.set(seq, p);
    try {
      this.#write(p);
      while (p.outcome === null) {
        this.sync();
        if (p.lost) throw new IOError('append', Object.assign(new Error('a failed read lost track of this write: it may or may not have applied'), { code: 'EIO' }));
        if (p.voided && p.outcome === null) {
          // It landed in another writer's transaction window: void everywhere. Write it again after the window.
          this.#waitWindow(deadline);
          p.voided = false;
          this.#write(p);
        }
      }
    } catch (err) {
      // The frame may be in the log (an fsync or a read failed after the write): it applies when met, as anyone's.
      this.#markRead(p);
      this.#pending.delete(seq);
      throw err;
    }
    return p.outcome;
  }

  /** In a transaction: apply the command here now (so later reads see it) and keep it for the TXN record. */
  #buffer(op: number, input: Omit<RecordInput, 'writer' | 'seq'>, wantItems: boolean): Outcome {
    const txn = this.#txn!;
    const record = { ...input, writer: this.writer, seq: 0 };
    const frame = encodeRecord(op, record);
    const r = newRecordView();
    readRecord(frame, op, FRAME_HEADER_BYTES, frame.length - FRAME_HEADER_BYTES, r);
    const loc = { file: TXN_FILE, offset: 0, frameLength: frame.length, bufStart: 0 };
    const outs: Outcome[] = [];
    const out = this.state.applyNested(r, loc, txn.baseSeq + 1, outs, wantItems)!;
    if (wantItems) this.#readRemoved(out);
    const slot = this.state.lastStored;
    if (slot >= 0) {
      const version = this.state.kd.version[slot];
      txn.stored.push({ slot, version, op: txn.ops.length });
      txn.values.set(slot, { version, bytes: frame.subarray(r.valueStart, r.valueStart + r.valueLength) });
    }
    txn.ops.push({ op, record });
    return out;
  }

  /** After a rebuild of the state: buffers the transaction's commands again (same versions, same outcomes). */
  #reapplyTxn(txn: OpenTxn): void {
    const ops = txn.ops;
    txn.ops = [];
    txn.stored = [];
    txn.values = new Map();
    for (const { op, record } of ops) this.#buffer(op, record, false);
  }

  /** Waits (sleeping, not spinning) until no other writer's transaction window is open; Timeout past `deadline`. */
  #waitWindow(deadline: number): void {
    let nextLiveness = Date.now() + 50;
    let sleepMs = 0.05;
    for (;;) {
      this.sync();
      const owner = this.state.txnOwner;
      if (owner === 0 || owner === this.writer) return;
      const now = Date.now();
      if (now > deadline) throw new Timeout();
      if (now >= nextLiveness) {
        nextLiveness = now + 50;
        if (!processAlive(this.state.txnPid)) {
          // The owner died inside its window: close it for everyone (idempotent if several of us do).
          this.append(OP_ABORT, { time: now / 1000, num1: owner }, deadline);
          continue;
        }
      }
      Atomics.wait(SLEEP_CELL, 0, 0, sleepMs);
      sleepMs = Math.min(sleepMs * 2, 2);
    }
  }

  /** Opens a transaction window (waits for any other one to close). Commands until commit/abort are buffered. */
  beginTxn(deadline: number): void {
    if (this.#txn) throw new Error('transaction already open');
    this.append(OP_BEGIN, { time: clockNow(), num1: process.pid }, deadline);
    this.#txn = { baseSeq: this.state.seq, ops: [], stored: [], values: new Map(), committing: false, reloaded: false };
  }

  get inTxn(): boolean {
    return this.#txn !== null;
  }

  /** Commits the buffered commands as one TXN record. */
  commitTxn(): void {
    const txn = this.#txn!;
    txn.committing = true;
    try {
      this.append(OP_TXN, { time: clockNow(), value: encodeTxnValue([], txn.ops) }, Infinity);
    } catch (err) {
      // The TXN is torn, or in the log with its outcome unknown: close the window (an ABORT after our TXN is a
      // no-op, so the transaction applied entirely or not at all) and drop the buffered commands.
      this.abortTxn();
      throw err;
    } finally {
      this.#txn = null;
    }
  }

  /** Drops the buffered commands: closes the window and rebuilds the state they changed. */
  abortTxn(): void {
    this.#txn = null;
    try {
      this.append(OP_ABORT, { time: clockNow(), num1: this.writer }, Infinity);
    } catch {
      // The window stays open until our next append writes the ABORT (see append).
    } finally {
      this.#mustReload = true;
      try { this.load(); } catch { /* the next sync rebuilds */ }
    }
  }

  #write(p: Pending): void {
    const fd = this.#files[this.#active]!.fd;
    p.segment = this.#activeId;
    let n: number;
    try {
      n = this.fs.writeSync(fd, p.frame);
    } catch (err) {
      throw new IOError(`append in ${this.dir}`, err);
    }
    if (n !== p.frame.length) throw new IOError('short append', Object.assign(new Error('short write'), { code: 'EIO' }));
    p.unread = true;
    this.#unreadOwn += n;
    this.#lastWritten = p;
    if (this.syncPolicy === 'always') this.#io('fsync', () => this.fs.fdatasyncSync(fd));
    else this.#dirty = true;
  }

  /** Appends a seal and replays past it. */
  seal(reason: number, baseId: number): void {
    const sealed = this.#activeId;
    const frame = encodeRecord(OP_SEAL, { writer: this.writer, seq: 0, time: clockNow(), num1: reason, num2: baseId });
    const fd = this.#files[this.#active]!.fd;
    this.#io('append seal', () => this.fs.writeSync(fd, frame));
    while (this.#activeId === sealed) this.sync();
  }

  /** fsyncs the active segment if anything was written since the last flush. */
  flush(): void {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    const fd = this.#files[this.#active]?.fd;
    if (fd !== undefined) this.#io('fsync', () => this.fs.fdatasyncSync(fd));
  }

  // ---- reading values -------------------------------------------------------------------------------------------

  /**
   * The value bytes of `slot` (inline value or value-file name), verified against the frame's CRC; null when the
   * frame no longer checks out (reported, never returned).
   */
  valueBytes(slot: number): Buffer | null {
    const kd = this.state.kd;
    return this.#valueAt(slot, kd.version[slot], kd.file[slot], kd.offset[slot], kd.frameLength[slot], kd.valueOffset[slot], kd.valueLength[slot]);
  }

  /**
   * The value bytes of item `slot` at `version`, stored at that location: from the open transaction's buffer, the
   * value cache, or a verified read of the frame.
   */
  #valueAt(slot: number, version: number, file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null {
    if (file === TXN_FILE) {
      // Every command of one transaction shares one version, so a value it buffered matches whenever it is current.
      const v = this.#txn?.values.get(slot);
      return v !== undefined && v.version === version ? v.bytes : null;
    }
    return this.#valueCache.get(slot, version) ?? this.readFrameValue(file, offset, frameLength, valueOffset, valueLength);
  }

  /** Reads the inline values of the items a command of ours removed, while their locations are still ours. */
  #readRemoved(out: Outcome): void {
    for (const s of out.removed) {
      if (s.valueFile) continue;
      try {
        s.bytes = this.#valueAt(s.slot, s.version, s.file, s.offset, s.frameLength, s.valueOffset, s.valueLength);
      } catch (err) {
        // Never throw from inside a replay (the frames after this one would be applied twice).
        s.bytes = null;
        s.error = err;
      }
    }
  }

  /** Reads a frame at a known location and returns its value bytes, or null if it does not check out. */
  readFrameValue(file: number, offset: number, frameLength: number, valueOffset: number, valueLength: number): Buffer | null {
    const f = this.#files[file];
    if (!f) return null;
    const buf = Buffer.allocUnsafe(frameLength);
    const n = this.#io('read value', () => this.fs.readSync(f.fd, buf, 0, frameLength, offset));
    const v = readFrame(buf, 0, n, newFrameView());
    if (v.status !== FRAME_OK) {
      this.reports.push({ file: f.name, offset, bytes: frameLength, reason: 'checksum mismatch on read' });
      return null;
    }
    return buf.subarray(valueOffset, valueOffset + valueLength);
  }

  /** The open file behind a local file number (compaction and check read through it). */
  fileAt(file: number): { id: number; kind: number; name: string; fd: number } | undefined {
    return this.#files[file];
  }

  /** Commands written or buffered whose outcome is not known yet. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#closeFiles();
  }

  get closed(): boolean {
    return this.#closed;
  }
}


const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

/** Header fields of a frame we built ourselves (known good: no CRC check). */
function trustedFrame(buf: Buffer, p: number, out: FrameView): FrameView {
  const length = buf.readUInt32LE(p + 8);
  out.status = FRAME_OK;
  out.op = buf[p + 12];
  out.body = p + FRAME_HEADER_BYTES;
  out.length = length;
  out.next = p + FRAME_HEADER_BYTES + length;
  return out;
}
