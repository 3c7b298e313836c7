/** What every command gets: where it writes, its parsed arguments, the progress bar. */
import type { Args } from './args.js';
import type { Progress } from './progress.js';

/** Where the command reads and writes; tests pass their own. */
export interface CliIO {
  stdout: { write(s: string | Uint8Array): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Standard input: whether it is a terminal, and one line read from it (null at end of input). */
  stdin?: { isTTY?: boolean; readLine(): string | null };
}

export interface Ctx {
  io: CliIO;
  args: Args;
  json: boolean;
  progress: Progress;
  print(line?: string): void;
  emitJson(v: unknown): void;
}
