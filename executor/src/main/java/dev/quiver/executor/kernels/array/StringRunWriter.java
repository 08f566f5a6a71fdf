package dev.quiver.executor.kernels.array;

import dev.quiver.store.Tensor;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The two passes that build a string (Arrow utf8) output from runs: {@link Sizer} adds up the bytes, then
 * {@link Filler} writes offsets (rebased onto the output) and copies each merged run's bytes in one go.
 * Source offsets need not start at zero (slices of a string tensor keep their data buffer).
 */
final class StringRunWriter {
  private StringRunWriter() {}

  /** Bytes of a run's strings. */
  static long runBytes(Tensor src, long start, long count) {
    ArrowBuf off = src.offsetBuffer();
    return (long) off.getInt((start + count) * 4) - off.getInt(start * 4);
  }

  /** Pass one: the output's element count and data bytes. */
  static final class Sizer implements RunWriter {
    private final long fillBytes;
    long elements;
    long bytes;

    Sizer(Tensor fill) {
      this.fillBytes = fill == null ? 0 : runBytes(fill, 0, 1);
    }

    @Override
    public void copy(Tensor src, long start, long count) {
      elements += count;
      bytes += runBytes(src, start, count);
    }

    @Override
    public void fill(long count) {
      elements += count;
      bytes += fillBytes * count;
    }
  }

  /** Pass two: writes offsets and data into buffers sized by a {@link Sizer}. */
  static final class Filler implements RunWriter {
    private final long offsets; // address of the output offsets
    private final long data; // address of the output data
    private final Tensor fill;
    private long element; // next output element
    private int position; // next output data byte

    Filler(ArrowBuf offsets, ArrowBuf data, Tensor fill) {
      this.offsets = offsets.memoryAddress();
      this.data = data.memoryAddress();
      this.fill = fill;
      MemoryUtil.putInt(this.offsets, 0);
    }

    @Override
    public void copy(Tensor src, long start, long count) {
      if (count == 0) {
        return;
      }
      long srcOff = src.offsetBuffer().memoryAddress();
      int first = MemoryUtil.getInt(srcOff + start * 4);
      int shift = position - first;
      for (long i = 1; i <= count; i++) {
        MemoryUtil.putInt(offsets + (element + i) * 4, MemoryUtil.getInt(srcOff + (start + i) * 4) + shift);
      }
      int last = MemoryUtil.getInt(srcOff + (start + count) * 4);
      MemoryUtil.copyMemory(src.dataBuffer().memoryAddress() + first, data + position, last - first);
      element += count;
      position += last - first;
    }

    @Override
    public void fill(long count) {
      int len = fill == null ? 0 : (int) runBytes(fill, 0, 1);
      long from = len == 0 ? 0 : fill.dataBuffer().memoryAddress() + fill.offsetBuffer().getInt(0);
      for (long i = 0; i < count; i++) {
        if (len > 0) {
          MemoryUtil.copyMemory(from, data + position, len);
        }
        position += len;
        element++;
        MemoryUtil.putInt(offsets + element * 4, position);
      }
    }
  }
}
