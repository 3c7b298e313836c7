/** Sub-collection paths: `<dir>/<kind>/<name parts>`, refusing names that would leave `<dir>/<kind>`. */
import * as path from 'node:path';

/**
 * Resolves `name` (parts separated by '/') under `directory/kind`.
 * @throws TypeError for a non-string or empty name, or one with a NUL; RangeError for an absolute name or one
 * with '..' (or that otherwise resolves outside the directory).
 */
export function subPath(directory: string, kind: string, name: string): string {
  if (typeof name !== 'string' || name === '') throw new TypeError('name must be a non-empty string');
  if (name.includes('\0')) throw new TypeError('name must not contain NUL');
  if (path.isAbsolute(name) || name.startsWith('\\')) throw new RangeError(`name must be relative; got ${JSON.stringify(name)}`);
  const parts = name.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) throw new RangeError(`name must not contain '..', '.' or empty parts; got ${JSON.stringify(name)}`);
  const base = path.join(directory, kind);
  const full = path.join(base, ...parts);
  if (!full.startsWith(base + path.sep)) throw new RangeError(`name ${JSON.stringify(name)} leaves the directory`);
  return full;
}
