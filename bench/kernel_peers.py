#!/usr/bin/env python3
"""The peers of bench's KernelBenchmark: numpy (and TensorFlow, if importable) on the same float32 sizes.

Usage: kernel_peers.py [--repeat N] [--tf] [--only NAME] [--json FILE] [--tf-json FILE]
       (NAME: add, sum, matmul1024, matmul2048)
With --json / --tf-json, the medians also go to FILE as {"figures": {JMH benchmark name: ms}} for bench/ratios.py.
Prints ms per op (best and median of N) and throughput, to set beside KernelBenchmark's ms/op from the
same time window (the machine is shared: ratios from different windows mean little).
"""
import argparse
import statistics
import time

import numpy as np

N = 16 << 20


def timeit(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


FIGURES = {"numpy": {}, "tf": {}}


def report(name, best, median, work=None, unit=None, key=None):
    extra = f"  {work / best / 1e9:8.2f} {unit}" if work else ""
    print(f"{name:28s} best {best * 1e3:9.3f} ms  median {median * 1e3:9.3f} ms{extra}")
    if key:
        peer, names = key
        for n in names:
            FIGURES[peer][n] = median * 1e3


def numpy_peers(repeat, only=None):
    rng = np.random.default_rng(42)
    a = rng.uniform(-1, 1, N).astype(np.float32)
    b = rng.uniform(-1, 1, N).astype(np.float32)
    out = np.empty_like(a)
    if only in (None, "add"):
        report("numpy add16M (out=)", *timeit(lambda: np.add(a, b, out=out), repeat), N, "Gelem/s",
               key=("numpy", ["add16M"]))
        report("numpy add16M (a + b)", *timeit(lambda: a + b, repeat), N, "Gelem/s",
               key=("numpy", ["add16MAllocating", "add16MSession"]))
    if only in (None, "sum"):
        report("numpy reduceSum16M", *timeit(lambda: a.sum(), repeat), N, "Gelem/s",
               key=("numpy", ["reduceSum16M"]))
    for n in (1024, 2048):
        if only not in (None, f"matmul{n}"):
            continue
        x = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        y = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        report(f"numpy matMul {n}", *timeit(lambda: x @ y, repeat), 2.0 * n ** 3, "GFLOP/s",
               key=("numpy", [f"matMul size={n}"]))


def tf_peers(repeat):
    import tensorflow as tf
    rng = np.random.default_rng(42)
    a = tf.constant(rng.uniform(-1, 1, N).astype(np.float32))
    b = tf.constant(rng.uniform(-1, 1, N).astype(np.float32))
    report("tf add16M", *timeit(lambda: tf.add(a, b).numpy(), repeat), N, "Gelem/s",
           key=("tf", ["add16MAllocating", "add16MSession"]))
    report("tf reduceSum16M", *timeit(lambda: tf.reduce_sum(a).numpy(), repeat), N, "Gelem/s",
           key=("tf", ["reduceSum16M"]))
    for n in (1024, 2048):
        x = tf.constant(rng.uniform(-1, 1, (n, n)).astype(np.float32))
        y = tf.constant(rng.uniform(-1, 1, (n, n)).astype(np.float32))
        report(f"tf matMul {n}", *timeit(lambda: tf.matmul(x, y).numpy(), repeat), 2.0 * n ** 3, "GFLOP/s",
               key=("tf", [f"matMul size={n}"]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--tf", action="store_true", help="also run TensorFlow (eager) if it is installed")
    p.add_argument("--only", choices=["add", "sum", "matmul1024", "matmul2048"], help="run one peer only")
    p.add_argument("--json", help="write numpy's medians here for bench/ratios.py")
    p.add_argument("--tf-json", help="write TensorFlow's medians here for bench/ratios.py")
    args = p.parse_args()
    print(f"numpy {np.__version__}")
    numpy_peers(args.repeat, args.only)
    if args.tf:
        try:
            tf_peers(args.repeat)
        except ImportError:
            print("tensorflow is not installed; skipped")
    import json
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peer": f"numpy {np.__version__}", "unit": "ms", "figures": FIGURES["numpy"]}, f, indent=1)
    if args.tf_json and FIGURES["tf"]:
        with open(args.tf_json, "w") as f:
            json.dump({"peer": "tensorflow", "unit": "ms", "figures": FIGURES["tf"]}, f, indent=1)


if __name__ == "__main__":
    main()
