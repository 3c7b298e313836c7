/** The command line: usage text, option parsing, and the errors that exit 2. */
import * as path from 'node:path';
import type { Ctx } from './context.js';

export const USAGE = `usage: logcache <command> [options] DIR

commands:
  stats DIR            items, bytes, hit counters, settings and sub-collections
  check [--fix] DIR    verify every frame and value file; --fix repairs (exit 1 when problems remain)
  compact DIR          remove expired items, then rewrite the live items and drop dead records
  keys [--limit N] DIR keys in insertion order (strings as-is, other keys as JSON)
  get [--json-key] KEY DIR
                       print the value of KEY (a string; with --json-key, KEY is JSON: 42, ["a",1])
  clear [--yes] DIR    remove every item (asks first; --yes when stdin is not a terminal)
  bench [--count N] [--size BYTES] [DIR]
                       time set/get/delete in a temporary cache under DIR (default: the OS temp directory)

options:
  --json               print one JSON document
  --progress           always draw the progress bar; --no-progress never
  -h, --help           this text; --version the package version
`;

/** A bad command line or a path that holds no cache: exit code 2. */
export class UsageError extends Error {}

export interface Args {
  command: string;
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--limit', '--count', '--size']);
const BOOLEAN_FLAGS = new Set(['--json', '--fix', '--json-key', '--progress', '--no-progress', '--help', '--version', '--yes']);

export function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--') && a.includes('=')) {
      const eq = a.indexOf('=');
      if (!VALUE_FLAGS.has(a.slice(0, eq))) throw new UsageError(`unknown option ${a.slice(0, eq)}`);
      flags.set(a.slice(0, eq), a.slice(eq + 1));
    } else if (VALUE_FLAGS.has(a)) {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      flags.set(a, argv[++i]);
    } else if (a === '-h') flags.set('--help', true);
    else if (a === '-y') flags.set('--yes', true);
    else if (a.startsWith('-') && a.length > 1) {
      if (!BOOLEAN_FLAGS.has(a)) throw new UsageError(`unknown option ${a}`);
      flags.set(a, true);
    } else positional.push(a);
  }
  return { command: positional.shift() ?? '', positional, flags };
}

export function intFlag(args: Args, name: string, dflt: number): number {
  const v = args.flags.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} takes a positive integer; got ${String(v)}`);
  return n;
}

/** The command's DIR (its last argument), after `extra` arguments before it. */
export function dirArg(ctx: Ctx, extra = 0): string {
  const p = ctx.args.positional;
  if (p.length !== 1 + extra) throw new UsageError(`${ctx.args.command} takes ${extra ? 'KEY DIR' : 'DIR'}; got ${p.length} argument(s)`);
  return path.resolve(p[p.length - 1]);
}
