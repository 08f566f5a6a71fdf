package dev.quiver.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A limit in bytes that callers reserve against before they hold the bytes and release after they stopped
 * holding them, so the bytes held never exceed the limit, not even for a moment. Lock-free and thread-safe.
 */
final class Budget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  Budget(long limit) {
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** Bytes reserved and not yet released. */
  long used() {
    return used.get();
  }

  /** Bytes that may still be reserved. */
  long free() {
    return limit - used.get();
  }

  /** Reserves {@code bytes} if they fit under the limit; nothing is reserved otherwise. */
  boolean tryReserve(long bytes) {
    for (long u = used.get(); ; u = used.get()) {
      if (bytes > limit - u) {
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  void release(long bytes) {
    long after = used.addAndGet(-bytes);
    if (after < 0) {
      throw new IllegalStateException("released " + bytes + " bytes more than were reserved (" + after + ")");
    }
  }
}
