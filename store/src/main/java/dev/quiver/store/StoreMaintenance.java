package dev.quiver.store;

import com.github.benmanes.caffeine.cache.Scheduler;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HandleStore}'s own background thread: it runs Caffeine's maintenance (so expired handles are freed on
 * time, memory and spill file, even when nobody calls the store) and the periodic return of idle recycled memory
 * to the operating system. That work, file removal included, stays off the callers' threads. {@link #close}
 * stops the thread after the task under way; tasks scheduled for later are dropped.
 */
final class StoreMaintenance implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StoreMaintenance.class);
  private static final long CLOSE_WAIT_SECONDS = 30;

  private final ScheduledThreadPoolExecutor executor;

  StoreMaintenance(String storeId) {
    this.executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "quiver-store-" + storeId + "-maintenance");
      t.setDaemon(true); // a store the program forgot to close must not keep the JVM alive
      return t;
    }, new ThreadPoolExecutor.DiscardPolicy()); // only after close, when nothing is left to maintain
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  /** Runs Caffeine's maintenance and listeners. */
  Executor executor() {
    return executor;
  }

  /** Wakes Caffeine when the next handle is due to expire. */
  Scheduler scheduler() {
    return Scheduler.forScheduledExecutorService(executor);
  }

  /** Runs {@code task} every {@code periodNanos}, first after one period; a failure is logged, not fatal. */
  void every(long periodNanos, Runnable task) {
    executor.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("store maintenance task failed: {}", e.toString());
      }
    }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** Stops the thread once the task under way is done. Idempotent. */
  @Override
  public void close() {
    executor.shutdown();
    boolean interrupted = false;
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("store maintenance did not finish within {} s; interrupting it", CLOSE_WAIT_SECONDS);
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      interrupted = true;
      executor.shutdownNow();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
