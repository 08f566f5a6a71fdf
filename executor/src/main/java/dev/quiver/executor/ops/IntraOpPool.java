package dev.quiver.executor.ops;

import dev.quiver.errors.InternalException;
import dev.quiver.errors.QuiverException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a kernel may split its work over (TensorFlow's intra-op pool). {@link #parallelFor} cuts a
 * range into contiguous chunks, runs them on the pool and the calling thread, and returns when all are done.
 * Small ranges run inline on the caller, so tiny tensors pay no scheduling cost.
 */
public final class IntraOpPool implements AutoCloseable {
  /** A body over a half-open range of indices {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(long start, long end);
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int parallelism;
  private final ForkJoinPool pool; // null when parallelism == 1

  /** A pool of {@code threads} threads (the caller counts as one); 0 means one per available processor. */
  public IntraOpPool(int threads) {
    int n = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
    this.parallelism = n;
    if (n == 1) {
      this.pool = null;
    } else {
      int id = POOLS.incrementAndGet();
      AtomicInteger seq = new AtomicInteger();
      this.pool = new ForkJoinPool(n, p -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setName("quiver-intra-op-" + id + "-" + seq.incrementAndGet());
        t.setDaemon(true);
        return t;
      }, null, false);
    }
  }

  /** A pool that runs everything on the calling thread. */
  public static IntraOpPool sequential() {
    return new IntraOpPool(1);
  }

  public int parallelism() {
    return parallelism;
  }

  /**
   * Runs {@code body} over {@code [0, n)} in chunks of at least {@code minChunk} indices, at most one chunk
   * per thread. Exceptions from any chunk are rethrown (the first one) after every chunk has finished.
   */
  public void parallelFor(long n, long minChunk, RangeBody body) {
    if (n <= 0) {
      return;
    }
    long chunks = Math.min(parallelism, Math.max(1, n / Math.max(1, minChunk)));
    if (chunks <= 1 || pool == null) {
      body.run(0, n);
      return;
    }
    long per = (n + chunks - 1) / chunks;
    ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[(int) chunks - 1];
    for (int c = 1; c < chunks; c++) {
      long start = c * per;
      long end = Math.min(n, start + per);
      tasks[c - 1] = start >= end ? null : pool.submit(() -> body.run(start, end));
    }
    Throwable failure = null;
    try {
      body.run(0, Math.min(n, per));
    } catch (Throwable t) {
      failure = t;
    }
    for (ForkJoinTask<?> task : tasks) {
      if (task == null) {
        continue;
      }
      try {
        task.join();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        }
      }
    }
    if (failure != null) {
      rethrow(failure);
    }
  }

  private static void rethrow(Throwable t) {
    Throwable cause = t;
    while (!(cause instanceof QuiverException) && !(cause instanceof Error) && cause.getCause() != null
        && cause != cause.getCause()) {
      if (cause instanceof RuntimeException && !(cause.getClass().getName().startsWith("java.util.concurrent"))) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException) {
      throw (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    throw new InternalException("intra-op task failed: " + cause, cause);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
