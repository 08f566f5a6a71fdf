package dev.quiver.executor.kernels.array;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
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
    if (sizer.bytes > Integer.MAX_VALUE) {
      throw new InvalidArgumentException("string output of shape " + shape + " would hold " + sizer.bytes
          + " bytes, over the 2 GiB utf8 limit");
    }
    ArrowBuf offsets = allocator.buffer((sizer.elements + 1) * 4);
    ArrowBuf data = null;
    try {
      data = allocator.buffer(sizer.bytes);
      source.emit(new StringRunWriter.Filler(offsets, data, fill));
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
