package dev.quiver.executor;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The small tensors of one step (scalar feeds, kernel outputs of a few elements), carved out of one Arrow
 * buffer: Arrow's bookkeeping per allocation costs more than a scalar kernel, so a step of scalars allocates
 * once instead of once per tensor. Each carved tensor holds its own reference to the block, so it lives as long
 * as the caller keeps it; a block is freed when its last tensor closes. A fetched scalar can therefore keep at
 * most one block ({@link #MAX_BLOCK_BYTES}) alive, which is why only small tensors are carved and blocks are
 * sized from what the previous step of the same plan carved.
 *
 * <p>Thread-safe: ops of one step may run on several threads. Carved tensors are zero-filled.
 */
final class StepArena implements AutoCloseable {
  /** Tensors larger than this are allocated on their own. */
  static final long MAX_TENSOR_BYTES = 64;
  static final long MAX_BLOCK_BYTES = 512;
  private static final long ALIGNMENT = 8;
  private static final long MIN_BLOCK_BYTES = 32;

  private final BufferAllocator allocator;
  private final StepPlan plan;
  private ArrowBuf block; // the arena's own reference; guarded by this
  private long used; // guarded by this
  private long carved; // guarded by this

  StepArena(BufferAllocator allocator, StepPlan plan) {
    this.allocator = allocator;
    this.plan = plan;
  }

  /** True if a fixed-width tensor of {@code bytes} bytes should come from an arena. */
  static boolean fits(long bytes) {
    return bytes > 0 && bytes <= MAX_TENSOR_BYTES;
  }

  /**
   * A zero-filled tensor carved from the current block (a new block if it is full); the caller owns it.
   * {@code bytes} is {@code Tensor.byteSizeOf(dtype, shape)} and {@link #fits} it.
   */
  synchronized Tensor allocate(DType dtype, Shape shape, long bytes) {
    long piece = (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    if (block == null || used + piece > block.capacity()) {
      newBlock(piece);
    }
    ArrowBuf slice = block.slice(used, bytes);
    block.getReferenceManager().retain();
    used += piece;
    carved += piece;
    try {
      return Tensor.wrap(dtype, shape, slice);
    } catch (RuntimeException e) {
      slice.close();
      throw e;
    }
  }

  private void newBlock(long piece) {
    long hint = plan.arenaBytes;
    long size = Math.max(piece, Math.min(MAX_BLOCK_BYTES, Math.max(MIN_BLOCK_BYTES, hint - carved)));
    ArrowBuf b = allocator.buffer(size);
    b.setZero(0, b.capacity());
    if (block != null) {
      block.close();
    }
    block = b;
    used = 0;
  }

  /** Gives up the arena's own reference; carved tensors stay valid. Remembers the step's need for the next step. */
  @Override
  public synchronized void close() {
    if (block != null) {
      block.close();
      block = null;
    }
    if (carved > 0 && carved != plan.arenaBytes) {
      plan.arenaBytes = carved;
    }
  }
}
