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
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;
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
 * {@link Builder#expireAfterAccess expire-after-access} time, or the store is closed. An expired handle is freed
 * on time (within about a second) by the store's maintenance thread, memory and spill file, even if nobody calls
 * the store. Memory pressure never frees a handle: the tensors in memory are a Caffeine cache weighed in bytes
 * whose maximum weight is the {@link Builder#memoryBudget memory budget}, and when they would exceed it the least
 * recently used ones are spilled to Arrow IPC files first, then the new tensor is admitted; spilled ones are read
 * back transparently on the next {@code get}. A use is a put, a read back from disk, or a {@code get} or
 * {@link #getIfInMemory getIfInMemory} that finds the tensor in memory ({@code info} and {@code contains} are
 * not); how often a tensor was used does not count. Single-threaded use spills in exact LRU order; uses by
 * concurrent threads are ordered as Caffeine recorded them, which may be either way. A tensor larger than the
 * memory budget goes straight to disk. Neither budget is exceeded, not even for a moment; only when neither has
 * room does {@code put} fail, with {@link ResourceExhaustedException}, and every stored handle stays readable (a
 * spilled tensor that memory cannot take back is read for the caller without being kept).
 *
 * <p><b>Memory.</b> All stored memory is accounted to the store's {@link #allocator() root allocator}.
 * {@code put} takes a new reference: a tensor allocated under that root is moved there without copying
 * (its accounting transferred, so the caller's child allocator may close while the handle lives on); a
 * tensor from another root is copied once, because Arrow cannot move memory between roots, and so is a slice
 * spanning less than half of its buffer, whose move would keep the whole buffer alive under the slice's small
 * weight. {@code get} returns a new reference to the stored memory, which stays valid after the handle is
 * spilled, deleted or expired, until the caller closes it.
 *
 * <p><b>Threads.</b> All methods are thread-safe. A {@code get} of an in-memory tensor and a {@code put} that
 * fits the free room never wait for another thread's disk I/O; one thread at a time spills to make room. After
 * {@link #close()} every method but {@code id()}, {@code device()} and {@code close()} throws
 * {@link IllegalStateException}.
 *
 * <p><b>Bad arguments.</b> A handle is data from outside (a feed, a Flight ticket): a null, malformed or foreign
 * one is {@link InvalidArgumentException}, one not in the store {@link NotFoundException}. Misused Java
 * arguments (a null tensor or name, a name with {@code ';'}) are {@link NullPointerException} and
 * {@link IllegalArgumentException}, as in Caffeine.
 */
public final class HandleStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandleStore.class);

  private final String id;
  private final String device;
  private final long memoryBudget;
  private final long diskBudget;
  private final StoreMaintenance maintenance;
  private final StoreMemory memory;
  private final SpillDirectory spill;
  private final StoreCounters counters = new StoreCounters();
  private final StorageTiers tiers;
  private final SecureRandom random;
  /** Every live handle; expire-after-access applies here, whichever tier the tensor is in. */
  private final Cache<String, StoredTensor> index;
  /** Read: any operation; write: close. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle

  private HandleStore(Builder b) throws IOException {
    this.random = new SecureRandom();
    this.id = randomBase64(6);
    this.device = b.device;
    this.memoryBudget = b.memoryBudget;
    this.diskBudget = b.diskBudget;
    this.spill = SpillDirectory.open(b.spillDirectory, id, b.spillBatchBytes, b.spillChannels);
    this.maintenance = new StoreMaintenance(id);
    this.memory = new StoreMemory(id, b.allocatorLimit(), memoryBudget / 4, b.recycleIdle, maintenance);
    this.tiers = new StorageTiers(memoryBudget, diskBudget, spill, counters);
    Caffeine<Object, Object> indexBuilder = Caffeine.newBuilder().executor(maintenance.executor()).ticker(b.ticker);
    if (b.expireAfterAccess != null) {
      indexBuilder.expireAfterAccess(b.expireAfterAccess).scheduler(maintenance.scheduler());
    }
    this.index = indexBuilder.<String, StoredTensor>evictionListener((h, t, cause) -> expired(t, cause)).build();
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
   * @throws ResourceExhaustedException if neither the memory nor the disk budget has room, a spill file cannot
   *     be written, or the allocator limit is reached
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
      String handle = newHandle(name);
      if (roomInMemory(tensor, bytes)) {
        Tensor owned;
        try {
          owned = memory.adopt(tensor);
        } catch (RuntimeException e) {
          tiers.releaseMemory(bytes);
          throw e;
        }
        index.put(handle, StoredTensor.inMemory(handle, owned, tiers));
      } else if (tiers.reserveDisk(bytes)) {
        Path file;
        try {
          file = spill.write(tensor);
        } catch (IOException | RuntimeException e) {
          tiers.releaseDisk(bytes);
          throw e instanceof IOException ? new ResourceExhaustedException("writing a " + describe(tensor, bytes)
              + " to " + spill.path() + " failed: " + e, e) : (RuntimeException) e;
        }
        counters.spills.increment();
        index.put(handle, StoredTensor.onDisk(handle, tensor, file, tiers));
      } else {
        throw exhausted("storing a " + describe(tensor, bytes));
      }
      return handle;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * A new reference to the tensor under {@code handle}, read back from disk if it was spilled. The caller
   * closes it; it stays valid if the handle is deleted, spilled or expires meanwhile.
   *
   * @throws NotFoundException if the handle is not (or no longer) in the store
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
   * @throws ResourceExhaustedException if a spilled tensor cannot be read back within the allocator limit
   * @throws DataLossException if its spill file cannot be read
   */
  public Tensor get(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      StoredTensor slot = lookup(handle, true);
      Tensor t = shareIfResident(handle, slot);
      return t != null ? t : reload(slot);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * A new reference to the tensor under {@code handle} if it is in memory now, or null if it is on disk: never
   * reads the disk, so a thread that must not block (a network thread) can try this first and hand a null over
   * to one that may. Counts as a read, like {@link #get}, when it returns a tensor.
   *
   * @throws NotFoundException if the handle is not (or no longer) in the store
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
   */
  public Tensor getIfInMemory(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      return shareIfResident(handle, lookup(handle, true));
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** A new reference to {@code slot}'s tensor if it is in memory (a hit), null if it is on disk. */
  private Tensor shareIfResident(String handle, StoredTensor slot) {
    Tensor t = slot == null ? null : slot.shareIfInMemory();
    if (t != null) {
      tiers.touch(handle); // a read makes it recent in the spill order
      counters.hits.increment();
      return t;
    }
    if (slot == null || slot.place() == StoredTensor.Place.FREED) {
      counters.misses.increment();
      throw notFound(handle);
    }
    return null;
  }

  /**
   * The dtype, shape, size and tier of the tensor under {@code handle}, without reading it back from disk
   * and without counting as a read for expiry.
   *
   * @throws NotFoundException if the handle is not in the store
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
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
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
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
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
   */
  public void delete(String handle) {
    lifecycle.readLock().lock();
    try {
      checkOpen();
      lookup(handle, false); // validates
      StoredTensor slot = index.asMap().remove(handle); // null if it expired meanwhile: the listener frees it
      if (slot == null) {
        throw notFound(handle);
      }
      slot.free(spill);
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
      return counters.snapshot(memory.pooledBytes());
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The directory spill files go to. */
  public Path spillDirectory() {
    return spill.path();
  }

  /**
   * Frees every handle, stops the maintenance thread, removes the spill files (and the spill directory if the
   * store created it), returns the kept memory blocks to the OS and closes the allocator. Waits for operations
   * under way. Idempotent.
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
        for (String h : List.copyOf(index.asMap().keySet())) {
          StoredTensor slot = index.asMap().remove(h);
          if (slot != null) {
            slot.free(spill);
          }
        }
        index.invalidateAll(); // what expired meanwhile: the listener frees it
        tiers.clear();
        maintenance.close(); // after an expiry under way has freed its handle
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

  /** The memory tier's Caffeine policy, for tests that make Caffeine evict on its own. */
  Policy.Eviction<String, StoredTensor> residentEviction() {
    return tiers.residentEviction();
  }

  /** The in-memory handles, least recently used first: the order they are spilled in. For tests. */
  List<String> spillOrder() {
    return tiers.spillOrder();
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The handle's entry, or null if this store does not hold it.
   *
   * @throws InvalidArgumentException if {@code handle} is null, malformed or names another store
   */
  private StoredTensor lookup(String handle, boolean asRead) {
    if (handle == null) {
      HandleId.parse(null); // throws InvalidArgumentException
    }
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

  /**
   * Reserves memory for {@code tensor}, spilling colder tensors first if needed.
   *
   * @return false if memory cannot take it within the budgets (the caller tries the disk)
   * @throws ResourceExhaustedException if a spill that would make room failed
   */
  private boolean roomInMemory(Tensor tensor, long bytes) {
    try {
      return tiers.reserveMemory(bytes);
    } catch (IOException e) {
      // The message names no other handle: handles are capabilities, and this error goes to the caller.
      throw new ResourceExhaustedException("storing a " + describe(tensor, bytes) + " in handle store " + id
          + ": memory has no room because " + e.getMessage(), e);
    }
  }

  /** Reads a spilled tensor back, keeping it in memory if the memory budget can make room for it. */
  private Tensor reload(StoredTensor slot) {
    slot.reloading.lock(); // readers of this handle wait for one read of its file; no other reader waits
    try {
      Tensor t = slot.shareIfInMemory(); // another reader reloaded it while we waited
      if (t != null) {
        tiers.touch(slot.handle);
        counters.hits.increment();
        return t;
      }
      boolean keep = roomToKeep(slot);
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
      return loaded;
    } finally {
      slot.reloading.unlock();
    }
  }

  /**
   * Reserves memory to keep a reloaded tensor, spilling colder ones first. False (the reader gets the tensor,
   * the handle stays on disk) if it is larger than the budget, if room cannot be made within the disk budget
   * (which must take the spilled tensors before the reloaded one's file goes), or if a spill fails.
   */
  private boolean roomToKeep(StoredTensor slot) {
    try {
      return tiers.reserveMemory(slot.byteSize);
    } catch (IOException e) {
      LOG.warn("reading back handle '{}' without keeping it in memory: {}", slot.handle, e.getMessage());
      return false;
    }
  }

  /** The index dropped a handle on its own: it was not read for the expire-after-access time. */
  private void expired(StoredTensor t, RemovalCause cause) {
    if (cause == RemovalCause.EXPIRED) {
      t.free(spill);
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

  private static String describe(Tensor tensor, long bytes) {
    return tensor.dtype() + " " + tensor.shape() + " tensor of " + bytes + " bytes";
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
    private long spillBatchBytes = SpillDirectory.BATCH_BYTES;
    private UnaryOperator<WritableByteChannel> spillChannels = UnaryOperator.identity();
    private Duration recycleIdle = StoreMemory.RECYCLE_IDLE;

    private Builder() {}

    /** Bytes of tensors kept in memory (Caffeine's maximum weight); past it the least recently used are spilled. */
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

    /** The most element bytes in one record batch of a spill file; tests make it small to get many batches. */
    Builder spillBatchBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("spillBatchBytes must be positive, not " + bytes);
      }
      this.spillBatchBytes = bytes;
      return this;
    }

    /** How long a freed memory block is kept for reuse; tests shorten it. */
    Builder recycleIdle(Duration idle) {
      this.recycleIdle = Objects.requireNonNull(idle, "idle");
      return this;
    }

    /** Wraps the channel each spill file is written through; tests use it to stall or fail spills. */
    Builder spillChannels(UnaryOperator<WritableByteChannel> wrap) {
      this.spillChannels = Objects.requireNonNull(wrap, "wrap");
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
