package dev.quiver.executor.ops;

import dev.quiver.errors.InternalException;
import dev.quiver.errors.QuiverException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a kernel may split its work over (TensorFlow's intra-op pool). {@link #parallelFor} cuts a
 * range into contiguous chunks, runs them on the pool's threads and the calling thread (whichever is free
 * claims the next chunk), and returns when all are done.
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
   * Runs {@code body} over {@code [0, n)} in contiguous chunks of at least {@code minChunk} indices, and returns
   * when every chunk has run. The range is cut into a few chunks per thread that the calling thread and the
   * pool's threads claim one at a time, so a thread the OS descheduled (the cores are shared) delays only the
   * chunk it holds, not a fixed share of the work; a helper that starts after all chunks were claimed does
   * nothing. Exceptions from any chunk are rethrown (the first one) after every claimed chunk has finished.
   */
  public void parallelFor(long n, long minChunk, RangeBody body) {
    if (n <= 0) {
      return;
    }
    long chunks = Math.min((long) parallelism * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, minChunk)));
    if (chunks <= 1 || pool == null) {
      body.run(0, n);
      return;
    }
    Chunks work = new Chunks(n, chunks, body);
    int helpers = (int) Math.min(parallelism - 1, chunks - 1);
    for (int h = 0; h < helpers; h++) {
      try {
        pool.execute(work::runChunks);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        break; // the pool is closing: the caller runs the rest
      }
    }
    work.runChunks();
    work.awaitAll();
    if (work.failure != null) {
      rethrow(work.failure);
    }
  }

  /** Chunks per thread: enough that a stalled thread's share is small, few enough that claiming is cheap. */
  private static final int CHUNKS_PER_THREAD = 4;

  /** The chunks of one parallelFor: claimed through a counter, finished chunks counted for the caller's wait. */
  private static final class Chunks {
    private final long n;
    private final long count;
    private final long per;
    private final RangeBody body;
    private final java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
    private volatile Thread waiter;
    volatile Throwable failure;

    Chunks(long n, long count, RangeBody body) {
      this.n = n;
      this.count = count;
      this.per = (n + count - 1) / count;
      this.body = body;
    }

    void runChunks() {
      long c;
      while ((c = next.getAndIncrement()) < count) {
        long start = c * per;
        long end = Math.min(n, start + per);
        try {
          if (start < end && failure == null) {
            body.run(start, end);
          }
        } catch (Throwable t) {
          synchronized (this) {
            if (failure == null) {
              failure = t;
            }
          }
        } finally {
          if (finished.incrementAndGet() == count) {
            Thread w = waiter;
            if (w != null) {
              java.util.concurrent.locks.LockSupport.unpark(w);
            }
          }
        }
      }
    }

    /** Waits until every chunk has finished (only chunks a helper is still running can be outstanding). */
    void awaitAll() {
      if (finished.get() == count) {
        return;
      }
      for (int spin = 0; spin < 1000 && finished.get() < count; spin++) {
        Thread.onSpinWait();
      }
      waiter = Thread.currentThread();
      boolean interrupted = false;
      while (finished.get() < count) {
        java.util.concurrent.locks.LockSupport.park(this);
        interrupted |= Thread.interrupted(); // a pending interrupt would make park return at once
      }
      waiter = null;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
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
