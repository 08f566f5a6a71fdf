package dev.quiver.executor;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The small tensors of one step (scalar feeds, kernel outputs of a few elements), carved out of a shared
 * block: Arrow's bookkeeping per allocation costs more than a scalar kernel, so steps of scalars carve their
 * tensors one after the other from a block and allocate a new block only when it is full. Memory is never
 * reused: a carved tensor holds its own reference to its block, and the block is freed when its last tensor and
 * the session's {@link Pool} let go of it. A fetched scalar kept for long therefore keeps at most one block
 * ({@link #BLOCK_BYTES}) alive.
 *
 * <p>Thread-safe: ops of one step may run on several threads. Carved tensors are zero-filled.
 */
final class StepArena implements AutoCloseable {
  /** Tensors larger than this are allocated on their own. */
  static final long MAX_TENSOR_BYTES = 64;
  /** String scalars up to this many UTF-8 bytes (handle strings) are carved too. */
  static final int MAX_STRING_BYTES = 192;
  static final long BLOCK_BYTES = 1024;
  private static final long ALIGNMENT = 8;

  private final Pool pool;
  private Block block; // guarded by this; null until the first small tensor

  StepArena(Pool pool) {
    this.pool = pool;
  }

  /** True if a fixed-width tensor of {@code bytes} bytes should come from an arena. */
  static boolean fits(long bytes) {
    return bytes > 0 && bytes <= MAX_TENSOR_BYTES;
  }

  /**
   * A zero-filled tensor carved from the current block (a fresh block if it is full); the caller owns it.
   * {@code bytes} is {@code Tensor.byteSizeOf(dtype, shape)} and {@link #fits} it.
   */
  Tensor allocate(DType dtype, Shape shape, long bytes) {
    ArrowBuf slice = carve(bytes);
    try {
      return Tensor.wrap(dtype, shape, slice);
    } catch (RuntimeException e) {
      slice.close();
      throw e;
    }
  }

  /** A string scalar carved from the blocks, or null if {@code value} is longer than {@link #MAX_STRING_BYTES}. */
  Tensor scalar(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > MAX_STRING_BYTES) {
      return null;
    }
    ArrowBuf offsets = carve(8);
    ArrowBuf data;
    try {
      data = carve(utf8.length);
    } catch (RuntimeException e) {
      offsets.close();
      throw e;
    }
    offsets.setInt(4, utf8.length);
    data.setBytes(0, utf8);
    try {
      return Tensor.wrapStrings(Shape.scalar(), offsets, data);
    } catch (RuntimeException e) {
      offsets.close();
      data.close();
      throw e;
    }
  }

  /** {@code bytes} zero bytes of the current block, as a slice holding its own reference to the block. */
  private synchronized ArrowBuf carve(long bytes) {
    long piece = (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    if (block == null) {
      block = pool.take();
    }
    if (block.used + piece > block.buf.capacity()) {
      block.buf.close();
      block = pool.newBlock();
    }
    ArrowBuf slice = block.buf.slice(block.used, bytes);
    block.buf.getReferenceManager().retain();
    block.used += piece;
    return slice;
  }

  /** Gives the block back to the session for the next steps; tensors carved from it stay valid. */
  @Override
  public synchronized void close() {
    if (block != null) {
      pool.giveBack(block);
      block = null;
    }
  }

  /** A block and how much of it is carved; the block's own reference is held by whoever holds this. */
  static final class Block {
    final ArrowBuf buf;
    long used;

    Block(ArrowBuf buf) {
      this.buf = buf;
    }
  }

  /**
   * The blocks with room left of one session, at most a few (one per concurrent step is enough). Closing it
   * releases them; tensors carved from them stay valid. Thread-safe.
   */
  static final class Pool implements AutoCloseable {
    private final BufferAllocator allocator;
    private final AtomicReferenceArray<Block> free = new AtomicReferenceArray<>(4);
    private volatile boolean closed;

    Pool(BufferAllocator allocator) {
      this.allocator = allocator;
    }

    Block take() {
      for (int i = 0; i < free.length(); i++) {
        Block b = free.get(i);
        if (b != null && free.compareAndSet(i, b, null)) {
          return b;
        }
      }
      return newBlock();
    }

    Block newBlock() {
      ArrowBuf buf = allocator.buffer(BLOCK_BYTES);
      buf.setZero(0, buf.capacity());
      return new Block(buf);
    }

    void giveBack(Block b) {
      if (b.used + ALIGNMENT <= b.buf.capacity() && !closed) {
        for (int i = 0; i < free.length(); i++) {
          if (free.get(i) == null && free.compareAndSet(i, null, b)) {
            if (closed) { // lost a race with close(): whoever takes it out frees it
              Block again = free.getAndSet(i, null);
              if (again != null) {
                again.buf.close();
              }
            }
            return;
          }
        }
      }
      b.buf.close();
    }

    /** Releases the pooled blocks; blocks given back later are released at once. */
    @Override
    public void close() {
      closed = true;
      for (int i = 0; i < free.length(); i++) {
        Block b = free.getAndSet(i, null);
        if (b != null) {
          b.buf.close();
        }
      }
    }
  }
}
