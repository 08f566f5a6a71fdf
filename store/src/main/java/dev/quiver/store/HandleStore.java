package dev.quiver.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.quiver.errors.DataLossException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.ResourceExhaustedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tensors kept under unguessable handle strings, TensorFlow's session store: {@code put} returns a handle
 * {@code name;storeId.secret;device} (see {@link HandleId}), {@code get} gives the tensor back without
 * copying it.
 *
 * <p><b>Lifecycle.</b> A handle lives until it is {@link #delete deleted}, is not read for the
 * {@link Builder#expireAfterAccess expire-after-access} time, or the store is closed. Memory pressure never
 * frees a handle: when the tensors in memory would exceed the {@link Builder#memoryBudget memory budget},
 * the coldest ones in Caffeine's eviction order are spilled to Arrow IPC files and read back transparently
 * on the next {@code get}. A tensor larger than the memory budget goes straight to disk. Only when neither
 * budget has room does {@code put} fail, with {@link ResourceExhaustedException}; every stored handle stays
 * readable.
 *
 * <p><b>Memory.</b> All stored memory is accounted to the store's {@link #allocator() root allocator}.
 * {@code put} takes a new reference: a tensor allocated under that root is moved there without copying
 * (its accounting transferred, so the caller's child allocator may close while the handle lives on); a
 * tensor from another root is copied once, because Arrow cannot move memory between roots. {@code get}
 * returns a new reference to the stored memory, which stays valid after the handle is spilled, deleted or
 * expired, until the caller closes it.
 *
 * <p><b>Threads.</b> All methods are thread-safe. After {@link #close()} every method but {@code id()},
 * {@code device()} and {@code close()} throws {@link IllegalStateException}.
 */
public final class HandleStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandleStore.class);

  private final String id;
  private final String device;
  private final long memoryBudget;
  private final long diskBudget;
  private final StoreMemory memory;
  private final SpillDirectory spill;
  private final StoreCounters counters = new StoreCounters();
  private final SecureRandom random;
  /** Every live handle; expire-after-access applies here, whichever tier the tensor is in. */
  private final Cache<String, StoredTensor> index;
  /** The handles whose tensor is in memory, weighed in bytes; its eviction order picks what to spill. */
  private final Cache<String, StoredTensor> resident;
  /**
   * Serializes what adds to memory or disk (put, reload), so budgets are checked and kept exactly. Fair, so
   * a reader waiting to reload is not overtaken by a stream of puts.
   */
  private final ReentrantLock admission = new ReentrantLock(true);
  /** Read: any operation; write: close. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  private HandleStore(Builder b) throws IOException {
    this.random = new SecureRandom();
    this.id = randomBase64(6);
    this.device = b.device;
    this.memoryBudget = b.memoryBudget;
    this.diskBudget = b.diskBudget;
    this.spill = SpillDirectory.open(b.spillDirectory, id);
    this.memory = new StoreMemory(id, b.allocatorLimit(), memoryBudget / 4);
    Caffeine<Object, Object> indexBuilder = Caffeine.newBuilder().executor(Runnable::run).ticker(b.ticker);
    if (b.expireAfterAccess != null) {
      indexBuilder.expireAfterAccess(b.expireAfterAccess);
    }
    this.index = indexBuilder.<String, StoredTensor>removalListener((h, t, cause) -> freed(h, t, cause)).build();
    this.resident = Caffeine.newBuilder()
        .executor(Runnable::run)
        .maximumWeight(memoryBudget)
        .<String, StoredTensor>weigher((h, t) -> (int) Math.min(t.byteSize, Integer.MAX_VALUE))
        .evictionListener((h, t, cause) -> evicted(t))
        .build();
  }

  /** A builder with a 1 GiB memory budget, no disk budget but the disk's size, and no expiry. */
  public static Builder builder() {
    return new Builder();
  }

  /** This store's id, the first half of every handle's id part. */
  public String id() {
    return id;
  }

  /** The device named in this store's handles. */
  public String device() {
    return device;
  }

  /**
   * The store's root allocator. Create child allocators from it for work whose results may be stored: those
   * tensors are stored without copying.
   */
  public BufferAllocator allocator() {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      return memory.root();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Stores a new reference to {@code tensor} under the name {@code "Tensor"}; see {@link #put(String, Tensor)}. */
  public String put(Tensor tensor) {
    return put("Tensor", tensor);
  }

  /**
   * Stores a new reference to {@code tensor}; the caller still owns and closes its own.
   *
   * @param name the first part of the handle, usually the op that produced the tensor; no {@code ';'}
   * @return the handle, {@code name;id;device}
   * @throws ResourceExhaustedException if neither the memory nor the disk budget has room, or the allocator
   *     limit is reached
   * @throws IllegalArgumentException if the name is empty or contains {@code ';'}
   * @throws IllegalStateException if the tensor or the store is closed
   */
  public String put(String name, Tensor tensor) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tensor, "tensor");
    if (name.isEmpty() || name.indexOf(';') >= 0) {
      throw new IllegalArgumentException("a handle name must be non-empty and without ';', not '" + name + "'");
    }
    if (tensor.isClosed()) {
      throw new IllegalStateException("cannot store a closed tensor " + tensor);
    }
    lifecycle.readLock().lock();
    try {
      checkOpen();
      long bytes = StoredTensor.sizeOf(tensor);
      admission.lock();
      try {
        String handle = newHandle(name);
        List<StoredTensor> victims = roomInMemory(bytes, 0);
        if (victims != null) {
          spillAll(victims, true);
          StoredTensor slot = StoredTensor.inMemory(handle, memory.adopt(tensor), counters);
          resident.put(handle, slot); // before the index: nobody can free it until it is findable
          index.put(handle, slot);
        } else if (counters.bytesOnDisk() + bytes <= diskBudget) {
          Path file = writeSpill(tensor, handle);
          counters.spills.increment();
          index.put(handle, StoredTensor.onDisk(handle, tensor, file, counters));
        } else {
          throw exhausted("storing a " + tensor.dtype() + " " + tensor.shape() + " tensor of " + bytes + " bytes");
        }
        return handle;
      } finally {
        admission.unlock();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * A new reference to the tensor under {@code handle}, read back from disk if it was spilled. The caller
   * closes it; it stays valid if the handle is deleted, spilled or expires meanwhile.
   *
   * @throws NotFoundException if the handle is not (or no longer) in the store
   * @throws InvalidArgumentException if {@code handle} is malformed or names another store
   * @throws ResourceExhaustedException if a spilled tensor cannot be read back within the allocator limit
   */
  public Tensor get(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      StoredTensor slot = lookup(handle, true);
      Tensor t = slot == null ? null : slot.shareIfInMemory();
      if (t != null) {
        resident.getIfPresent(handle); // a read makes it recent in the spill order
        counters.hits.increment();
        return t;
      }
      if (slot == null || slot.place() == StoredTensor.Place.FREED) {
        counters.misses.increment();
        throw notFound(handle);
      }
      return reload(slot);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The dtype, shape, size and tier of the tensor under {@code handle}, without reading it back from disk
   * and without counting as a read for expiry.
   *
   * @throws NotFoundException if the handle is not in the store
   * @throws InvalidArgumentException if {@code handle} is malformed or names another store
   */
  public TensorInfo info(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      StoredTensor slot = lookup(handle, false);
      TensorInfo info = slot == null ? null : slot.info();
      if (info == null) {
        throw notFound(handle);
      }
      return info;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * True if {@code handle} is in the store; does not count as a read for expiry.
   *
   * @throws InvalidArgumentException if {@code handle} is malformed or names another store
   */
  public boolean contains(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      StoredTensor slot = lookup(handle, false);
      return slot != null && slot.place() != StoredTensor.Place.FREED;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * Frees the handle: its memory once readers close their references, its spill file now.
   *
   * @throws NotFoundException if the handle is not in the store
   * @throws InvalidArgumentException if {@code handle} is malformed or names another store
   */
  public void delete(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      lookup(handle, false); // validates
      if (index.asMap().remove(handle) == null) {
        throw notFound(handle);
      }
      counters.deletes.increment();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The handles in the store that start with {@code prefix} ({@code ""} for all), sorted. */
  public List<String> handles(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    lifecycle.readLock().lock();
    try {
      checkOpen();
      List<String> out = new ArrayList<>();
      for (String h : index.asMap().keySet()) {
        if (h.startsWith(prefix)) {
          out.add(h);
        }
      }
      out.sort(null);
      return out;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The store's contents and counters, after freeing the handles whose expiry time has passed. */
  public StoreStats stats() {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      index.cleanUp();
      return counters.snapshot();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The directory spill files go to. */
  public Path spillDirectory() {
    return spill.path();
  }

  /**
   * Frees every handle, removes the spill files (and the spill directory if the store created it) and closes
   * the allocator. Waits for operations under way. Idempotent.
   *
   * @throws IllegalStateException if tensors or child allocators taken from the store are still open; the
   *     handles and files are released all the same, and the allocator stays usable for those references:
   *     close them, then call {@code close()} again to close it
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        index.invalidateAll(); // the removal listener frees each handle
        index.cleanUp();
        resident.invalidateAll();
        spill.close();
      }
      memory.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "HandleStore(" + id + ", " + device + ")";
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The handle's entry, or null if this store does not hold it.
   *
   * @throws InvalidArgumentException if {@code handle} is malformed or names another store
   */
  private StoredTensor lookup(String handle, boolean asRead) {
    Objects.requireNonNull(handle, "handle");
    StoredTensor slot = asRead ? index.getIfPresent(handle) : index.policy().getIfPresentQuietly(handle);
    if (slot != null) {
      return slot; // only well-formed handles of this store are ever stored: no need to parse
    }
    HandleId parsed = HandleId.parse(handle);
    if (!parsed.storeId().equals(id)) {
      throw new InvalidArgumentException("handle '" + handle + "' belongs to handle store '" + parsed.storeId()
          + "', not to this store '" + id + "'");
    }
    return null;
  }

  private Tensor reload(StoredTensor slot) {
    admission.lock();
    try {
      Tensor t = slot.shareIfInMemory(); // another reader may have reloaded it while we waited
      if (t != null) {
        counters.hits.increment();
        return t;
      }
      List<StoredTensor> victims = roomInMemory(slot.byteSize, slot.byteSize);
      boolean keep = victims != null;
      Tensor loaded;
      try {
        loaded = slot.load(spill, memory.stored(), keep);
      } catch (OutOfMemoryException e) {
        throw new ResourceExhaustedException("reading back handle '" + slot.handle + "' (" + slot.byteSize
            + " bytes) exceeds the store's allocator limit of " + memory.root().getLimit() + " bytes", e);
      } catch (IOException e) {
        throw new DataLossException("reading back handle '" + slot.handle + "' from its spill file in "
            + spill.path() + " failed: " + e, e);
      } catch (DataLossException e) {
        throw new DataLossException("reading back handle '" + slot.handle + "' failed: " + e.getMessage(), e);
      }
      if (loaded == null) {
        counters.misses.increment();
        throw notFound(slot.handle);
      }
      counters.reloads.increment();
      if (keep) {
        spillAll(victims, false);
        resident.put(slot.handle, slot);
        if (slot.place() != StoredTensor.Place.MEMORY) {
          resident.invalidate(slot.handle); // freed meanwhile: its free may have run before our put
        }
      }
      return loaded;
    } finally {
      admission.unlock();
    }
  }

  /**
   * The coldest in-memory handles to spill so that {@code bytes} more fit the memory budget, or null if that
   * is impossible within the disk budget (counting {@code diskFreed} bytes the caller removes from disk).
   * Caller holds {@link #admission}: nothing else adds to either tier meanwhile.
   */
  private List<StoredTensor> roomInMemory(long bytes, long diskFreed) {
    if (bytes > memoryBudget) {
      return null;
    }
    long need = counters.bytesInMemory() + bytes - memoryBudget;
    if (need <= 0) {
      return List.of();
    }
    resident.cleanUp(); // apply pending inserts and removals, so the order below is complete and current
    Policy.Eviction<String, StoredTensor> eviction = resident.policy().eviction().orElseThrow();
    List<StoredTensor> victims = eviction.coldest(entries -> {
      List<StoredTensor> picked = new ArrayList<>();
      long sum = 0;
      for (Iterator<Policy.CacheEntry<String, StoredTensor>> it = entries.iterator(); it.hasNext() && sum < need; ) {
        StoredTensor t = it.next().getValue();
        // A handle freed or spilled meanwhile is no longer counted in memory: spilling it frees nothing.
        if (t.byteSize > 0 && t.place() == StoredTensor.Place.MEMORY) {
          picked.add(t);
          sum += t.byteSize;
        }
      }
      return picked;
    });
    long freed = victims.stream().mapToLong(t -> t.byteSize).sum();
    if (freed < need || counters.bytesOnDisk() - diskFreed + freed > diskBudget) {
      return null;
    }
    return victims;
  }

  /**
   * Spills {@code victims}. With {@code strict}, a failed write fails the caller (nothing was stored yet);
   * otherwise it is logged and the tensor stays in memory, over the budget until the next spill.
   */
  private void spillAll(List<StoredTensor> victims, boolean strict) {
    for (StoredTensor v : victims) {
      try {
        if (v.spill(spill)) {
          counters.spills.increment();
        }
        resident.invalidate(v.handle);
      } catch (IOException e) {
        if (strict) {
          throw new ResourceExhaustedException("spilling handle '" + v.handle + "' to " + spill.path()
              + " failed, so memory has no room: " + e, e);
        }
        LOG.warn("spilling handle '{}' to {} failed; it stays in memory: {}", v.handle, spill.path(), e.toString());
      }
    }
  }

  private Path writeSpill(Tensor tensor, String handle) {
    try {
      return spill.write(tensor);
    } catch (IOException e) {
      throw new ResourceExhaustedException("writing handle '" + handle + "' (" + StoredTensor.sizeOf(tensor) + " bytes) to "
          + spill.path() + " failed: " + e, e);
    }
  }

  /** Caffeine evicted a resident handle on its own (the budget is normally kept before it has to). */
  private void evicted(StoredTensor t) {
    try {
      if (t.spill(spill)) {
        counters.spills.increment();
      }
    } catch (IOException e) {
      LOG.warn("spilling handle '{}' to {} failed; it stays in memory: {}", t.handle, spill.path(), e.toString());
    }
  }

  /** The index removed a handle: deleted, expired, or the store is closing. */
  private void freed(String handle, StoredTensor t, RemovalCause cause) {
    if (t == null) {
      return;
    }
    t.free(spill);
    resident.invalidate(handle);
    if (cause == RemovalCause.EXPIRED) {
      counters.expiries.increment();
    }
  }

  private String newHandle(String name) {
    String handle;
    do {
      handle = new HandleId(name, id, randomBase64(HandleId.SECRET_BITS / 8), device).handle();
    } while (index.policy().getIfPresentQuietly(handle) != null); // 2^-128: never, but cheap to rule out
    return handle;
  }

  private String randomBase64(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private NotFoundException notFound(String handle) {
    // TensorFlow's message (core/common_runtime/session_state.cc, SessionState::GetTensor).
    return new NotFoundException("The tensor with handle '" + handle + "' is not in the session store.");
  }

  private ResourceExhaustedException exhausted(String what) {
    return new ResourceExhaustedException(what + " in handle store " + id + ": the memory budget of " + memoryBudget
        + " bytes (" + counters.bytesInMemory() + " in use) and the disk budget of " + diskBudget + " bytes ("
        + counters.bytesOnDisk() + " in use, spill directory " + spill.path() + ") are both exhausted");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("handle store " + id + " is closed");
    }
  }

  /** Configures a {@link HandleStore}. Not thread-safe; {@link #build()} may be called more than once. */
  public static final class Builder {
    private long memoryBudget = 1L << 30;
    private long diskBudget = Long.MAX_VALUE;
    private Path spillDirectory;
    private Duration expireAfterAccess;
    private long allocatorLimit = -1;
    private String device = HandleId.DEFAULT_DEVICE;
    private Ticker ticker = Ticker.systemTicker();

    private Builder() {}

    /** Bytes of tensors kept in memory (Caffeine's maximum weight); past it the coldest are spilled. */
    public Builder memoryBudget(long bytes) {
      this.memoryBudget = requireNonNegative(bytes, "memoryBudget");
      return this;
    }

    /** Bytes of tensors kept in spill files; default unlimited (the file system's free space). */
    public Builder diskBudget(long bytes) {
      this.diskBudget = requireNonNegative(bytes, "diskBudget");
      return this;
    }

    /** Where spill files go; default a fresh temporary directory, removed on close. */
    public Builder spillDirectory(Path dir) {
      this.spillDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Frees handles not read ({@code get}) for this long, in memory or on disk; default never. */
    public Builder expireAfterAccess(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("expireAfterAccess must be positive, not " + ttl);
      }
      this.expireAfterAccess = ttl;
      return this;
    }

    /**
     * The limit of the store's root allocator: stored tensors, tensors readers still hold, and whatever child
     * allocators of {@link HandleStore#allocator()} use. Default four times the memory budget, at least the
     * budget plus 1 GiB.
     */
    public Builder allocatorLimit(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("allocatorLimit must be positive, not " + bytes);
      }
      this.allocatorLimit = bytes;
      return this;
    }

    /** The device named in handles; default {@value HandleId#DEFAULT_DEVICE}. */
    public Builder device(String device) {
      Objects.requireNonNull(device, "device");
      if (device.isEmpty() || device.indexOf(';') >= 0) {
        throw new IllegalArgumentException("a device must be non-empty and without ';', not '" + device + "'");
      }
      this.device = device;
      return this;
    }

    /** The time source for expiry; tests pass one they control. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the store and its spill directory.
     *
     * @throws IllegalArgumentException if the allocator limit is below the memory budget
     * @throws UncheckedIOException if the spill directory cannot be created
     */
    public HandleStore build() {
      if (allocatorLimit() < memoryBudget) {
        throw new IllegalArgumentException("allocatorLimit " + allocatorLimit + " is below the memoryBudget "
            + memoryBudget);
      }
      try {
        return new HandleStore(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the spill directory " + spillDirectory, e);
      }
    }

    long allocatorLimit() {
      if (allocatorLimit > 0) {
        return allocatorLimit;
      }
      long four = memoryBudget > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : memoryBudget * 4;
      long plus = memoryBudget > Long.MAX_VALUE - (1L << 30) ? Long.MAX_VALUE : memoryBudget + (1L << 30);
      return Math.max(four, plus);
    }

    private static long requireNonNegative(long v, String what) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0, not " + v);
      }
      return v;
    }
  }
}
