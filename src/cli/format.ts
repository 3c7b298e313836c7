/** How the command prints: byte sizes, keys and values as text or JSON, the package version. */
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Key } from '../index.js';
import { UsageError } from './args.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do { v /= 1024; u++; } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

/** JSON for keys and values: bigint, bytes, non-finite numbers, Maps and Sets as tagged objects ({"$bytes": base64}, ...). */
export function toJson(v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [toJson(k), toJson(x)]) };
  if (v instanceof Set) return { $set: [...v].map(toJson) };
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return null;
  return v;
}

export function fromJsonKey(v: unknown): Key {
  if (Array.isArray(v)) return v.map(fromJsonKey);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$bytes === 'string') return Buffer.from(o.$bytes, 'base64');
    if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
    throw new UsageError('a JSON key is a string, number, boolean, null, array, {"$bytes": base64} or {"$bigint": digits}');
  }
  return v as Key;
}

export function formatKey(k: Key): string {
  return typeof k === 'string' ? k : JSON.stringify(toJson(k));
}

/** The version in the package.json above this file (dist/ or src/cli/), or 'unknown' when bundled without it. */
export function version(): string {
  try {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
      const p = path.join(dir, 'package.json');
      if (nodeFs.existsSync(p)) {
        const pkg = JSON.parse(nodeFs.readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'logcache') return pkg.version ?? 'unknown';
      }
    }
  } catch { /* bundled without its package.json */ }
  return 'unknown';
}
