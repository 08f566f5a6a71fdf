package dev.quiver.store;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store's in-memory tensors, least recently used first: the order {@link StorageTiers} spills them in. Entering
 * memory (a put, a reload) and every read make a tensor the most recently used.
 *
 * <p>Each tensor sits under the number of its last use, from one counter, so the order is exact, not sampled, and
 * a use costs a removal and an insertion in a lock-free skip list: uses of different tensors never wait for each
 * other or for a spill. A tensor's own entry is only changed under its monitor ({@link StoredTensor} calls
 * {@link #add}, {@link #remove} and {@link #use} holding it), so its number and its place in the list always
 * agree. Thread-safe.
 */
final class SpillOrder {
  private final AtomicLong clock = new AtomicLong();
  private final ConcurrentSkipListMap<Long, StoredTensor> byLastUse = new ConcurrentSkipListMap<>();

  /** {@code t} entered memory: it is the most recently used. Called under {@code t}'s monitor. */
  void add(StoredTensor t) {
    t.lastUse = clock.incrementAndGet();
    byLastUse.put(t.lastUse, t);
  }

  /** {@code t} left memory. Called under {@code t}'s monitor. */
  void remove(StoredTensor t) {
    byLastUse.remove(t.lastUse, t);
  }

  /** {@code t}, in memory, was read: it becomes the most recently used. Called under {@code t}'s monitor. */
  void use(StoredTensor t) {
    if (t.lastUse == clock.get()) {
      return; // the latest use already: a hot handle read over and over does not churn the list
    }
    if (byLastUse.remove(t.lastUse, t)) {
      add(t);
    }
  }

  /**
   * The in-memory tensors, least recently used first. Weakly consistent, as the skip list's iterators: a tensor
   * used during the iteration may come twice, one that left memory may still come; callers check.
   */
  Iterable<StoredTensor> leastRecentFirst() {
    return byLastUse.values();
  }

  /** Forgets every tensor; the store is closing and has freed them. */
  void clear() {
    byLastUse.clear();
  }
}
