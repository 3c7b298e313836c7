/**
 * A progress bar on stderr, fed with bytes from the file-system layer the command gives its Caches (open.ts): the
 * engine's open, check and compaction are synchronous, so the bar is drawn from inside their reads and writes. It
 * appears only once the work has run for DELAY_MS, so quick runs print nothing. Each phase (opening, checking,
 * compacting) has its own total: the bytes that phase reads or writes.
 */
import type { CliIO } from './context.js';
import { formatBytes } from './format.js';

export class Progress {
  static readonly DELAY_MS = 300;
  static readonly EVERY_MS = 100;
  total = 0;
  done = 0;
  label = '';
  /** What moves the bar: reads (opening, check) or writes (compaction writing its base file). */
  counting: 'read' | 'write' = 'read';
  #started = Date.now();
  #drawn = 0;
  #shown = false;
  constructor(readonly out: CliIO['stderr'], readonly enabled: boolean, readonly force: boolean) {}

  /** Starts a phase: the bar restarts at 0 of `total` bytes, counting `counting`. */
  phase(label: string, total: number, counting: 'read' | 'write' = 'read'): void {
    if (this.#shown && this.done > 0) this.#draw(true);
    this.label = label;
    this.total = total;
    this.done = 0;
    this.counting = counting;
  }

  add(bytes: number): void {
    this.done += bytes;
    if (!this.enabled) return;
    const now = Date.now();
    if (!this.force && now - this.#started < Progress.DELAY_MS) return;
    if (now - this.#drawn < Progress.EVERY_MS) return;
    this.#draw(false);
  }

  #draw(final: boolean): void {
    this.#drawn = Date.now();
    this.#shown = true;
    const total = Math.max(this.total, this.done, 1);
    const frac = final ? 1 : Math.min(this.done / total, 0.99);
    const width = 30;
    const full = Math.round(frac * width);
    const bar = '#'.repeat(full) + '-'.repeat(width - full);
    const pct = String(Math.floor(frac * 100)).padStart(3);
    this.out.write(`\r${this.label.padEnd(16)} [${bar}] ${pct}% ${formatBytes(final ? total : this.done)}/${formatBytes(total)}   `);
    if (final) this.out.write('\n');
  }

  /** Ends the bar at 100% (when it was shown, or always when forced). */
  finish(): void {
    if (this.enabled && (this.#shown || this.force)) this.#draw(true);
    this.#shown = false;
    this.done = 0;
  }
}
