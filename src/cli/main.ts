/**
 * The `logcache` command: look into and look after a cache directory from a shell (docs/cli.md).
 *
 *     logcache stats DIR          items, bytes, hit counters, settings, sub-collections
 *     logcache check [--fix] DIR  verify every frame and value file (exit 1 when something is wrong)
 *     logcache compact DIR        remove expired items, rewrite the live items, drop dead records
 *     logcache keys DIR           keys in insertion order
 *     logcache get KEY DIR        one value
 *     logcache clear [--yes] DIR  remove every item
 *     logcache bench [DIR]        a short set/get/delete benchmark in a temporary cache under DIR
 *
 * DIR may be a Cache or a FanoutCache directory (its shards `000`, `001`, … are opened as Caches). Nothing is
 * created: a directory that holds no cache is refused. `--json` prints one JSON document instead of text; check and
 * compact draw a progress bar on stderr when it is a terminal and the work takes a while (`--progress` forces it,
 * `--no-progress` hides it). One file per job: args.ts (the command line), open.ts (opening DIR), progress.ts,
 * format.ts (output), inspect.ts, maintain.ts and bench.ts (the commands).
 */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { USAGE, UsageError, parseArgs } from './args.js';
import type { Args } from './args.js';
import { cmdBench } from './bench.js';
import type { CliIO, Ctx } from './context.js';
import { version } from './format.js';
import { cmdGet, cmdKeys, cmdStats } from './inspect.js';
import { cmdCheck, cmdClear, cmdCompact } from './maintain.js';
import { Progress } from './progress.js';

export type { CliIO } from './context.js';

const COMMANDS: Record<string, (ctx: Ctx) => number> = {
  stats: cmdStats, check: cmdCheck, compact: cmdCompact, keys: cmdKeys, get: cmdGet, clear: cmdClear, bench: cmdBench,
};

/** One line from file descriptor 0, read synchronously (the commands are synchronous); null at end of input. */
function readLineSync(): string | null {
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  for (;;) {
    let n: number;
    try {
      n = nodeFs.readSync(0, one, 0, 1, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw err;
    }
    if (n === 0) return bytes.length ? Buffer.from(bytes).toString('utf8') : null;
    if (one[0] === 0x0a) return Buffer.from(bytes).toString('utf8');
    bytes.push(one[0]);
  }
}

const PROCESS_IO: CliIO = {
  stdout: process.stdout, stderr: process.stderr, stdin: { isTTY: process.stdin.isTTY, readLine: readLineSync },
};

/**
 * Runs the command line `argv` (without `node` and the script). Returns the exit code: 0 done, 1 a problem found
 * (check), a key not found or unreadable (get), a clear not confirmed, or an operational failure; 2 a usage error
 * or a directory that holds no cache.
 */
export function main(argv: string[], io: CliIO = PROCESS_IO): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.stderr.write(`logcache: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.flags.has('--version')) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (args.flags.has('--help') || args.command === 'help' || args.command === '') {
    (args.command === '' && !args.flags.has('--help') ? io.stderr : io.stdout).write(USAGE);
    return args.command === '' && !args.flags.has('--help') ? 2 : 0;
  }
  const run = COMMANDS[args.command];
  if (!run) {
    io.stderr.write(`logcache: unknown command ${JSON.stringify(args.command)}\n\n${USAGE}`);
    return 2;
  }
  const json = args.flags.has('--json');
  const force = args.flags.has('--progress');
  const enabled = force || (!args.flags.has('--no-progress') && !json && Boolean(io.stderr.isTTY));
  const ctx: Ctx = {
    io, args, json,
    progress: new Progress(io.stderr, enabled, force),
    print: (line = '') => io.stdout.write(line + '\n'),
    emitJson: (v) => io.stdout.write(JSON.stringify(v, null, 2) + '\n'),
  };
  try {
    return run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`logcache: ${err.message}\n`);
      return 2;
    }
    const e = err as Error & { code?: string };
    io.stderr.write(`logcache: ${e.code ? `${e.code}: ` : ''}${e.message}\n`);
    return 1;
  }
}

// Run when executed directly (`node --import tsx src/cli/main.ts ...`); bin/logcache.mjs calls main() itself.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
