/**
 * Resolves `name` (parts separated by '/') under `directory/kind`.
 * @throws TypeError for a non-string or empty name, or one with a NUL; RangeError for an absolute name or one
 * with '..' (or that otherwise resolves outside the directory).
 */
export declare function subPath(directory: string, kind: string, name: string): string;
