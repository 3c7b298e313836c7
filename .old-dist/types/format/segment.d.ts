/**
 * Segment and base files (docs/format.md, "Files"). Every file of a shard's log starts with a 16-byte header:
 *
 *   magic "LOGCACHE" (8) | version u16 | kind u16 | id u32          (little-endian)
 *
 * then frames. `NNNNNNNNNN.log` (kind 1) are the append-only segments, in id order; `NNNNNNNNNN.base` (kind 2) is
 * the compacted state as of the seal of segment NNNNNNNNNN. Files appear whole: written under a temporary name and
 * linked into place, so a reader never sees a header half-written.
 */
export declare const FILE_MAGIC: Buffer<ArrayBuffer>;
export declare const FORMAT_VERSION = 1;
export declare const KIND_SEGMENT = 1;
export declare const KIND_BASE = 2;
export declare const FILE_HEADER_BYTES: number;
export declare function segmentName(id: number): string;
export declare function baseName(id: number): string;
/** Parses a log file name: `{ id, kind }`, or null for any other file. */
export declare function parseLogFileName(name: string): {
    id: number;
    kind: number;
} | null;
export declare function fileHeader(kind: number, id: number): Buffer;
/** Checks a file header; returns a reason when it is not one of ours, else null. */
export declare function checkFileHeader(buf: Buffer, kind: number, id: number): string | null;
