/** True when `pid` runs (or cannot be told: pid <= 0, or no permission to signal it). */
export declare function processAlive(pid: number): boolean;
