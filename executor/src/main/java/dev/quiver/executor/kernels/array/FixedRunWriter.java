package dev.quiver.executor.kernels.array;

import dev.quiver.store.Tensor;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Writes runs of fixed-width elements into an output buffer from a starting element on, one bulk memory
 * copy per merged run. Fill runs copy the fill element's bytes (or are skipped when the fill is zero and
 * the output is freshly allocated, hence zero already).
 */
final class FixedRunWriter implements RunWriter {
  private final long dst;
  private final int width;
  private final long fillAddress; // 0: fill with zero bytes, which a fresh output already holds
  private long cursor; // next output element
  private Tensor pendingSrc;
  private long pendingStart;
  private long pendingCount;

  /**
   * @param out the output being written; must be freshly allocated (zero-filled)
   * @param firstElement the output element the first run lands on
   * @param fill a scalar of the output's dtype for fill runs, or null for zero
   */
  FixedRunWriter(Tensor out, long firstElement, Tensor fill) {
    this.dst = out.address();
    this.width = out.dtype().byteWidth();
    this.cursor = firstElement;
    this.fillAddress = fill == null || isZero(fill) ? 0 : fill.address();
  }

  private static boolean isZero(Tensor scalar) {
    for (long i = 0; i < scalar.byteSize(); i++) {
      if (scalar.dataBuffer().getByte(i) != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void copy(Tensor src, long start, long count) {
    if (count == 0) {
      return;
    }
    if (pendingSrc == src && pendingStart + pendingCount == start) {
      pendingCount += count;
      return;
    }
    flush();
    pendingSrc = src;
    pendingStart = start;
    pendingCount = count;
  }

  @Override
  public void fill(long count) {
    flush();
    if (fillAddress != 0 && count > 0) {
      repeat(fillAddress, width, dst + cursor * width, count);
    }
    cursor += count;
  }

  /** Writes the pending run; call once after the last run. */
  void flush() {
    if (pendingCount == 0) {
      return;
    }
    copyElements(pendingSrc.address() + pendingStart * width, dst + cursor * width, pendingCount, width);
    cursor += pendingCount;
    pendingSrc = null;
    pendingCount = 0;
  }

  /** Copies {@code count} elements of {@code width} bytes; single elements skip the bulk-copy setup. */
  static void copyElements(long from, long to, long count, int width) {
    if (count == 1) {
      switch (width) {
        case 1: MemoryUtil.putByte(to, MemoryUtil.getByte(from)); return;
        case 2: MemoryUtil.putShort(to, MemoryUtil.getShort(from)); return;
        case 4: MemoryUtil.putInt(to, MemoryUtil.getInt(from)); return;
        case 8: MemoryUtil.putLong(to, MemoryUtil.getLong(from)); return;
        default: break;
      }
    }
    MemoryUtil.copyMemory(from, to, count * width);
  }

  /** Writes {@code count} copies of the element at {@code element}, doubling the filled span each step. */
  static void repeat(long element, int width, long to, long count) {
    MemoryUtil.copyMemory(element, to, width);
    long done = 1;
    while (done < count) {
      long n = Math.min(done, count - done);
      MemoryUtil.copyMemory(to, to + done * width, n * width);
      done += n;
    }
  }
}
