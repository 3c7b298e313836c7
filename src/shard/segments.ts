/**
 * The shard's log files as this process holds them: the open segments and base (by local file number), the active
 * segment with our read position in it, and how a segment comes into being (whole, under a temporary name, then
 * linked into place) at roll-over. Frames are written here, one O_APPEND each.
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { IOError, type NewerFormatError } from '../errors.js';
import {
  FILE_HEADER_BYTES, FileHeader, KIND_BASE, KIND_SEGMENT, damagedFileHeader, fileHeader, newSalt, parseFileHeader,
} from '../format/segment.js';
import { FrameSalt, PLAIN_SALT, saltFrame } from '../format/frame.js';
import { parseLogFileName, segmentName, tmpSegmentName } from '../format/files.js';
import type { Pending, ShardCore } from './core.js';
import { afterFailedWrite, payTornPad } from './torn-frames.js';

/** A log file this process holds open. */
export interface OpenFile {
  id: number;
  kind: number;
  name: string;
  fd: number;
  /** The salt of its frames (PLAIN_SALT: a format-1 file) and where they start. */
  salt: FrameSalt;
  start: number;
  /** A base's format version, from its header (a load checks its records against it: replay.ts). */
  version?: number;
}

/** Whether open file `f` is one a compaction into base `baseId` that builds on the bases `keep` replaced. */
function replaced(f: OpenFile, baseId: number, keep: ReadonlySet<number>): boolean {
  return f.kind === KIND_SEGMENT ? f.id <= baseId : f.id < baseId && !keep.has(f.id);
}

export class Segments {
  readonly #c: ShardCore;
  #files: (OpenFile | undefined)[] = [];
  /** Local file number of the active segment, or -1. */
  active = -1;
  /** Id of the active segment. */
  activeId = 0;
  /** Our read position in the active segment: everything before it is applied. */
  pos = 0;
  /** A pad byte owed to local file `file` after a frame of ours that a failed write may have cut short (torn-frames.ts). */
  tornPad: { file: number; byte: number } | null = null;

  constructor(core: ShardCore) {
    this.#c = core;
  }

  /** The ids of the bases and (sorted) segments in the directory. */
  list(): { bases: number[]; segments: number[] } {
    const c = this.#c;
    const bases: number[] = [];
    const segments: number[] = [];
    for (const name of c.io('list directory', () => c.fs.readdirSync(c.dir))) {
      const p = parseLogFileName(name);
      if (!p) continue;
      (p.kind === KIND_BASE ? bases : segments).push(p.id);
    }
    segments.sort((a, b) => a - b);
    return { bases, segments };
  }

  /** Holds `f` open; returns its local file number. */
  add(f: OpenFile): number {
    this.#files.push(f);
    return this.#files.length - 1;
  }

  closeAll(): void {
    this.closeDetached(this.detachAll());
  }

  /** Forgets every file held open without closing it; returns their descriptors, for closeDetached. */
  detachAll(): number[] {
    const fds = this.#files.filter((f): f is OpenFile => f !== undefined).map((f) => f.fd);
    this.#files = [];
    this.active = -1;
    return fds;
  }

  /** Closes descriptors detachAll returned. */
  closeDetached(fds: readonly number[]): void {
    for (const fd of fds) try { this.#c.fs.closeSync(fd); } catch { /* already gone */ }
  }

  /** The open file behind a local file number. */
  at(file: number): OpenFile | undefined {
    return this.#files[file];
  }

  /** The files this process holds open (segments and base). */
  openFiles(): { id: number; kind: number; name: string }[] {
    return this.#files.filter((f): f is OpenFile => f !== undefined).map(({ id, kind, name }) => ({ id, kind, name }));
  }

  /** Whether any file held open is one a compaction into base `baseId` replaced (`keep`: the earlier bases it builds
   * on, which it did not). */
  holdsReplaced(baseId: number, keep: ReadonlySet<number>): boolean {
    return this.#files.some((f) => f !== undefined && replaced(f, baseId, keep));
  }

  /** Local numbers of the files held open that a compaction into base `baseId` replaced (never the active one). */
  replacedBy(baseId: number, keep: ReadonlySet<number>): number[] {
    const out: number[] = [];
    this.#files.forEach((f, n) => {
      if (f && n !== this.active && replaced(f, baseId, keep)) out.push(n);
    });
    return out;
  }

  /** The bases held open among `ids`, oldest first: their local numbers and frames' bytes (a switch keeps them). */
  heldBases(ids: ReadonlySet<number>): { id: number; file: number; bytes: number }[] {
    const out: { id: number; file: number; bytes: number }[] = [];
    this.#files.forEach((f, n) => {
      if (f && f.kind === KIND_BASE && ids.has(f.id)) out.push({ id: f.id, file: n, bytes: this.#c.fs.fstatSync(f.fd).size - f.start });
    });
    return out.sort((a, b) => a.id - b.id);
  }

  /**
   * Closes one file held open (no item points into it any more); its local number is not reused. The file is
   * unlinked already, so this close is the last and frees its blocks, which takes the kernel milliseconds for a
   * file of tens of MiB: it runs on libuv's thread pool (asynchronous close), not inside the caller's call.
   */
  release(file: number): void {
    const f = this.#files[file];
    this.#files[file] = undefined;
    if (!f) return;
    const fs = this.#c.fs;
    try {
      if (typeof fs.close === 'function') fs.close(f.fd, () => { /* already gone: nothing to do */ });
      else fs.closeSync(f.fd);
    } catch { /* already gone */ }
  }

  /** Opens segment `id` as the active one, creating it (whole, via link) if it does not exist yet. */
  openActive(id: number): void {
    const c = this.#c;
    const name = segmentName(id);
    const full = path.join(c.dir, name);
    let fd: number;
    try {
      fd = this.#openAppend(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IOError(`open ${name}`, err);
      // A base at or past this id means a compaction removed it: the caller reloads.
      if (this.compactedPast(id)) throw err;
      this.#create(id);
      try {
        fd = this.#openAppend(full);
      } catch (again) {
        if ((again as NodeJS.ErrnoException).code === 'ENOENT') throw again; // a compaction removed it: reload
        throw new IOError(`open ${name}`, again);
      }
      // Look again now that it exists: a compaction that finished while we were creating it (it made a base at or
      // past this id and removed the segment) would leave ours a stale file no one else reads. Writing into it would
      // fork this process's history from everyone's: drop it and reload instead.
      if (this.compactedPast(id)) {
        c.fs.closeSync(fd);
        try { c.fs.unlinkSync(full); } catch { /* removed meanwhile */ }
        throw Object.assign(new Error(`${name} was compacted away while it was being created`), { code: 'ENOENT' });
      }
    }
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    let got = c.io(`read ${name}`, () => c.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0));
    let parsed = this.#parse(fd, header.subarray(0, got), id, name);
    if (parsed === 'short header') {
      // Cut inside its header (no frame can be in it): appends would land where readers never look. Replace it
      // with a fresh, empty segment.
      c.corruption.report('short-segment', name, 0, got);
      c.fs.closeSync(fd);
      this.#create(id, true);
      fd = c.io(`open ${name}`, () => this.#openAppend(full));
      got = c.io(`read ${name}`, () => c.fs.readSync(fd, header, 0, FILE_HEADER_BYTES, 0));
      parsed = this.#parse(fd, header.subarray(0, got), id, name);
    }
    if (typeof parsed === 'string') c.corruption.report('bad-file-header', name, 0, FILE_HEADER_BYTES, parsed);
    // A damaged header (reported): its frames are read with the salt where format 2 keeps it.
    const { salt, start } = typeof parsed === 'string' ? damagedFileHeader(header.subarray(0, got)) : parsed;
    this.active = this.add({ id, kind: KIND_SEGMENT, name, fd, salt, start });
    this.activeId = id;
    this.pos = start;
  }

  /** The header of segment `id` (open as `fd`). One in a newer format is closed unread, never appended to, and its
   * NewerFormatError thrown: the handle stops there (ShardCore.newer). */
  #parse(fd: number, buf: Buffer, id: number, name: string): FileHeader | string {
    try {
      return parseFileHeader(buf, KIND_SEGMENT, id, name);
    } catch (err) {
      this.#c.newer = err as NewerFormatError;
      this.#c.fs.closeSync(fd);
      throw err;
    }
  }

  #openAppend(full: string): number {
    // O_NOFOLLOW: a segment that is a symbolic link would take reads and writes out of the directory.
    return this.#c.fs.openSync(full, nodeFs.constants.O_RDWR | nodeFs.constants.O_APPEND | nodeFs.constants.O_NOFOLLOW);
  }

  /** Whether a compaction has made a base at or past segment `id` (so the segment is gone, or garbage). */
  compactedPast(id: number): boolean {
    return this.list().bases.some((b) => b >= id);
  }

  /** Writes segment `id` whole under a temporary name, then links it into place (or, `replace`, renames it over). */
  #create(id: number, replace = false): void {
    const c = this.#c;
    c.onChunk?.(true); // a compactor whose parent is gone, or closed the store, creates nothing: compactor-main.ts
    const tmp = path.join(c.dir, tmpSegmentName(process.pid, c.writer, id));
    c.io(replace ? 'replace segment' : 'create segment', () => {
      c.fs.writeFileSync(tmp, fileHeader(KIND_SEGMENT, id, newSalt()));
      if (replace) return c.fs.renameSync(tmp, path.join(c.dir, segmentName(id)));
      try {
        c.fs.linkSync(tmp, path.join(c.dir, segmentName(id)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        c.fs.unlinkSync(tmp);
      }
    });
  }

  /** Appends our frame `p` to the active segment (one O_APPEND write); it is unread until the replay meets it. */
  write(p: Pending): void {
    const c = this.#c;
    const { fd, salt } = this.#files[this.active]!;
    // Encoded unsalted (or for another segment, when it is written again after a seal): salted for this file.
    saltFrame(p.frame, p.salt, salt);
    p.salt = salt;
    p.segment = this.activeId;
    this.#append(p.frame);
    p.unread = true;
    c.unreadOwn += p.frame.length;
    c.lastWritten = p;
    if (c.syncPolicy === 'always') c.io('fsync', () => c.fs.fdatasyncSync(fd));
    else c.dirty = true;
  }

  /** One O_APPEND write of a whole frame, salted for the active segment; an IOError when it fails or falls short
   * (the frame may then end the log cut short: torn-frames.ts). */
  #append(frame: Buffer): void {
    const c = this.#c;
    c.refuseIfNewer();
    c.onChunk?.(true); // a compactor whose parent is gone appends nothing after the parent's last (maybe torn) write
    if (this.tornPad !== null) payTornPad(c);
    let n: number;
    let failed: unknown;
    try {
      n = c.fs.writeSync(this.activeFd, frame);
    } catch (err) {
      n = -1;
      failed = err;
    }
    if (n !== frame.length) {
      afterFailedWrite(c, frame, this.activeFile.salt, this.active);
      throw new IOError(`append in ${c.dir}`, failed ?? Object.assign(new Error('short write'), { code: 'EIO' }));
    }
  }

  /** The fd of the active segment. */
  get activeFd(): number {
    return this.#files[this.active]!.fd;
  }

  /** The active segment: its salt, where its frames start, its format (a format-1 file has PLAIN_SALT). */
  get activeFile(): OpenFile {
    return this.#files[this.active]!;
  }

  /**
   * Appends one frame encoded unsalted (encodeRecord's output) to the active segment as is, salted for it: for the
   * records a writer appends outside its pending queue (a seal, a lease renewal, another owner's TXN completed from a
   * group's intent), whose outcome nobody waits for.
   */
  appendRaw(frame: Buffer): void {
    this.#append(saltFrame(frame, PLAIN_SALT, this.activeFile.salt));
  }

  /** The name of the active segment. */
  get activeName(): string {
    return this.#files[this.active]!.name;
  }
}
