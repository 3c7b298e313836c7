/** Where the command writes; tests pass their own. */
export interface CliIO {
    stdout: {
        write(s: string | Uint8Array): unknown;
    };
    stderr: {
        write(s: string): unknown;
        isTTY?: boolean;
    };
}
/**
 * Runs the command line `argv` (without `node` and the script). Returns the exit code: 0 done, 1 a problem found
 * (check) or a key not found (get), 2 a usage error or a directory that holds no cache.
 */
export declare function main(argv: string[], io?: CliIO): number;
