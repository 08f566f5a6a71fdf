package dev.quiver.store;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.AllocationManager;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.netty.NettyAllocationManager;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow memory for a store's root allocator that keeps freed large blocks for the next allocation of the same
 * size, instead of handing them back to the operating system.
 *
 * <p>Why: a block of a megabyte or more comes straight from the OS, which must map and zero every page before
 * the first write and unmap them on free. For a store that takes an upload, serves it and deletes it, that
 * page work was a third of the server's CPU per uploaded byte. Blocks are kept by size, rounded up to 64 KiB
 * so that tensors of one shape share them; at most {@code capacity} bytes are kept, and a kept block unused for
 * {@code idleNanos} is freed at the next allocation, release or {@link Pool#trim}. Smaller requests go to Arrow's
 * Netty pool.
 *
 * <p>Accounting is unchanged: the allocator sees the requested size; the rounding (under 64 KiB a block) and
 * the kept blocks are outside it. Thread-safe.
 */
final class RecyclingAllocationManager extends AllocationManager {
  /** Requests from this size on are served by recycled blocks. */
  static final long MIN_RECYCLED = 1 << 20;
  private static final long GRANULE = 64 << 10;

  private final Pool pool;
  private final long size;
  private final long blockSize;
  private final long address;

  private RecyclingAllocationManager(BufferAllocator accounting, Pool pool, long size) {
    super(accounting);
    this.pool = pool;
    this.size = size;
    this.blockSize = (size + GRANULE - 1) & -GRANULE;
    this.address = pool.take(blockSize);
  }

  @Override
  public long getSize() {
    return size;
  }

  @Override
  protected long memoryAddress() {
    return address;
  }

  @Override
  protected void release0() {
    pool.give(address, blockSize);
  }

  /** The factory a root allocator uses, owning the kept blocks; {@link #close} frees them. */
  static final class Pool implements AllocationManager.Factory, AutoCloseable {
    private final long capacity;
    private final long idleNanos;
    private final LongSupplier clock;
    /** Kept blocks by size; each deque holds {address, time kept} pairs, newest last. */
    private final TreeMap<Long, ArrayDeque<long[]>> kept = new TreeMap<>();
    private long keptBytes;
    private long reused;
    private boolean closed;

    Pool(long capacity, long idleNanos, LongSupplier clock) {
      this.capacity = capacity;
      this.idleNanos = idleNanos;
      this.clock = clock;
    }

    @Override
    public AllocationManager create(BufferAllocator accounting, long size) {
      if (size < MIN_RECYCLED || capacity < MIN_RECYCLED) {
        return NettyAllocationManager.FACTORY.create(accounting, size);
      }
      return new RecyclingAllocationManager(accounting, this, size);
    }

    @Override
    public ArrowBuf empty() {
      return NettyAllocationManager.FACTORY.empty();
    }

    /** A block of exactly {@code blockSize} bytes: a kept one if there is one, else fresh from the OS. */
    long take(long blockSize) {
      synchronized (this) {
        ArrayDeque<long[]> blocks = kept.get(blockSize);
        if (blocks != null) {
          long[] b = blocks.pollLast(); // the most recently used block is the likeliest still in cache
          if (blocks.isEmpty()) {
            kept.remove(blockSize);
          }
          keptBytes -= blockSize;
          reused++;
          freeIdle();
          return b[0];
        }
        freeIdle();
      }
      return MemoryUtil.allocateMemory(blockSize);
    }

    /** Keeps a released block if there is room, else frees it. */
    void give(long address, long blockSize) {
      synchronized (this) {
        freeIdle();
        if (!closed && keptBytes + blockSize <= capacity) {
          kept.computeIfAbsent(blockSize, s -> new ArrayDeque<>()).addLast(new long[] {address, clock.getAsLong()});
          keptBytes += blockSize;
          return;
        }
      }
      MemoryUtil.freeMemory(address);
    }

    /** Frees the kept blocks unused for the idle time; the owner calls it now and then, so an idle pool empties. */
    synchronized void trim() {
      freeIdle();
    }

    /** Bytes of freed blocks being kept for reuse. */
    synchronized long keptBytes() {
      return keptBytes;
    }

    /** Allocations served by a kept block. */
    synchronized long reused() {
      return reused;
    }

    private void freeIdle() {
      long now = clock.getAsLong();
      for (Iterator<Map.Entry<Long, ArrayDeque<long[]>>> it = kept.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Long, ArrayDeque<long[]>> e = it.next();
        ArrayDeque<long[]> blocks = e.getValue();
        while (!blocks.isEmpty() && now - blocks.peekFirst()[1] >= idleNanos) {
          MemoryUtil.freeMemory(blocks.pollFirst()[0]);
          keptBytes -= e.getKey();
        }
        if (blocks.isEmpty()) {
          it.remove();
        }
      }
    }

    /** Frees every kept block; blocks released later are freed at once. */
    @Override
    public synchronized void close() {
      closed = true;
      for (ArrayDeque<long[]> blocks : kept.values()) {
        for (long[] b : blocks) {
          MemoryUtil.freeMemory(b[0]);
        }
      }
      kept.clear();
      keptBytes = 0;
    }
  }
}
