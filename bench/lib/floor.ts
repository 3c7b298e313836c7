/**
 * The machine floor, measured in the same run as the workloads (targets were set
 * when a write cost 3.4 µs; a result only means something beside the floor of its
 * own run): one `fs.writeSync` of a 120-byte record to an O_APPEND file, one
 * `fs.readSync` pread of 120 bytes, one `fs.fstatSync`. Measured with tinybench in
 * the bench directory, so on the file system the caches live on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Bench } from 'tinybench';

/** Median cost of one call, ns, per syscall. */
export interface Floor {
  write_ns: number;
  pread_ns: number;
  fstat_ns: number;
  /** tinybench's time budget per task, ms. */
  time_ms: number;
  samples: { write: number; pread: number; fstat: number };
}

const RECORD = 120;
const READ_SPAN = 1 << 20; // pread across 1 MiB of the page cache, not one hot line

/** Measure the floor in `dir` (a scratch file is created and removed). */
export function measureFloor(dir: string, timeMs = 300): Floor {
  const file = path.join(dir, 'floor.bin');
  const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_RDWR | fs.constants.O_APPEND, 0o644);
  try {
    const record = Buffer.alloc(RECORD, 0x61);
    const into = Buffer.alloc(RECORD);
    fs.writeSync(fd, Buffer.alloc(READ_SPAN, 0x62));
    let at = 0;
    const bench = new Bench({ time: timeMs, warmupTime: 50, timestampProvider: 'hrtimeNow', retainSamples: false });
    bench
      .add('write', () => { fs.writeSync(fd, record); })
      .add('pread', () => {
        fs.readSync(fd, into, 0, RECORD, at);
        at = (at + 4099) % (READ_SPAN - RECORD);
      })
      .add('fstat', () => { fs.fstatSync(fd); });
    bench.runSync();
    const med = (name: string): [number, number] => {
      const task = bench.getTask(name);
      const r = task?.result;
      if (!r || !('latency' in r)) throw new Error(`floor: task ${name} produced no result`);
      return [r.latency.p50 * 1e6, r.latency.samplesCount]; // ms → ns
    };
    const [w, wn] = med('write');
    const [p, pn] = med('pread');
    const [s, sn] = med('fstat');
    return { write_ns: Math.round(w), pread_ns: Math.round(p), fstat_ns: Math.round(s), time_ms: timeMs,
      samples: { write: wn, pread: pn, fstat: sn } };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}
