"""Peer numbers for SessionBenchmark: TensorFlow 1's Session on the same step.

y = a * b + c on float32 scalars with a fed, through sess.run and through sess.make_callable; prints the
median microseconds of a single step of each (JMH's SampleTime p0.50), so the lead can print Quiver/TensorFlow ratios next to JMH's output.

    python bench/session_peers.py [--steps 20000] [--repeats 7] [--handles] [--json FILE]

With --json, the figures also go to FILE as {"name": microseconds}, for bench/ratios.py.
"""
import argparse
import json
import statistics
import time


def per_step_us(fn, steps, repeats):
    """The median of single-step times (microseconds), as JMH's SampleTime p0.50 is."""
    for _ in range(min(steps, 2000)):  # warm up
        fn()
    samples = []
    clock = time.perf_counter
    for _ in range(repeats):
        for _ in range(steps):
            t0 = clock()
            fn()
            samples.append(clock() - t0)
    return statistics.median(samples) * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--handles", action="store_true",
                        help="also time readHandle/feedArray (1 KiB and 256 MiB) as SessionBenchmark does")
    parser.add_argument("--json", help="also write the figures to this file as {name: microseconds}")
    args = parser.parse_args()
    figures = {}

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
    figures.update({"run": run_us, "callable": callable_us})
    if args.handles:
        figures.update(handle_peers(tf, tf1, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"peer": f"tensorflow {tf.__version__}", "unit": "us", "figures": figures}, f, indent=1)


def handle_peers(tf, tf1, args):
    """readHandle / feedArray: tf.size of a stored tensor read through get_session_tensor, and of a fed array."""
    import numpy as np
    figures = {}
    for nbytes in (1024, 256 << 20):
        values = np.zeros(nbytes // 4, dtype=np.float32)
        graph = tf.Graph()
        with graph.as_default():
            p = tf1.placeholder(tf.float32, shape=[None])
            keep = tf1.get_session_handle(p)
            fed = tf1.placeholder(tf.float32, shape=[None])
            size_of_fed = tf.size(fed)
        with tf1.Session(graph=graph) as sess:
            h = sess.run(keep, {p: values})
            with graph.as_default():
                holder, stored = tf1.get_session_tensor(h.handle, tf.float32)
                size_of_stored = tf.size(stored)
            assert sess.run(size_of_stored, {holder: h.handle}) == values.size
            steps = args.steps if nbytes <= 1 << 20 else max(5, args.steps // 2000)
            read_us = per_step_us(lambda: sess.run(size_of_stored, {holder: h.handle}), steps, args.repeats)
            feed_us = per_step_us(lambda: sess.run(size_of_fed, {fed: values}), steps, args.repeats)
        print(f"readHandle {nbytes:>10} B {read_us:12.2f} us/step")
        print(f"feedArray  {nbytes:>10} B {feed_us:12.2f} us/step")
        figures[f"readHandle bytes={nbytes}"] = read_us
        figures[f"feedArray bytes={nbytes}"] = feed_us
    return figures


if __name__ == "__main__":
    main()
