/**
 * The names a shard directory may hold (docs/format.md, "Files"). A value file's name comes from a record, so from
 * disk: it is checked against the shape here before it names a path (a record naming `../outside/secret.txt` or
 * `0000000001.log` is damage, never a file to read or delete), and check({ fix: true }) deletes only files whose name
 * the format itself gives.
 */
import { isEngineFile } from './files.js';

/** The default Disk's value files: `ab/cd/<28 hex>.val`. */
const OWN_VALUE_FILE = /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{28}\.val$/;
/** The directories holding them: `ab`, `ab/cd`. */
const OWN_VALUE_DIR = /^[0-9a-f]{2}(?:\/[0-9a-f]{2})?$/;
/** One component of a value file name a Disk subclass may give: no leading dot (so never `.`, `..` or `.tmp-…`). */
const COMPONENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
const MAX_COMPONENTS = 8;

/**
 * Whether `name` may name a value file: a relative path of 1 to 8 components of letters, digits, `.`, `_` and `-`
 * (none starting with a dot), separated by `/`, and not one of the engine's own files. The default Disk's names
 * (`ab/cd/<28 hex>.val`) are of this shape, and so must a Disk subclass's `filename()` be.
 */
export function isValueFileName(name: string): boolean {
  const parts = name.split('/');
  if (parts.length > MAX_COMPONENTS) return false;
  for (const p of parts) if (!COMPONENT.test(p)) return false;
  return parts.length > 1 || !isEngineFile(name);
}

/** A value file name the default Disk gives (`ab/cd/<28 hex>.val`): check({ fix }) may delete it when orphaned. */
export function isOwnValueFileName(rel: string): boolean {
  return OWN_VALUE_FILE.test(rel);
}

/** A directory the default Disk makes for value files (`ab`, `ab/cd`): check({ fix }) may remove it when empty. */
export function isOwnValueDirName(rel: string): boolean {
  return OWN_VALUE_DIR.test(rel);
}
