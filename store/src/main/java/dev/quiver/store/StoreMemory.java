package dev.quiver.store;

import dev.quiver.errors.ResourceExhaustedException;
import java.time.Duration;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.OwnershipTransferResult;
import org.apache.arrow.memory.RootAllocator;

/**
 * A {@link HandleStore}'s Arrow memory: one root allocator with the store's limit, and under it the child that
 * owns stored tensors. Tensors enter it by {@link #adopt}: moved if they are under the same root, copied once
 * if not, or if they are a small slice of a larger buffer. Freed blocks of a megabyte or more are kept for reuse
 * ({@link RecyclingAllocationManager}), at most a quarter of the memory budget, returned to the operating system
 * after {@link #RECYCLE_IDLE} unused (checked every half of that by the maintenance thread, so an idle store
 * empties its pool) and when the store closes. Thread-safe (Arrow's allocators are).
 */
final class StoreMemory {
  /** A freed block kept for reuse is returned to the OS after this long unused. */
  static final Duration RECYCLE_IDLE = Duration.ofSeconds(10);

  private final String storeId;
  private final RecyclingAllocationManager.Pool recycled;
  private final RootAllocator root;
  private final BufferAllocator stored;
  private boolean closed; // guarded by the store's lifecycle lock

  /**
   * @param limit the root allocator's limit
   * @param recycleBytes bytes of freed large blocks kept for reuse (see {@link RecyclingAllocationManager})
   * @param recycleIdle how long a kept block may stay unused ({@link #RECYCLE_IDLE} but in tests)
   * @param maintenance the thread that returns idle kept blocks to the OS, also when nothing is allocated
   */
  StoreMemory(String storeId, long limit, long recycleBytes, Duration recycleIdle, StoreMaintenance maintenance) {
    this.storeId = storeId;
    long idleNanos = recycleIdle.toNanos();
    this.recycled = new RecyclingAllocationManager.Pool(recycleBytes, idleNanos, System::nanoTime);
    this.root = new RootAllocator(RootAllocator.configBuilder().maxAllocation(limit)
        .allocationManagerFactory(recycled).build());
    this.stored = root.newChildAllocator("handles of store " + storeId, 0, Long.MAX_VALUE);
    if (recycleBytes >= RecyclingAllocationManager.MIN_RECYCLED) {
      maintenance.every(Math.max(1, idleNanos / 2), recycled::trim);
    }
  }

  /** The root that callers allocate under, so that their tensors are stored without copying. */
  BufferAllocator root() {
    return root;
  }

  /** The allocator that owns stored and reloaded tensors. */
  BufferAllocator stored() {
    return stored;
  }

  /** Bytes of freed blocks kept for reuse: memory the process holds outside the allocator's accounting. */
  long pooledBytes() {
    return recycled.keptBytes();
  }

  /**
   * A new reference to {@code t}'s elements accounted to this store. Moved without copying if it is under this
   * store's root allocator, so the store holds the buffers {@code t} spans, whole. Copied once if it is under
   * another root (Arrow cannot move accounting between roots), or if those buffers are more than twice the
   * tensor's bytes: a small slice of a large tensor, whose move would keep the whole tensor's memory alive
   * under the budget weight of the slice.
   */
  Tensor adopt(Tensor t) {
    ArrowBuf data = t.dataBuffer();
    ArrowBuf offsets = t.offsetBuffer();
    boolean move = underRoot(data) && (offsets == null || underRoot(offsets))
        && heldBytes(data, offsets) <= 2 * StoredTensor.sizeOf(t);
    try {
      if (offsets == null) {
        long bytes = Tensor.byteSizeOf(t.dtype(), t.shape());
        return Tensor.wrap(t.dtype(), t.shape(), move ? transfer(data, bytes) : copy(data, 0, bytes));
      }
      long offsetBytes = (t.numElements() + 1) * 4;
      if (move) {
        ArrowBuf o = transfer(offsets, offsetBytes);
        try {
          return Tensor.wrapStrings(t.shape(), o, transfer(data, data.capacity()));
        } catch (RuntimeException e) {
          o.close();
          throw e;
        }
      }
      // Copy only the characters the offsets reach, and rebase the offsets to start at 0.
      int first = offsets.getInt(0);
      int last = offsets.getInt(offsetBytes - 4);
      ArrowBuf o = copy(offsets, 0, offsetBytes);
      for (long i = 0; i < offsetBytes; i += 4) {
        o.setInt(i, o.getInt(i) - first);
      }
      try {
        return Tensor.wrapStrings(t.shape(), o, copy(data, first, last - first));
      } catch (RuntimeException e) {
        o.close();
        throw e;
      }
    } catch (OutOfMemoryException e) {
      throw new ResourceExhaustedException("storing a " + t.dtype() + " " + t.shape() + " tensor of "
          + StoredTensor.sizeOf(t) + " bytes exceeds the store's allocator limit of " + root.getLimit() + " bytes", e);
    }
  }

  /** The bytes of the allocations behind a tensor's buffers, each allocation counted once. */
  private static long heldBytes(ArrowBuf data, ArrowBuf offsets) {
    long held = data.getReferenceManager().getSize();
    if (offsets != null && offsets.getReferenceManager() != data.getReferenceManager()) {
      held += offsets.getReferenceManager().getSize();
    }
    return held;
  }

  private boolean underRoot(ArrowBuf buf) {
    return buf.capacity() == 0 || buf.getReferenceManager().getAllocator().getRoot() == root;
  }

  /** The first {@code length} bytes of {@code buf}, accounted to the store. */
  private ArrowBuf transfer(ArrowBuf buf, long length) {
    if (length == 0) {
      return stored.getEmpty();
    }
    OwnershipTransferResult r = buf.getReferenceManager().transferOwnership(buf, stored);
    ArrowBuf moved = r.getTransferredBuffer();
    if (!r.getAllocationFit()) {
      moved.close(); // accounting goes back to the caller's allocator
      throw new OutOfMemoryException("transfer of " + buf.capacity() + " bytes");
    }
    return moved.capacity() == length ? moved : moved.slice(0, length); // the slice owns moved's reference
  }

  /** A copy of {@code length} bytes of {@code buf} from {@code start}, in store memory. */
  private ArrowBuf copy(ArrowBuf buf, long start, long length) {
    if (length == 0) {
      return stored.getEmpty();
    }
    ArrowBuf c = stored.buffer(length); // capacity may be rounded up; the slice owns its reference
    c.setBytes(0, buf, start, length);
    return c.capacity() == length ? c : c.slice(0, length);
  }

  /**
   * Closes both allocators once nothing is allocated under them. Retryable.
   *
   * @throws IllegalStateException naming what is still open (the allocators stay usable for it)
   */
  void close() {
    if (closed) {
      return;
    }
    recycled.close(); // kept blocks go now; blocks that readers release later are freed at once
    long outstanding = root.getAllocatedMemory();
    int children = root.getChildAllocators().size() - 1 + stored.getChildAllocators().size();
    if (outstanding > 0 || children > 0) {
      throw new IllegalStateException("handle store " + storeId + " is closed, but " + outstanding
          + " bytes and " + children + " child allocators taken from it are still open: close every "
          + "tensor taken from it and every child allocator of allocator(), then close the store again");
    }
    stored.close();
    root.close();
    closed = true;
  }
}
