/** Errors as the bench reports them: one line, in skip reasons and notes. */

/** An error as one line: `CODE: message` (the code when it has a string one; the message's first line). */
export function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const msg = String(e?.message ?? err).split('\n')[0];
  return typeof e?.code === 'string' ? `${e.code}: ${msg}` : msg;
}
