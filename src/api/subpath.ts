/** Directories below a cache's: a FanoutCache's shards, and sub-collection paths `<dir>/<kind>/<name parts>`,
 * refusing names that would leave `<dir>/<kind>`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IOError } from '../errors.js';

/**
 * The directory of shard `i` of a FanoutCache (`000`, `001`, …). A symbolic link there would take the shard's reads
 * and deletes out of the cache's directory: IOError.
 */
export function shardDirectory(root: string, i: number): string {
  const dir = path.join(root, String(i).padStart(3, '0'));
  let link = false;
  try {
    link = fs.lstatSync(dir).isSymbolicLink();
  } catch { /* not there yet: the shard creates it */ }
  if (link) throw new IOError(`shard directory ${dir} is a symbolic link`, Object.assign(new Error('symbolic link'), { code: 'ELOOP' }));
  return dir;
}

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
