/**
 * Markdown tables padded to fixed widths, so the same text reads in a terminal and
 * pastes into docs/benchmarks.md. Columns after the first are right-aligned (numbers).
 */

/** A table with a header row; `left` columns (default: the first) are left-aligned. */
export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = headers.map((h, c) => Math.max(3, h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, c) => (c < left ? (cells[c] ?? '').padEnd(w) : (cells[c] ?? '').padStart(w))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (c < left ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A titled section for stdout: `### title`, the table, then notes as `note:` lines. */
export function section(title: string, table: string, notes: readonly string[] = []): string {
  return [`### ${title}`, '', table, ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : [])].join('\n');
}
