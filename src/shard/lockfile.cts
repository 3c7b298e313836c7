/**
 * proper-lockfile, loaded at its first use rather than with the package: only compaction and `check({ fix })` take
 * a lock, and loading it costs a cold start ~15 ms (graceful-fs, retry, signal-exit) and installs exit handlers.
 * A CommonJS module so that the load is a plain `require` call, which Node runs synchronously and bundlers
 * (scripts/build.mjs's esbuild, and a user's) inline and still run only when called.
 */
import type * as ProperLockfile from 'proper-lockfile';

let loaded: typeof ProperLockfile | undefined;

/** The proper-lockfile module, required on the first call. */
export function properLockfile(): typeof ProperLockfile {
  loaded ??= require('proper-lockfile') as typeof ProperLockfile;
  return loaded;
}
