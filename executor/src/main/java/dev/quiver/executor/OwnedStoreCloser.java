package dev.quiver.executor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes the handle stores of closed sessions once the tensors taken from them are closed. A session that made
 * its own store closes it when the session closes; fetched tensors the caller still holds keep the store's
 * allocator open, and nothing tells the session when the last of them is closed (they may be shared far from
 * any {@link Result}). One daemon thread retries each such store every {@link #RETRY_MS} ms, and {@link Result#close}
 * retries at once; the thread ends when no store is waiting.
 */
final class OwnedStoreCloser {
  static final long RETRY_MS = 100;
  private static final Set<SessionHandles> WAITING = ConcurrentHashMap.newKeySet();
  private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "quiver-store-closer");
    t.setDaemon(true);
    return t;
  });
  private static boolean scheduled; // guarded by WAITING

  static {
    TIMER.setKeepAliveTime(1, TimeUnit.SECONDS);
    TIMER.allowCoreThreadTimeOut(true);
  }

  private OwnedStoreCloser() {}

  /** Retries closing {@code handles}' store until nothing taken from it is open. */
  static void closeLater(SessionHandles handles) {
    synchronized (WAITING) {
      WAITING.add(handles);
      if (!scheduled) {
        scheduled = true;
        TIMER.schedule(OwnedStoreCloser::retryAll, RETRY_MS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** One retry of {@code handles}' store, if it waits to be closed (a result of its session was just closed). */
  static void retry(SessionHandles handles) {
    if (WAITING.contains(handles) && handles.retryClose()) {
      WAITING.remove(handles);
    }
  }

  private static void retryAll() {
    WAITING.removeIf(SessionHandles::retryClose);
    synchronized (WAITING) {
      if (WAITING.isEmpty()) {
        scheduled = false;
      } else {
        TIMER.schedule(OwnedStoreCloser::retryAll, RETRY_MS, TimeUnit.MILLISECONDS);
      }
    }
  }
}
