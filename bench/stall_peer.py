"""The stall workload (bench/stall.ts) on python-diskcache: the same fill, writer and reader steps, timed the
same way. Usage: python3 stall_peer.py fill|writer|reader '<json params>'. Progress lines on stderr ("idle"
after the writer's last write); one JSON result on stdout's last line."""
import json
import os
import resource
import struct
import sys
import time

import diskcache

BUCKET_NS = 100
LIMIT_NS = 10_000_000


class Latency:
    """100 ns buckets up to 10 ms, slower calls kept exactly (as bench/lib/latency.ts)."""

    def __init__(self):
        self.buckets = [0] * (LIMIT_NS // BUCKET_NS)
        self.slow = []
        self.count = 0
        self.total = 0
        self.max = 0
        self.over1 = 0
        self.over5 = 0

    def add(self, ns):
        self.count += 1
        self.total += ns
        if ns > self.max:
            self.max = ns
        if ns > 1_000_000:
            self.over1 += 1
            if ns > 5_000_000:
                self.over5 += 1
        if ns >= LIMIT_NS:
            self.slow.append(ns)
        else:
            self.buckets[ns // BUCKET_NS] += 1

    def pct(self, p):
        if self.count == 0:
            return None
        rank = min(self.count - 1, int(self.count * p))
        for b, n in enumerate(self.buckets):
            if rank < n:
                return (b + 1) * BUCKET_NS / 1000
            rank -= n
        slow = sorted(self.slow)
        return slow[min(len(slow) - 1, rank)] / 1000

    def summary(self):
        r = lambda x: None if x is None else round(x, 1)
        return {
            'count': self.count, 'median_us': r(self.pct(0.5)), 'p99_us': r(self.pct(0.99)),
            'p999_us': r(self.pct(0.999)), 'max_us': r(self.max / 1000) if self.count else None,
            'over_1ms': self.over1, 'over_5ms': self.over5, 'busy_s': round(self.total / 1e9, 3),
        }


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stamp(i, p, size):
    return struct.pack('<II', i, p) + b'b' * (size - 8)


def open_cache(p):
    return diskcache.Cache(p['dir'], size_limit=p['size_limit'])


def progress(text):
    sys.stderr.write(text + '\n')
    sys.stderr.flush()


def fill(p):
    cache = open_cache(p)
    progress('fill %d x %d B' % (p['keys'], p['valueBytes']))
    clock = time.perf_counter_ns
    lat = Latency()
    t = time.perf_counter()
    for i in range(p['keys']):
        k = 'key:%d' % i
        v = stamp(i, 0, p['valueBytes'])
        s = clock()
        cache.set(k, v)
        lat.add(clock() - s)
    cache.close()
    return {'wall_s': round(time.perf_counter() - t, 3), 'set': lat.summary()}


def writer(p):
    clock = time.perf_counter_ns
    t0 = clock()
    cache = open_cache(p)
    open_ms = round((clock() - t0) / 1e6, 2)
    lat = Latency()
    steady = 0
    peak = 0
    n = p['keys']
    size = p['valueBytes']
    start = clock()
    for rnd in range(1, p['passes'] + 1):
        progress('overwrite pass %d of %d' % (rnd, p['passes']))
        for i in range(n):
            k = 'key:%d' % i
            v = stamp(i, rnd, size)
            s = clock()
            cache.set(k, v)
            ns = clock() - s
            lat.add(ns)
            if (i & 255) == 0 or ns > 1_000_000:
                peak = max(peak, rss())
            if rnd == 1 and i == n >> 1:
                steady = rss()
    wall = (clock() - start) / 1e9
    progress('idle')
    end = time.time() + p['idleMs'] / 1000
    while time.time() < end and not os.path.exists(p['settledFile']):
        time.sleep(0.1)
        peak = max(peak, rss())
    wrong = 0
    for j in range(1000):
        i = j * n // 1000
        v = cache.get('key:%d' % i)
        if not isinstance(v, bytes) or struct.unpack('<II', v[:8]) != (i, p['passes']):
            wrong += 1
    cache.close()
    return {'set': lat.summary(), 'open_ms': open_ms, 'steady_rss': steady, 'peak_rss': peak, 'max_rss': max_rss(),
            'wrong': wrong, 'wall_s': round(wall, 3)}


def reader(p):
    clock = time.perf_counter_ns
    cache = open_cache(p)
    progress('reading')
    n = p['keys']
    keys = [(j * n // p['read_keys'], 'key:%d' % (j * n // p['read_keys'])) for j in range(p['read_keys'])]
    lat = Latency()
    misses = wrong = peak = 0
    while True:
        for j, (i, k) in enumerate(keys):
            s = clock()
            v = cache.get(k)
            ns = clock() - s
            lat.add(ns)
            if v is None:
                misses += 1
            elif struct.unpack('<I', v[:4])[0] != i:
                wrong += 1
            if (j & 255) == 0 or ns > 1_000_000:
                peak = max(peak, rss())
        if os.path.exists(p['stopFile']):
            break
    cache.close()
    return {'get': lat.summary(), 'misses': misses, 'wrong': wrong, 'peak_rss': peak, 'max_rss': max_rss()}


def main():
    step, params = sys.argv[1], json.loads(sys.argv[2])
    try:
        result = {'fill': fill, 'writer': writer, 'reader': reader}[step](params)
    except Exception as e:  # reported as a skip, as the Node steps do
        result = {'skipped': 'failed: %s: %s' % (type(e).__name__, e)}
    print(json.dumps(result))


if __name__ == '__main__':
    main()
