package dev.quiver.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HandleStore}'s two tiers: the memory and disk budgets, which handles are in memory (a Caffeine cache
 * weighed in bytes, its maximum weight the memory budget), and making room in memory by spilling the least
 * recently used tensors before anything new is loaded.
 *
 * <p><b>Spill order.</b> Least recently used first, where a use is entering memory (a put, a reload) or a read
 * ({@link #touch}); how often a tensor was read does not count. The order is Caffeine's own record of each
 * entry's last access, kept because the memory tier expires after access. It never expires anything: its ticker
 * is not a clock but a count of uses, and the limit is {@code Long.MAX_VALUE} uses. So every use gets its own
 * number, which Caffeine writes on the using thread, and single-threaded use spills in exact LRU order; uses by
 * concurrent threads may be numbered in either order. Neither Caffeine's eviction order (W-TinyLFU, which keeps
 * a tensor read often over one read recently) nor its {@code expireAfterAccess().oldest()} is used: that walks
 * deques whose order lags behind reads (they go through a read buffer that drops some) and, in Caffeine 3.2,
 * merges them in the wrong direction when a maximum weight is set. Instead the spiller sorts the in-memory
 * tensors by their last use and keeps the result as a queue for the spills that follow, skipping the tensors
 * used since; it sorts again only when the queue runs out.
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
  /** Counts uses of in-memory tensors; the memory tier's ticker, so Caffeine's access times are use numbers. */
  private final AtomicLong uses = new AtomicLong();
  /** The handles whose tensor is in memory, weighed in bytes, with the use number of each one's last use. */
  private final Cache<String, StoredTensor> resident;
  /** The resident cache's expire-after-access policy: its ages are the uses since each handle's last use. */
  private final Policy.FixedExpiration<String, StoredTensor> sinceLastUse;
  /**
   * The in-memory tensors as of the last {@link #rescan}, least recently used first: a tensor used since then is
   * newer than all of them, so those not used since are still the least recently used, in this order. Spilled,
   * freed and since-used ones are dropped as they are met. Guarded by {@link #makingRoom}.
   */
  private final ArrayDeque<StoredTensor> spillQueue = new ArrayDeque<>();
  /** The use count when {@link #spillQueue} was built; guarded by {@link #makingRoom}. */
  private long scannedAt;
  /** In-memory tensors Caffeine evicted on its own (it should not): spilled first when room is needed. */
  private final Queue<StoredTensor> displaced = new ConcurrentLinkedQueue<>();
  /** Held while spilling to make room; fair, so a waiting reload is not overtaken by a stream of puts. */
  private final ReentrantLock makingRoom = new ReentrantLock(true);

  StorageTiers(long memoryBudget, long diskBudget, SpillDirectory spill, StoreCounters counters) {
    this.memory = new Budget(memoryBudget);
    this.disk = new Budget(diskBudget);
    this.spill = spill;
    this.counters = counters;
    // Maintenance on the calling thread, right away: it does no I/O here (eviction is ours, not Caffeine's), and
    // a caller that finds it under way elsewhere skips it. Expire-after-access is on for its access times only:
    // Long.MAX_VALUE uses never pass, and the handles' time to live is the index's (HandleStore), not this.
    this.resident = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumWeight(memoryBudget)
        .<String, StoredTensor>weigher((h, t) -> (int) Math.min(t.byteSize, Integer.MAX_VALUE))
        .expireAfterAccess(Duration.ofNanos(Long.MAX_VALUE))
        .ticker(uses::get)
        .evictionListener((h, t, cause) -> displaced(t, cause))
        .build();
    this.sinceLastUse = resident.policy().expireAfterAccess().orElseThrow();
  }

  /**
   * Reserves {@code bytes} in the memory budget, first spilling the least recently used tensors if the free room
   * is short. Nothing is spilled when spilling cannot make enough room within the disk budget.
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

  /** A read of {@code handle}'s in-memory tensor: it becomes the most recently used, the last to be spilled. */
  void touch(String handle) {
    uses.incrementAndGet();
    resident.getIfPresent(handle); // Caffeine stamps the entry with the ticker, this use's number
  }

  /** {@code t}'s tensor is now in memory (its bytes reserved), the most recently used. Under {@code t}'s monitor. */
  void enteredMemory(StoredTensor t) {
    counters.addMemory(t.byteSize, 1);
    uses.incrementAndGet();
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
    makingRoom.lock();
    try {
      spillQueue.clear();
    } finally {
      makingRoom.unlock();
    }
  }

  /** The in-memory handles, least recently used first: the order they are spilled in. For tests. */
  List<String> spillOrder() {
    List<String> handles = new ArrayList<>();
    for (StoredTensor t : byLastUse()) {
      handles.add(t.handle);
    }
    return handles;
  }

  /** The memory tier's Caffeine policy, for tests that make Caffeine evict on its own. */
  Policy.Eviction<String, StoredTensor> residentEviction() {
    return resident.policy().eviction().orElseThrow();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Spills the least recently used tensors until {@code bytes} are reserved: the memory of each spilled tensor is
   * kept as part of the reservation, the rest is taken from free room. Caller holds {@link #makingRoom}.
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
          victims = leastRecentlyUsed(rest - memory.free());
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
   * The least recently used in-memory tensors whose bytes add up to {@code need}, or null if there are not enough
   * of them or the disk budget cannot take them. Displaced tensors come first: Caffeine chose to drop them.
   * Takes no tensor's monitor (reads volatile state only), so it never waits for a reader. Caller holds
   * {@link #makingRoom}.
   */
  private List<StoredTensor> leastRecentlyUsed(long need) {
    if (need <= 0) {
      return List.of(); // room appeared meanwhile: reserve it
    }
    if (need > counters.bytesInMemory()) {
      return null; // spilling everything would not do: spare the scan
    }
    List<StoredTensor> picked = new ArrayList<>();
    Set<StoredTensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    long sum = 0;
    for (Iterator<StoredTensor> it = displaced.iterator(); it.hasNext() && sum < need; ) {
      StoredTensor t = it.next();
      if (t.isSpillCandidate() && seen.add(t)) {
        picked.add(t);
        sum += t.byteSize;
      }
    }
    boolean rescanned = false;
    Iterator<StoredTensor> queued = spillQueue.iterator();
    while (sum < need) {
      if (!queued.hasNext()) {
        if (rescanned) {
          break;
        }
        // The queue ran out: all in it are picked, spilled, freed or used since it was built. Those picked are
        // still the least recently used, first in the fresh queue too, where they are skipped as seen.
        rescan();
        rescanned = true;
        queued = spillQueue.iterator();
        continue;
      }
      StoredTensor t = queued.next();
      // A tensor being spilled or empty frees nothing; one freed or spilled meanwhile is no longer in memory; one
      // used since the scan is newer than all that are still queued, and the next scan finds it in its place.
      if (!t.isSpillCandidate() || lastUse(t.handle) > scannedAt) {
        queued.remove();
      } else if (seen.add(t)) {
        picked.add(t);
        sum += t.byteSize;
      }
    }
    if (sum < need || sum > disk.free()) {
      return null;
    }
    return picked;
  }

  /** Refills {@link #spillQueue} with the in-memory tensors worth spilling. Caller holds {@link #makingRoom}. */
  private void rescan() {
    spillQueue.clear();
    scannedAt = uses.get(); // before reading last uses: any use during the scan counts as one since it
    for (StoredTensor t : byLastUse()) {
      if (t.isSpillCandidate()) {
        spillQueue.add(t);
      }
    }
  }

  /**
   * The tensors in the memory tier, least recently used first. Reads each one's last use, so it costs a sort of
   * all of them; {@link #spillQueue} keeps the result for the spills that follow.
   */
  private List<StoredTensor> byLastUse() {
    List<LastUse> found = new ArrayList<>();
    for (StoredTensor t : resident.asMap().values()) {
      long last = lastUse(t.handle);
      if (last >= 0) {
        found.add(new LastUse(t, last));
      }
    }
    found.sort(Comparator.comparingLong(LastUse::number));
    return found.stream().map(LastUse::tensor).toList();
  }

  /** A tensor and the number of its last use. */
  private record LastUse(StoredTensor tensor, long number) {}

  /**
   * The number of {@code handle}'s last use, or -1 if it is not in the memory tier. Caffeine gives the age (uses
   * since); the count is read after Caffeine's, so a concurrent use in between makes the result later, never
   * earlier.
   */
  private long lastUse(String handle) {
    OptionalLong age = sinceLastUse.ageOf(handle, TimeUnit.NANOSECONDS);
    return age.isPresent() ? uses.get() - age.getAsLong() : -1;
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
   * {@code t}'s monitor may be waiting for that. {@link #leastRecentlyUsed} skips it if it is no longer in memory.
   */
  private void displaced(StoredTensor t, RemovalCause cause) {
    if (cause.wasEvicted()) {
      LOG.warn("the memory tier's cache evicted handle '{}' on its own ({}); it stays in memory and is spilled next",
          t.handle, cause);
      displaced.add(t);
    }
  }
}
