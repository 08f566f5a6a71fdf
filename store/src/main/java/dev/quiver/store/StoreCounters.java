package dev.quiver.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link HandleStore} holds, per tier, and what it has done. Thread-safe; each {@link StoredTensor}
 * moves its own bytes between tiers under its lock, so per handle the counts never disagree with its place.
 * The budgets themselves are kept by {@link StorageTiers}; these are the figures {@link StoreStats} reports.
 */
final class StoreCounters {
  private final AtomicLong handlesInMemory = new AtomicLong();
  private final AtomicLong bytesInMemory = new AtomicLong();
  private final AtomicLong handlesOnDisk = new AtomicLong();
  private final AtomicLong bytesOnDisk = new AtomicLong();
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder spills = new LongAdder();
  final LongAdder reloads = new LongAdder();
  final LongAdder expiries = new LongAdder();
  final LongAdder deletes = new LongAdder();

  long bytesInMemory() {
    return bytesInMemory.get();
  }

  long bytesOnDisk() {
    return bytesOnDisk.get();
  }

  void addMemory(long bytes, int handles) {
    handlesInMemory.addAndGet(handles);
    bytesInMemory.addAndGet(bytes);
  }

  void addDisk(long bytes, int handles) {
    handlesOnDisk.addAndGet(handles);
    bytesOnDisk.addAndGet(bytes);
  }

  /** The counts now, with {@code bytesPooled} from the store's memory. */
  StoreStats snapshot(long bytesPooled) {
    return new StoreStats(handlesInMemory.get(), bytesInMemory.get(), handlesOnDisk.get(), bytesOnDisk.get(),
        hits.sum(), misses.sum(), spills.sum(), reloads.sum(), expiries.sum(), deletes.sum(), bytesPooled);
  }
}
