"""Shared timing for the NumPy twins of the benches (see bench/numpy-runner.ts).

A script calls `report(case, run)`: `run()` does the computation once;
this warms up, repeats, and prints {"medianMs": ..., **extra} as the last
stdout line. `case` is the JSON the runner passed in argv[1].
"""
import json
import statistics
import sys
import time


def case():
    return json.loads(sys.argv[1])


def report(params, run, **extra):
    for _ in range(int(params.get("warmup", 1))):
        run()
    times = []
    for _ in range(int(params.get("repetitions", 5))):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    print(json.dumps({"medianMs": statistics.median(times), **extra}))
