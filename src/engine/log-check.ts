/**
 * The log engine's check(): verifies a shard against its own bytes and returns diskcache-style warnings; with `fix`,
 * repairs. Reports, never throws on bad data: corrupt or torn frames (from a fresh read of every log file), value
 * files missing or of the wrong size, files nobody references, empty directories. A log file in a newer format is
 * not bad data: check throws NewerFormatError, with nothing reported or changed.
 */
import { now as clockNow, sleepMs } from '../clock.js';
import * as path from 'node:path';
import { FILE_HEADER_BYTES, KIND_BASE, KIND_SEGMENT, parseFileHeader } from '../format/segment.js';
import { scanFrames } from './frame-scan.js';
import { readAt } from '../shard/chunks.js';
import type { FsLike } from '../shard/core.js';
import { isEngineFile, parseLogFileName, segmentName, writerPidOf } from '../format/files.js';
import { OP_DELV, encodeTxnValue } from '../format/record.js';
import { isValueFileName } from '../format/names.js';
import { compact } from '../shard/compaction.js';
import { Timeout } from '../errors.js';
import { processAlive } from '../shard/liveness.js';
import { FRAME_KINDS } from '../shard/corruption.js';
import type { Shard } from '../shard/shard.js';
import { fileWarnings, scanFiles, tidyFiles, type CheckWarning } from './check.js';
import { dropReplaced, spareInFlight } from './check-in-flight.js';

/**
 * A temporary file (`.tmp-<pid>-…`, `.tmp-base-<pid>-…`) or lock intent (`<name>.want-<pid>`) whose process no longer
 * runs: a crash left it, and nothing will ever use it (a live process's files are its work in progress).
 */
function leftoverOfDead(name: string): boolean {
  const pid = writerPidOf(name);
  return pid !== null && pid !== process.pid && !processAlive(pid);
}

export function checkShard(shard: Shard, disk: { remove(relative: string): void }, fix: boolean): CheckWarning[] {
  const { fs, dir } = shard;
  const warnings: CheckWarning[] = [];
  // Listed before the sync: a writer creates segment N+1 only after the seal of N is in the log, so every segment
  // listed here is within our reach once we have synced, unless the seal before it was damaged or a segment
  // before it is gone. Such a segment is cut off from the log (see 1b).
  const listed = fs.readdirSync(dir);
  shard.sync();
  // 1. Every frame of every log file in use, read afresh (the keydir may have been built before a bit flipped).
  let corrupt = false;
  for (const f of shard.openFiles()) {
    const file = openLogFile(fs, path.join(dir, f.name));
    if (file === null) continue; // replaced by a compaction since we opened it
    try {
      const header = parseFileHeader(file.header, f.kind, f.id, f.name);
      if (typeof header === 'string') {
        warnings.push({ category: 'CorruptionWarning', message: `${f.name}: ${header}` });
        corrupt = true;
        continue;
      }
      for (const run of scanFrames(fs, file.fd, file.size, header.start, header.salt)) {
        warnings.push({
          category: run.tail ? 'UserWarning' : 'CorruptionWarning',
          message: `${run.tail ? 'torn tail' : 'corrupt frame'} in ${f.name} at offset ${run.offset}: ${run.bytes} bytes ${run.tail ? 'left by an interrupted write' : 'skipped'}`,
        });
        if (!run.tail) corrupt = true;
      }
    } finally {
      fs.closeSync(file.fd);
    }
  }
  // 1b. The chain of log files: it starts at segment 1 or after a base, and nothing lies past its end. Records of a
  // segment cut off from the log are lost to every reader, and a later roll-over into its id would replay them
  // after newer ones: the repair removes it.
  const files = shard.openFiles();
  const first = files[0];
  if (first !== undefined && first.kind === KIND_SEGMENT && first.id > 1 && !files.some((f) => f.kind === KIND_BASE)) {
    warnings.push({ category: 'CorruptionWarning', message: `${first.name}: the log starts here without a base; the history before it is missing` });
    corrupt = true;
  }
  const orphans = listed.filter((n) => {
    const p = parseLogFileName(n);
    return p !== null && p.kind === KIND_SEGMENT && p.id > shard.activeSegmentId;
  }).sort();
  for (const o of orphans) {
    const file = openLogFile(fs, path.join(dir, o));
    if (file === null) continue; // removed meanwhile
    fs.closeSync(file.fd);
    // One a newer logcache wrote is not damage: NewerFormatError, before anything is reported or removed (a newer
    // file the log reaches stopped the sync above).
    parseFileHeader(file.header, KIND_SEGMENT, parseLogFileName(o)!.id, o);
    warnings.push({
      category: 'CorruptionWarning',
      message: `${o}: segment cut off from the log (the seal of ${segmentName(shard.activeSegmentId)} is damaged, or a segment before it is gone)`,
    });
    corrupt = true;
  }
  // 2. Value files of live items.
  const kd = shard.state.kd;
  const referenced = new Set<string>();
  const missing: [Buffer, number][] = [];
  const missingWarnings: CheckWarning[] = [];
  for (const [slot, file] of kd.valueFiles()) {
    if (!isValueFileName(file.name)) {
      // A name from disk that is not of the format's shape (`../x`, a log file's name): never a path to follow.
      warnings.push({ category: 'CorruptionWarning', message: `value file name not of the format's shape: ${JSON.stringify(file.name.slice(0, 200))}` });
      missing.push([kd.keyBytes(slot), kd.versionOf(slot)]);
      continue;
    }
    referenced.add(path.normalize(file.name));
    const full = path.join(dir, file.name);
    let size: number;
    try {
      size = fs.lstatSync(full).size; // lstat: a symbolic link is not the file the log vouches for
    } catch {
      warnings.push({ category: 'UserWarning', message: `file not found: ${full}` });
      missingWarnings.push(warnings[warnings.length - 1]);
      missing.push([kd.keyBytes(slot), kd.versionOf(slot)]);
      continue;
    }
    if (size !== file.size) {
      warnings.push({ category: 'UserWarning', message: `wrong file size: ${full}, ${size} != ${file.size}` });
      // diskcache's repair records the new size. Here a get treats the file as damaged (a value file carries no
      // checksum: its size is all the log vouches for) and misses, so the repair deletes the item, as for a
      // missing file.
      missingWarnings.push(warnings[warnings.length - 1]);
      missing.push([kd.keyBytes(slot), kd.versionOf(slot)]);
    }
  }
  // A writer may have replaced some of those meanwhile (value-lifetime.ts): only those still at the version seen.
  dropReplaced(shard, missing, missingWarnings, warnings);
  // 3. Unknown files and empty directories (sparing value files of writes still in flight).
  const scan = scanFiles(fs, dir, referenced, (name) => (leftoverOfDead(name) ? 'leftover' : isEngineFile(name) ? 'engine' : 'other'));
  spareInFlight(shard, scan);
  warnings.push(...fileWarnings(dir, scan));
  for (const r of shard.reports) {
    // Bad frames met in a file a compaction has since removed are history: nothing reads them any more.
    if (FRAME_KINDS.has(r.kind) && !fs.existsSync(path.join(dir, r.file))) continue;
    const seen = warnings.some((w) => w.message.includes(`${r.file} at offset ${r.offset}`));
    if (!seen && r.kind !== 'torn-frame') {
      warnings.push({ category: 'CorruptionWarning', message: `${r.reason} in ${r.file} at offset ${r.offset}: ${r.bytes} bytes` });
      corrupt = true;
    }
  }
  if (shard.droppedReports > 0) {
    warnings.push({ category: 'CorruptionWarning', message: `${shard.droppedReports} more damaged places met while reading, not listed` });
  }
  if (!fix) return warnings;
  // Segments cut off first, before anything is appended: a roll-over (or the compaction's seal) would move the log
  // into the first of them and replay its stale records.
  for (const o of orphans) {
    try { fs.unlinkSync(path.join(dir, o)); } catch { /* removed meanwhile */ }
  }
  // Repairs. Items whose file is gone or damaged are deleted (with the damaged files); corrupt frames disappear
  // when compaction rewrites live items.
  if (missing.length > 0) {
    const out = shard.append(OP_DELV, { time: clockNow(), value: encodeTxnValue(missing.map(([key, version]) => ({ key, version })), []) });
    for (const s of out.removed) if (s.valueFile && isValueFileName(s.valueFile.name)) disk.remove(s.valueFile.name);
  }
  if (corrupt || warnings.some((w) => w.message.startsWith('torn tail'))) {
    // Another process's compaction may hold the lock (a compactor's warm copy compacting by itself): the repair waits
    // for it and then rewrites the log itself (before, it was skipped, and the damage stayed for the next check).
    const deadline = Date.now() + shard.waitTimeoutMs;
    while (compact(shard, true).skipped === 'locked') {
      if (Date.now() >= deadline) throw new Timeout(undefined, `check({ fix: true }) in ${dir}: the compaction lock stayed taken`);
      sleepMs(10);
    }
    shard.clearReports();
  }
  tidyFiles(fs, dir, scan, disk);
  return warnings;
}

/** A log file opened for reading: its descriptor, size and first header bytes; null when it is gone. */
function openLogFile(fs: FsLike, full: string): { fd: number; size: number; header: Buffer } | null {
  let fd: number;
  try {
    fd = fs.openSync(full, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(FILE_HEADER_BYTES);
    return { fd, size, header: header.subarray(0, readAt(fs, fd, header, FILE_HEADER_BYTES, 0)) };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
