package dev.quiver.executor.ops;

import dev.quiver.errors.InternalException;
import dev.quiver.errors.QuiverException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a kernel may split its work over (TensorFlow's intra-op pool). {@link #parallelFor} cuts a
 * range into contiguous chunks, runs them on the pool's threads and the calling thread (whichever is free
 * claims the next chunk), and returns when all are done.
 * Small ranges run inline on the caller, so tiny tensors pay no scheduling cost.
 *
 * <p>{@link #parallelForEach} is for coarse, equal work items (blocks of a matrix product): each is claimed on
 * its own, so the threads end together however many items there are.
 *
 * <p><b>Cancellation.</b> The pool a kernel gets from its {@link KernelContext#intraOp()} is a
 * {@linkplain #withCancellation cancellable view}: it runs every chunk in slices of at most 1/{@value #MAX_SLICES}
 * of the range (and at least {@code minChunk} indices), and every item of a {@link #parallelForEach}, after
 * checking whether the step was cancelled (its deadline passed, its session closed, another op failed). If so the
 * remaining slices are skipped and the call throws the step's error, so a long kernel stops within a slice (an
 * item) of work, on every thread, with no code of its own.
 */
public final class IntraOpPool implements AutoCloseable {
  /** A body over a half-open range of indices {@code [start, end)}. */
  @FunctionalInterface
  public interface RangeBody {
    void run(long start, long end);
  }

  /** A body over one work item. */
  @FunctionalInterface
  public interface ItemBody {
    void run(long item);
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  /** A cancellable view checks at most this many times per parallelFor, once per slice. */
  public static final int MAX_SLICES = 1024;

  private final int parallelism;
  private final HelperThreads pool; // null when parallelism == 1
  private final Runnable cancellation; // throws if the work should stop; null for never
  private final boolean ownsThreads; // false for a view: closing it leaves the threads running

  /** A pool of {@code threads} threads (the caller counts as one); 0 means one per available processor. */
  public IntraOpPool(int threads) {
    int n = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
    this.parallelism = n;
    if (n == 1) {
      this.pool = null;
    } else {
      this.pool = new HelperThreads(n - 1, "quiver-intra-op-" + POOLS.incrementAndGet() + "-");
    }
    this.cancellation = null;
    this.ownsThreads = true;
  }

  private IntraOpPool(IntraOpPool threads, Runnable cancellation) {
    this.parallelism = threads.parallelism;
    this.pool = threads.pool;
    this.cancellation = cancellation;
    this.ownsThreads = false;
  }

  /**
   * A view of this pool over the same threads whose {@link #parallelFor} runs {@code check} before each slice of
   * work and stops at the first that throws, rethrowing what it threw. Closing the view does not stop the threads.
   *
   * @param check throws (a {@link dev.quiver.errors.QuiverException}, typically Cancelled or DeadlineExceeded)
   *     if the work should stop; called from any of the pool's threads, so it must be thread-safe and cheap
   */
  public IntraOpPool withCancellation(Runnable check) {
    return new IntraOpPool(this, java.util.Objects.requireNonNull(check, "check"));
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
   * nothing. Exceptions from any chunk are rethrown (the first one) after every claimed chunk has finished. A
   * {@linkplain #withCancellation cancellable view} may call {@code body} on smaller ranges than a chunk (never
   * below {@code minChunk} but at the end): the body must give the same result for any partition of the range.
   */
  public void parallelFor(long n, long minChunk, RangeBody body) {
    if (n <= 0) {
      return;
    }
    long chunks = Math.min((long) parallelism * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, minChunk)));
    long slice = cancellation == null ? n : Math.max(Math.max(1, minChunk), (n + MAX_SLICES - 1) / MAX_SLICES);
    if (chunks <= 1 || pool == null) {
      runSlices(0, n, slice, body, cancellation, null);
      return;
    }
    run(n, chunks, slice, body);
  }

  /**
   * Runs {@code body} on every item of {@code [0, items)} and returns when all have run. Each item is claimed on its
   * own by whichever thread (the caller's or the pool's) is free, so threads finish within an item of each other:
   * for items of equal, substantial work (a millisecond or so, which makes claiming each one free). A cancellable
   * view checks the step before each item. Exceptions are rethrown as by {@link #parallelFor}.
   */
  public void parallelForEach(long items, ItemBody body) {
    if (items <= 0) {
      return;
    }
    RangeBody range = (s, e) -> {
      for (long i = s; i < e; i++) {
        body.run(i);
      }
    };
    if (items == 1 || pool == null) {
      runSlices(0, items, 1, range, cancellation, null);
      return;
    }
    run(items, items, 1, range);
  }

  /** Runs {@code body} over {@code [0, n)} cut into {@code chunks} chunks, on the pool's threads and the caller. */
  private void run(long n, long chunks, long slice, RangeBody body) {
    Chunks work = new Chunks(n, chunks, body, slice, cancellation);
    int helpers = (int) Math.min(parallelism - 1, chunks - 1);
    for (int h = 0; h < helpers; h++) {
      if (!pool.offer(work::runChunks)) {
        break; // the pool is closed: the caller runs the rest
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

  /**
   * Runs {@code body} over {@code [start, end)} in slices of {@code slice} indices, calling {@code check} before
   * each one (the first too: a chunk of one slice is checked, so is a single item); stops when {@code work} (if
   * any) failed on another thread.
   */
  private static void runSlices(long start, long end, long slice, RangeBody body, Runnable check, Chunks work) {
    if (check == null) {
      body.run(start, end);
      return;
    }
    for (long s = start; s < end && (work == null || work.failure == null); s += slice) {
      check.run();
      body.run(s, Math.min(end, s + slice));
    }
  }

  /** The chunks of one parallelFor: claimed through a counter, finished chunks counted for the caller's wait. */
  private static final class Chunks {
    private final long n;
    private final long count;
    private final long per;
    private final RangeBody body;
    private final long slice;
    private final Runnable check;
    private final java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong finished = new java.util.concurrent.atomic.AtomicLong();
    private volatile Thread waiter;
    volatile Throwable failure;

    Chunks(long n, long count, RangeBody body, long slice, Runnable check) {
      this.n = n;
      this.count = count;
      this.per = (n + count - 1) / count;
      this.body = body;
      this.slice = slice;
      this.check = check;
    }

    void runChunks() {
      long c;
      while ((c = next.getAndIncrement()) < count) {
        long start = c * per;
        long end = Math.min(n, start + per);
        try {
          if (start < end && failure == null) {
            runSlices(start, end, slice, body, check, this);
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
      long spinUntil = System.nanoTime() + HelperThreads.SPIN_NANOS; // a helper's last chunk is usually close
      while (finished.get() < count && System.nanoTime() < spinUntil) {
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

  /** Stops the threads, unless this is a {@linkplain #withCancellation view} of another pool's. */
  @Override
  public void close() {
    if (pool != null && ownsThreads) {
      pool.close();
    }
  }
}
