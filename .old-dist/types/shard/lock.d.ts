/** Tries to take `name` in `dir` without waiting; returns a release function, or null when another holds it. */
export declare function tryLock(dir: string, name: string): (() => void) | null;
