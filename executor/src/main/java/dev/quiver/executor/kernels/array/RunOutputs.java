package dev.quiver.executor.kernels.array;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.function.Function;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** Materializes the runs of a {@link RunSource} as a new tensor, for every dtype strings included. */
public final class RunOutputs {
  private RunOutputs() {}

  /**
   * Sets output {@code index} of {@code ctx} to the tensor the runs describe.
   *
   * @param fill a scalar of {@code dtype} for fill runs, or null for zero / the empty string
   */
  public static void write(KernelContext ctx, int index, DType dtype, Shape shape, RunSource source, Tensor fill) {
    if (dtype.isFixedWidth()) {
      Tensor out = ctx.allocateOutput(index, dtype, shape);
      FixedRunWriter w = new FixedRunWriter(out, 0, fill);
      source.emit(w);
      w.flush();
    } else {
      ctx.setOutput(index, strings(ctx.allocator(), shape, source, fill));
    }
  }

  /** Below this many output bytes per thread, splitting a copy over the intra-op pool costs more than it saves. */
  static final long MIN_PARALLEL_BYTES = 1 << 16;

  /** An output made of equal rows, each the concatenation of runs of source tensors. */
  @FunctionalInterface
  public interface RowSource {
    /**
     * Emits elements {@code [from, from + len)} of output row {@code row}; must emit exactly {@code len} elements
     * and be callable from several threads at once (for different ranges).
     */
    void emit(long row, long from, long len, RunWriter writer);
  }

  /**
   * Sets output {@code index} of {@code ctx} to {@code rows} rows of {@code rowElements} elements from
   * {@code source}. A fixed-width output is split into contiguous element ranges over the intra-op pool (a row
   * may straddle two ranges), each range written with merged bulk copies; strings are written on the caller's
   * thread. The result does not depend on the number of threads.
   */
  public static void writeRows(KernelContext ctx, int index, DType dtype, Shape shape, long rows, long rowElements,
                               RowSource source) {
    long total = rows * rowElements;
    if (!dtype.isFixedWidth()) {
      write(ctx, index, dtype, shape, w -> emitElements(0, total, rowElements, source, w), null);
      return;
    }
    Tensor out = ctx.allocateOutput(index, dtype, shape);
    long minChunk = Math.max(1, MIN_PARALLEL_BYTES / dtype.byteWidth());
    ctx.intraOp().parallelFor(total, minChunk, (start, end) -> {
      FixedRunWriter w = new FixedRunWriter(out, start, null);
      emitElements(start, end, rowElements, source, w);
      w.flush();
    });
  }

  private static void emitElements(long start, long end, long rowElements, RowSource source, RunWriter w) {
    if (start >= end) {
      return;
    }
    long row = start / rowElements;
    long from = start % rowElements;
    for (long pos = start; pos < end; row++, from = 0) {
      long len = Math.min(rowElements - from, end - pos);
      source.emit(row, from, len, w);
      pos += len;
    }
  }

  /** A new tensor (owned by the caller) holding the runs. */
  public static Tensor build(BufferAllocator allocator, DType dtype, Shape shape, RunSource source, Tensor fill) {
    if (!dtype.isFixedWidth()) {
      return strings(allocator, shape, source, fill);
    }
    Tensor out = Tensor.allocate(allocator, dtype, shape);
    try {
      FixedRunWriter w = new FixedRunWriter(out, 0, fill);
      source.emit(w);
      w.flush();
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private static Tensor strings(BufferAllocator allocator, Shape shape, RunSource source, Tensor fill) {
    StringRunWriter.Sizer sizer = new StringRunWriter.Sizer(fill);
    source.emit(sizer);
    if (sizer.elements != shape.numElements()) {
      throw new IllegalStateException("runs cover " + sizer.elements + " elements of shape " + shape);
    }
    return fillStrings(allocator, shape, sizer.bytes, InvalidArgumentException::new,
        (offsets, data) -> source.emit(new StringRunWriter.Filler(offsets, data, fill)));
  }

  /** Writes the contents of a new string tensor into its buffers. */
  @FunctionalInterface
  public interface StringFill {
    /** Writes the tensor's element count + 1 offsets, from 0, and the bytes they span (at most {@code data}'s). */
    void fill(ArrowBuf offsets, ArrowBuf data);
  }

  /**
   * A new string tensor (owned by the caller) of {@code shape} and {@code bytes} bytes of data, which {@code fill}
   * writes; {@code error} words the failure if the bytes pass utf8's 2 GiB. Both buffers are closed if filling or
   * wrapping them fails.
   */
  public static Tensor fillStrings(BufferAllocator allocator, Shape shape, long bytes,
                                   Function<String, RuntimeException> error, StringFill fill) {
    if (bytes > Integer.MAX_VALUE) {
      throw error.apply("string output of shape " + shape + " would hold " + bytes + " bytes, over the 2 GiB utf8"
          + " limit");
    }
    ArrowBuf offsets = allocator.buffer((shape.numElements() + 1) * 4);
    ArrowBuf data = null;
    try {
      data = allocator.buffer(bytes);
      fill.fill(offsets, data);
      return Tensor.wrapStrings(shape, offsets, data);
    } catch (RuntimeException e) {
      offsets.close();
      if (data != null) {
        data.close();
      }
      throw e;
    }
  }

  /**
   * A view of {@code count} elements of {@code src} from flat element {@code start}, reshaped: no copy.
   * The caller owns the returned reference.
   */
  public static Tensor view(Tensor src, long start, long count, Shape shape) {
    try (Tensor flat = src.reshape(Shape.of(src.numElements()));
         Tensor part = flat.slice(start, start + count)) {
      return part.reshape(shape);
    }
  }
}
