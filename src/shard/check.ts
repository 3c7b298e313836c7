/**
 * check(): verifies a shard against its own bytes and returns diskcache-style warnings; with `fix`, repairs.
 * Reports, never throws on bad data: corrupt or torn frames (from a fresh read of every log file), value files
 * missing or of the wrong size, files nobody references, empty directories.
 */
import { now as clockNow } from '../clock.js';
import * as path from 'node:path';
import { FRAME_OK, newFrameView, nextGoodFrame, readFrame } from '../format/frame.js';
import { FILE_HEADER_BYTES, checkFileHeader, parseLogFileName } from '../format/segment.js';
import { OP_DELV, encodeTxnValue } from '../format/record.js';
import { compact } from './compaction.js';
import { idToBytesOf } from './keydir.js';
import type { Shard } from './shard.js';

export interface CheckWarning {
  /** 'UserWarning', 'UnknownFileWarning', 'EmptyDirWarning' (diskcache's) or 'CorruptionWarning'. */
  category: string;
  message: string;
}

/** Files of the engine itself, never "unknown". */
function isEngineFile(name: string): boolean {
  return parseLogFileName(name) !== null || name === 'access.bin' || name.startsWith('.tmp-') || name.endsWith('.lock') || name.endsWith('.owner');
}

export function checkShard(shard: Shard, disk: { remove(relative: string): void }, fix: boolean): CheckWarning[] {
  const { fs, dir } = shard;
  const warnings: CheckWarning[] = [];
  shard.sync();
  // 1. Every frame of every log file in use, read afresh (the keydir may have been built before a bit flipped).
  let corrupt = false;
  for (const f of shard.openFiles()) {
    const full = path.join(dir, f.name);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(full);
    } catch {
      continue; // replaced by a compaction since we opened it
    }
    const bad = checkFileHeader(buf, f.kind, f.id);
    if (bad) {
      warnings.push({ category: 'CorruptionWarning', message: `${f.name}: ${bad}` });
      corrupt = true;
      continue;
    }
    const fv = newFrameView();
    const scratch = newFrameView();
    let p = FILE_HEADER_BYTES;
    while (p < buf.length) {
      const v = readFrame(buf, p, buf.length, fv);
      if (v.status === FRAME_OK) {
        p = v.next;
        continue;
      }
      const q = nextGoodFrame(buf, p, buf.length, scratch);
      const bytes = (q < 0 ? buf.length : q) - p;
      const tail = q < 0;
      warnings.push({
        category: tail ? 'UserWarning' : 'CorruptionWarning',
        message: `${tail ? 'torn tail' : 'corrupt frame'} in ${f.name} at offset ${p}: ${bytes} bytes ${tail ? 'left by an interrupted write' : 'skipped'}`,
      });
      if (!tail) corrupt = true;
      p += bytes;
    }
  }
  // 2. Value files of live items.
  const kd = shard.state.kd;
  const referenced = new Set<string>();
  const missing: [Buffer, number][] = [];
  for (const [slot, file] of kd.files) {
    referenced.add(path.normalize(file.name));
    const full = path.join(dir, file.name);
    let size: number;
    try {
      size = fs.statSync(full).size;
    } catch {
      warnings.push({ category: 'UserWarning', message: `file not found: ${full}` });
      missing.push([idToBytesOf(kd.ids[slot]!), kd.version[slot]]);
      continue;
    }
    if (size !== file.size) warnings.push({ category: 'UserWarning', message: `wrong file size: ${full}, ${size} != ${file.size}` });
  }
  // 3. Unknown files and empty directories (top-down, one pass, as diskcache).
  const unknown: string[] = [];
  const empty: string[] = [];
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    if (rel !== '' && entries.length === 0) empty.push(rel);
    for (const e of entries) {
      const r = rel === '' ? e.name : path.join(rel, e.name);
      if (e.isDirectory()) {
        if (rel === '' && e.name.endsWith('.lock')) continue;
        walk(r);
      } else if (!(rel === '' && isEngineFile(e.name)) && !referenced.has(r)) unknown.push(r);
    }
  };
  walk('');
  for (const u of unknown) warnings.push({ category: 'UnknownFileWarning', message: `unknown file: ${path.join(dir, u)}` });
  for (const e of empty) warnings.push({ category: 'EmptyDirWarning', message: `empty directory: ${path.join(dir, e)}` });
  for (const r of shard.reports) {
    const seen = warnings.some((w) => w.message.includes(`${r.file} at offset ${r.offset}`));
    if (!seen && r.reason !== 'torn frame') {
      warnings.push({ category: 'CorruptionWarning', message: `${r.reason} in ${r.file} at offset ${r.offset}: ${r.bytes} bytes` });
      corrupt = true;
    }
  }
  if (!fix) return warnings;
  // Repairs. Items whose file is gone are deleted; corrupt frames disappear when compaction rewrites live items.
  if (missing.length > 0) {
    shard.append(OP_DELV, { time: clockNow(), value: encodeTxnValue(missing.map(([key, version]) => ({ key, version })), []) });
  }
  if (corrupt || warnings.some((w) => w.message.startsWith('torn tail'))) {
    compact(shard);
    shard.reports.length = 0;
  }
  for (const u of unknown) disk.remove(u);
  // Remove empty directories, and the parents that become empty (diskcache would report those on the next
  // check; a repair should leave nothing to report).
  for (const e of empty) {
    for (let rel = e; rel !== '' && rel !== '.'; rel = path.dirname(rel)) {
      try { fs.rmdirSync(path.join(dir, rel)); } catch { break; /* not empty */ }
    }
  }
  return warnings;
}
