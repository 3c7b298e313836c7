/**
 * Node built-ins that only some paths use (zlib for JSONDisk, crypto for file names and writer ids, os for a
 * temporary directory, and those the bundled proper-lockfile needs), loaded at their first use so that loading the
 * package costs none of them.
 * `process.getBuiltinModule` where Node has it (20.16+), else Node's `require`; bundlers follow neither.
 */
import { createRequire } from 'node:module';

/**
 * A `require` for this file: from import.meta.url in ESM, from __filename in the CommonJS build (whose import.meta
 * is empty). Never `require` itself as a value: bundlers cannot follow that (webpack warns).
 */
export function localRequire(): NodeJS.Require {
  const url = (import.meta as { url?: unknown }).url;
  return createRequire(typeof url === 'string' ? url : __filename);
}

const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;

/** The built-in module `id` ('node:zlib'), loaded now if nothing loaded it before. */
export function builtin<T>(id: string): T {
  return (getBuiltinModule ? getBuiltinModule.call(process, id) : localRequire()(id)) as T;
}

/** node:crypto's randomBytes, loaded at its first call. */
export function randomBytes(size: number): Buffer {
  return builtin<typeof import('node:crypto')>('node:crypto').randomBytes(size);
}

/** node:os's tmpdir(), loaded at its first call (a Cache or FanoutCache made with no directory). */
export function tmpdir(): string {
  return builtin<typeof import('node:os')>('node:os').tmpdir();
}
