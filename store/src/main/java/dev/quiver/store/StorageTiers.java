package dev.quiver.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HandleStore}'s two tiers: the memory and disk budgets, which handles are in memory (a Caffeine cache
 * weighed in bytes, whose eviction order picks what to spill), and making room in memory by spilling the
 * coldest tensors before anything new is loaded.
 *
 * <p><b>Budgets are never exceeded, not even for a moment.</b> Bytes are reserved in a tier before they are held
 * there and released after they left it, and a spill reserves its file's bytes in the disk budget before writing.
 * A tensor enters the Caffeine cache after its bytes are reserved and leaves it before they are released, so
 * the cache's weight stays within its maximum (the memory budget) and Caffeine has no reason to evict on its
 * own; should it ever do so, the tensor stays in memory as a spill candidate ({@code displaced}), never lost.
 *
 * <p><b>Who waits.</b> Reserving room that is free is lock-free: a put that fits, and any read of an in-memory
 * tensor, never waits for another thread's disk I/O. Making room is serialized: one thread at a time spills, and
 * each spilled tensor's memory goes to the thread that spilled it, so puts that fit cannot take the room it made.
 * Thread-safe.
 */
final class StorageTiers {
  private static final Logger LOG = LoggerFactory.getLogger(StorageTiers.class);

  private final Budget memory;
  private final Budget disk;
  private final StoreCounters counters;
  private final SpillDirectory spill;
  /** The handles whose tensor is in memory, weighed in bytes; its eviction order picks what to spill. */
  private final Cache<String, StoredTensor> resident;
  /** In-memory tensors Caffeine evicted on its own (it should not): spilled first when room is needed. */
  private final Queue<StoredTensor> displaced = new ConcurrentLinkedQueue<>();
  /** Held while spilling to make room; fair, so a waiting reload is not overtaken by a stream of puts. */
  private final ReentrantLock makingRoom = new ReentrantLock(true);

  StorageTiers(long memoryBudget, long diskBudget, SpillDirectory spill, StoreCounters counters) {
    this.memory = new Budget(memoryBudget);
    this.disk = new Budget(diskBudget);
    this.spill = spill;
    this.counters = counters;
    // Maintenance on the calling thread, right away, so reads order the spill queue as they happen. It does no
    // I/O here (eviction is ours, not Caffeine's), and a caller that finds it under way elsewhere skips it.
    this.resident = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumWeight(memoryBudget)
        .<String, StoredTensor>weigher((h, t) -> (int) Math.min(t.byteSize, Integer.MAX_VALUE))
        .evictionListener((h, t, cause) -> displaced(t, cause))
        .build();
  }

  /**
   * Reserves {@code bytes} in the memory budget, first spilling the coldest in-memory tensors if the free room is
   * short. Nothing is spilled when spilling cannot make enough room within the disk budget.
   *
   * @return true if the bytes are reserved (the caller holds them or {@link #releaseMemory releases} them);
   *     false if they cannot fit in memory
   * @throws IOException if writing a spill file failed; nothing is reserved, and the tensor that could not be
   *     spilled stays in memory
   */
  boolean reserveMemory(long bytes) throws IOException {
    if (bytes > memory.limit()) {
      return false;
    }
    if (memory.tryReserve(bytes)) {
      return true;
    }
    makingRoom.lock();
    try {
      return makeRoom(bytes);
    } finally {
      makingRoom.unlock();
    }
  }

  void releaseMemory(long bytes) {
    memory.release(bytes);
  }

  /** Reserves {@code bytes} in the disk budget for a spill file about to be written; false if they do not fit. */
  boolean reserveDisk(long bytes) {
    return disk.tryReserve(bytes);
  }

  void releaseDisk(long bytes) {
    disk.release(bytes);
  }

  /** Counts a read of an in-memory handle, so that it becomes recent in the spill order. */
  void touch(String handle) {
    resident.getIfPresent(handle);
  }

  /** {@code t}'s tensor is now in memory (its bytes reserved). Called under {@code t}'s monitor. */
  void enteredMemory(StoredTensor t) {
    counters.addMemory(t.byteSize, 1);
    resident.put(t.handle, t);
    if (!displaced.isEmpty()) {
      displaced.remove(t);
    }
  }

  /** {@code t}'s tensor is leaving memory, before its reservation is released. Called under {@code t}'s monitor. */
  void leftMemory(StoredTensor t) {
    resident.asMap().remove(t.handle, t);
    if (!displaced.isEmpty()) {
      displaced.remove(t);
    }
    counters.addMemory(-t.byteSize, -1);
  }

  /** {@code t}'s tensor is now in a spill file (its bytes reserved). Called under {@code t}'s monitor. */
  void enteredDisk(StoredTensor t) {
    counters.addDisk(t.byteSize, 1);
  }

  /** {@code t}'s spill file is about to go, before its reservation is released. Called under {@code t}'s monitor. */
  void leftDisk(StoredTensor t) {
    counters.addDisk(-t.byteSize, -1);
  }

  /** Forgets the order of in-memory handles; the store is closing and has freed them. */
  void clear() {
    resident.invalidateAll();
    displaced.clear();
  }

  /** The memory tier's Caffeine policy, for tests that make Caffeine evict on its own. */
  Policy.Eviction<String, StoredTensor> residentEviction() {
    return resident.policy().eviction().orElseThrow();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Spills the coldest tensors until {@code bytes} are reserved: the memory of each spilled tensor is kept as part
   * of the reservation, the rest is taken from free room. Caller holds {@link #makingRoom}.
   */
  private boolean makeRoom(long bytes) throws IOException {
    long claimed = 0;
    boolean done = false;
    try {
      List<StoredTensor> victims = List.of();
      int next = 0;
      while (true) {
        long rest = bytes - claimed;
        if (rest <= 0 || memory.tryReserve(rest)) {
          claimed = Math.max(claimed, bytes);
          done = true;
          return true;
        }
        if (next == victims.size()) {
          victims = coldest(rest - memory.free());
          next = 0;
          if (victims == null) {
            return false;
          }
          continue;
        }
        long spilled = spillClaiming(victims.get(next++));
        if (spilled < 0) {
          return false; // the disk budget filled up meanwhile
        }
        claimed += spilled;
      }
    } finally {
      long unused = done ? claimed - bytes : claimed;
      if (unused > 0) {
        memory.release(unused);
      }
    }
  }

  /**
   * The coldest in-memory tensors whose bytes add up to {@code need}, or null if there are not enough of them or
   * the disk budget cannot take them. Displaced tensors come first: Caffeine already judged them the coldest.
   */
  private List<StoredTensor> coldest(long need) {
    if (need <= 0) {
      return List.of(); // room appeared meanwhile: reserve it
    }
    List<StoredTensor> picked = new ArrayList<>();
    Set<StoredTensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    long[] sum = {0};
    for (Iterator<StoredTensor> it = displaced.iterator(); it.hasNext() && sum[0] < need; ) {
      StoredTensor t = it.next();
      if (t.isSpillCandidate() && seen.add(t)) {
        picked.add(t);
        sum[0] += t.byteSize;
      }
    }
    // Caffeine applies pending inserts and removals first, then calls this under its eviction lock: it must not
    // wait for a tensor's monitor (whose holder may be waiting for that lock), so it reads volatile state only.
    residentEviction().coldest(entries -> {
      for (Iterator<Policy.CacheEntry<String, StoredTensor>> it = entries.iterator(); it.hasNext() && sum[0] < need; ) {
        StoredTensor t = it.next().getValue();
        // A tensor being spilled or empty frees nothing; one freed or spilled meanwhile is no longer in memory.
        if (t.isSpillCandidate() && seen.add(t)) {
          picked.add(t);
          sum[0] += t.byteSize;
        }
      }
      return null;
    });
    if (sum[0] < need || sum[0] > disk.free()) {
      return null;
    }
    return picked;
  }

  /**
   * Spills {@code v}, reserving its file's bytes on disk first.
   *
   * @return the memory bytes now claimed by the caller (0 if {@code v} was not spilled by this call), or -1 if the
   *     disk budget has no room for it
   */
  private long spillClaiming(StoredTensor v) throws IOException {
    if (!disk.tryReserve(v.byteSize)) {
      return -1;
    }
    boolean moved = false;
    try {
      moved = v.spill(spill);
    } catch (IOException e) {
      LOG.warn("spilling handle '{}' to {} failed; it stays in memory: {}", v.handle, spill.path(), e.toString());
      throw new IOException("spilling a " + v.dtype + " " + v.shape + " tensor of " + v.byteSize + " bytes to "
          + spill.path() + " failed: " + e, e);
    } finally {
      if (!moved) {
        disk.release(v.byteSize);
      }
    }
    if (!moved) {
      return 0;
    }
    counters.spills.increment();
    return v.byteSize;
  }

  /**
   * Caffeine evicted {@code t} on its own. Takes no lock: Caffeine calls this inside its own, and a thread holding
   * {@code t}'s monitor may be waiting for that. {@link #coldest} skips it if it is no longer in memory.
   */
  private void displaced(StoredTensor t, RemovalCause cause) {
    if (cause.wasEvicted()) {
      LOG.warn("the memory tier's cache evicted handle '{}' on its own ({}); it stays in memory and is spilled next",
          t.handle, cause);
      displaced.add(t);
    }
  }
}
