/**
 * What a store really takes on disk: the files under its directory, plus files already unlinked from it that a
 * process (one of `pids` or a descendant) still holds open: Linux frees those bytes only at the last close, so a
 * design that keeps old segments open after a compaction must be charged for them.
 */
import fs from 'node:fs';
import path from 'node:path';

/** `pids` and every process descending from them (found through /proc/<pid>/stat's parent field). */
export function withDescendants(pids: readonly number[]): number[] {
  const parentOf = new Map<number, number>();
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [...pids];
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(n), ppid);
    } catch { /* exited meanwhile */ }
  }
  const out = new Set(pids);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!out.has(pid) && out.has(ppid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return [...out];
}

/** Bytes of the files under `dir` plus the unlinked files from `dir` that `pids` still hold open (each counted once). */
export function storeBytes(dir: string, pids: readonly number[]): { bytes: number; held: number } {
  const seen = new Set<string>();
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const s = fs.statSync(p);
          const id = `${s.dev}:${s.ino}`;
          if (!seen.has(id)) {
            seen.add(id);
            total += s.size;
          }
        }
      } catch { /* removed meanwhile */ }
    }
  };
  walk(dir);
  let held = 0;
  const prefix = path.resolve(dir) + path.sep;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (!target.startsWith(prefix) || !target.endsWith(' (deleted)')) continue;
        const s = fs.statSync(`/proc/${pid}/fd/${fd}`);
        const id = `${s.dev}:${s.ino}`;
        if (seen.has(id)) continue;
        seen.add(id);
        held += s.size;
      } catch { /* closed meanwhile */ }
    }
  }
  return { bytes: total + held, held };
}
