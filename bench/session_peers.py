"""Peer numbers for SessionBenchmark: TensorFlow 1's Session on the same step.

y = a * b + c on float32 scalars with a fed, through sess.run and through sess.make_callable; prints the
median microseconds per step of each, so the lead can print Quiver/TensorFlow ratios next to JMH's output.

    python bench/session_peers.py [--steps 20000] [--repeats 7]
"""
import argparse
import statistics
import time


def per_step_us(fn, steps, repeats):
    for _ in range(min(steps, 2000)):  # warm up
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            fn()
        samples.append((time.perf_counter() - t0) / steps * 1e6)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf
    tf1 = tf.compat.v1
    tf1.disable_eager_execution()

    graph = tf.Graph()
    with graph.as_default():
        a = tf1.placeholder(tf.float32, shape=[])
        y = a * tf.constant(2.0) + tf.constant(1.0)
    config = tf1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    with tf1.Session(graph=graph, config=config) as sess:
        value = np.float32(3.0)
        assert sess.run(y, {a: value}) == 7.0
        run_us = per_step_us(lambda: sess.run(y, {a: value}), args.steps, args.repeats)
        call = sess.make_callable(y, [a])
        assert call(value) == 7.0
        callable_us = per_step_us(lambda: call(value), args.steps, args.repeats)
    print(f"tensorflow {tf.__version__}")
    print(f"session.run      {run_us:8.2f} us/step")
    print(f"make_callable    {callable_us:8.2f} us/step")


if __name__ == "__main__":
    main()
