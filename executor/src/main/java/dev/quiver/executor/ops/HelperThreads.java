package dev.quiver.executor.ops;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of an {@link IntraOpPool}: daemon threads that take tasks from one queue and, between tasks,
 * spin for a short while before they park.
 *
 * <p>Why not a {@code ForkJoinPool}: its idle workers park at once, and waking a parked thread on a virtual
 * machine's idle core took 20 to 70 µs here (milliseconds at the tail). A kernel calls the pool several times per
 * op (a matrix product once per panel of B), so each call waited for a wake-up and the second core sat idle for a
 * third of a 1024x1024 product. A helper that has just finished a task is asked again within microseconds, so it
 * spins ({@value #SPIN_NANOS} ns at most, yielding the core to the CPU's sibling with {@link Thread#onSpinWait})
 * and only then parks, as OpenMP runtimes and OpenBLAS do.
 *
 * <p>Thread-safe. Tasks must not throw (the pool's tasks catch everything and report it to their caller).
 */
final class HelperThreads {
  /** How long an idle helper spins before it parks. */
  static final long SPIN_NANOS = 100_000;

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Helper[] helpers;
  private volatile boolean closed;

  HelperThreads(int count, String namePrefix) {
    helpers = new Helper[count];
    for (int i = 0; i < count; i++) {
      helpers[i] = new Helper(namePrefix + (i + 1));
      helpers[i].thread.start();
    }
  }

  /** Queues {@code task} for a helper; false (nothing queued) once the threads are closed. */
  boolean offer(Runnable task) {
    if (closed) {
      return false;
    }
    tasks.offer(task);
    for (Helper h : helpers) {
      if (h.parked.compareAndSet(true, false)) { // this offer wakes this helper; the next offer finds another
        LockSupport.unpark(h.thread);
        break;
      }
    }
    return true;
  }

  /** Stops the helpers once they finish the task they run; queued tasks are dropped (their callers run them). */
  void close() {
    closed = true;
    for (Helper h : helpers) {
      LockSupport.unpark(h.thread);
    }
  }

  private final class Helper implements Runnable {
    final Thread thread;
    /** True while the helper is (about to be) parked and no offer has woken it yet. */
    final AtomicBoolean parked = new AtomicBoolean();

    Helper(String name) {
      thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      while (!closed) {
        Runnable task = next();
        if (task != null) {
          task.run();
        }
      }
    }

    /** The next task, after spinning and then parking while there is none; null when closed. */
    private Runnable next() {
      Runnable task = tasks.poll();
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (task == null && !closed && System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
        task = tasks.poll();
      }
      while (task == null && !closed) {
        parked.set(true);
        task = tasks.poll(); // an offer that found parked false had queued its task before this poll
        if (task == null && !closed) {
          LockSupport.park(this);
          Thread.interrupted(); // nobody should interrupt a helper; if someone did, do not spin on it
        }
        parked.set(false);
        if (task == null) {
          task = tasks.poll();
        }
      }
      return task;
    }
  }
}
