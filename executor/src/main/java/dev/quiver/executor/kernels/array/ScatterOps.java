package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * ScatterNd: updates written into a fresh tensor of zeros (empty strings, false) at index rows, combining the
 * updates that share a row. Indices are validated before the output exists; an index out of range fails naming
 * the op and the index, as TensorFlow's CPU kernel does.
 */
public final class ScatterOps {
  private ScatterOps() {}

  // ---- ScatterNd(indices, updates, shape)

  public static List<TensorSpec> inferScatterNd(InferenceContext ctx) {
    OpArgs.requireErrorPolicy(ctx);
    OpArgs.requireIndexType(ctx, 0, "indices");
    OpArgs.requireIndexType(ctx, 2, "shape");
    OpArgs.requireSameType(ctx, 0, "indices", 2, "shape");
    DType dtype = ctx.inputDType(1);
    long[] shape = OpArgs.constant(ctx, 2);
    if (shape == null) {
      Shape s = ctx.inputShape(2);
      return List.of(new TensorSpec(dtype, s.rank() == 1 && s.dim(0) >= 0 ? Shape.unknownDims((int) s.dim(0))
          : Shape.unknown()));
    }
    Shape ix = ctx.inputShape(0);
    Shape up = ctx.inputShape(1);
    if (!ix.hasUnknownRank() && !up.hasUnknownRank() && ix.isFullyDefined() && up.isFullyDefined()) {
      checkScatterShapes(ix.dims(), up.dims(), shape, ctx::error);
    }
    return List.of(new TensorSpec(dtype, Shape.of(shape)));
  }

  private static void checkScatterShapes(long[] ix, long[] up, long[] shape,
                                         java.util.function.Function<String, RuntimeException> err) {
    if (ix.length < 1) {
      throw err.apply("indices must be at least a vector");
    }
    int k = (int) ix[ix.length - 1];
    if (k > shape.length) {
      throw err.apply("index innermost dimension length must be <= output rank; saw: " + k + " vs. " + shape.length);
    }
    long[] expect = new long[ix.length - 1 + shape.length - k];
    System.arraycopy(ix, 0, expect, 0, ix.length - 1);
    System.arraycopy(shape, k, expect, ix.length - 1, shape.length - k);
    if (!java.util.Arrays.equals(expect, up)) {
      throw err.apply("updates has shape " + Shape.of(up) + " but indices " + Shape.of(ix) + " into shape "
          + Shape.of(shape) + " need updates of shape " + Shape.of(expect));
    }
  }

  /**
   * Updates at repeated indices combine as TensorFlow's CPU kernel combines them: numbers add (integers wrap),
   * bools OR, strings concatenate in index order. Every index is checked before the output is built.
   */
  public static void scatterNd(KernelContext ctx) {
    Tensor indices = ctx.input(0);
    Tensor updates = ctx.input(1);
    long[] shape = OpArgs.longs(ctx, 2, "shape");
    if (!OpArgs.isIndexType(indices.dtype())) {
      throw OpArgs.error(ctx, "indices must be int32 or int64, got " + indices.dtype());
    }
    for (long d : shape) {
      if (d < 0) {
        throw OpArgs.error(ctx, "shape dims must be non-negative, got " + Shape.of(shape));
      }
    }
    long[] ix = indices.shape().dims();
    checkScatterShapes(ix, updates.shape().dims(), shape, m -> OpArgs.error(ctx, m));
    int k = (int) ix[ix.length - 1];
    long count = OpArgs.product(ix, 0, ix.length - 1);
    long inner = OpArgs.product(shape, k, shape.length);
    checkNotEmpty(ctx, indices, count, k, inner, shape);
    checkRowLength(ctx, k, shape);
    long[] at = scatterTargets(ctx, indices, count, k, shape);
    DType dtype = updates.dtype();
    if (dtype == DType.STRING) {
      ctx.setOutput(0, scatterStrings(ctx, updates, at, inner, Shape.of(shape)));
      return;
    }
    Tensor out = ctx.allocateOutput(0, dtype, Shape.of(shape));
    int w = dtype.byteWidth();
    for (long i = 0; i < count; i++) {
      long src = updates.address() + i * inner * w;
      long dst = out.address() + at[(int) i] * w;
      if (dtype == DType.BOOL) {
        for (long e = 0; e < inner; e++) {
          if (MemoryUtil.getByte(src + e) != 0) {
            MemoryUtil.putByte(dst + e, (byte) 1);
          }
        }
      } else {
        ElementAdd.add(dtype, src, dst, inner);
      }
    }
  }

  /**
   * TF 2.21 refuses index rows when there is nothing to scatter into, before checking any index: when exactly one
   * of the index rows' length and the updated slice's size is zero ("empty output shape"), or when both are
   * non-zero but the output is empty ("empty output.  indices shape: [2,1]"). Rows of length 0 into an empty
   * output scatter nothing and pass.
   */
  private static void checkNotEmpty(KernelContext ctx, Tensor indices, long count, int k, long inner, long[] shape) {
    if (count == 0) {
      return;
    }
    if ((k == 0) != (inner == 0)) {
      throw OpArgs.error(ctx, "Indices and updates specified for empty output shape");
    }
    if (k > 0 && OpArgs.product(shape, 0, shape.length) == 0) {
      throw OpArgs.error(ctx, "Indices and updates specified for empty output.  indices shape: "
          + OpArgs.dims(indices.shape()));
    }
  }

  /** TF 2.21 needs index rows of length 1 or more to scatter into a non-empty output, even zero rows of them. */
  private static void checkRowLength(KernelContext ctx, int k, long[] shape) {
    if (k == 0 && OpArgs.product(shape, 0, shape.length) > 0) {
      throw OpArgs.error(ctx, "indices.shape[-1] must be at least 1 to scatter into shape " + Shape.of(shape)
          + " (TF: Requested rank: 0)");
    }
  }

  /** The flat output element each index row starts at; fails on the first row out of range. */
  private static long[] scatterTargets(KernelContext ctx, Tensor indices, long count, int k, long[] shape) {
    if (count > Integer.MAX_VALUE - 8) {
      throw OpArgs.error(ctx, "indices hold " + count + " rows, more than one kernel call can scatter");
    }
    long[] strides = AxisGather.strides(Shape.of(shape));
    long[] ix = indices.shape().dims();
    long[] at = new long[(int) count];
    for (int i = 0; i < count; i++) {
      long flat = 0;
      for (int j = 0; j < k; j++) {
        long v = OpArgs.index(indices, (long) i * k + j);
        if (v < 0 || v >= shape[j]) {
          throw OpArgs.error(ctx, "indices" + GatherOps.position(Shape.of(java.util.Arrays.copyOf(ix, ix.length - 1)), i)
              + " = " + GatherOps.tuple(indices, (long) i * k, k) + " does not index into shape " + OpArgs.dims(Shape.of(shape)));
        }
        flat += v * strides[j];
      }
      at[i] = flat;
    }
    return at;
  }

  /**
   * Concatenates, per output element, the update strings that land on it in index order. Pass one stores each
   * element's length at {@code offsets[e + 1]} and turns the lengths into start positions; pass two copies the
   * bytes and advances each start, which leaves {@code offsets[e + 1]} at the element's end: a counting sort.
   */
  private static Tensor scatterStrings(KernelContext ctx, Tensor updates, long[] at, long inner, Shape shape) {
    long n = shape.numElements();
    long srcOffsets = updates.offsetBuffer().memoryAddress();
    long srcData = updates.dataBuffer().memoryAddress();
    long total = StringRunWriter.runBytes(updates, 0, updates.numElements());
    return RunOutputs.fillStrings(ctx.allocator(), shape, total, m -> OpArgs.error(ctx, m), (offsets, data) -> {
      offsets.setZero(0, offsets.capacity());
      long o = offsets.memoryAddress();
      for (int i = 0; i < at.length; i++) {
        for (long e = 0; e < inner; e++) {
          long u = i * inner + e;
          int len = MemoryUtil.getInt(srcOffsets + (u + 1) * 4) - MemoryUtil.getInt(srcOffsets + u * 4);
          long slot = o + (at[i] + e + 1) * 4;
          MemoryUtil.putInt(slot, MemoryUtil.getInt(slot) + len);
        }
      }
      int start = 0;
      for (long e = 1; e <= n; e++) {
        int len = MemoryUtil.getInt(o + e * 4);
        MemoryUtil.putInt(o + e * 4, start);
        start += len;
      }
      long d = data.memoryAddress();
      for (int i = 0; i < at.length; i++) {
        for (long e = 0; e < inner; e++) {
          long u = i * inner + e;
          int from = MemoryUtil.getInt(srcOffsets + u * 4);
          int len = MemoryUtil.getInt(srcOffsets + (u + 1) * 4) - from;
          long slot = o + (at[i] + e + 1) * 4;
          int pos = MemoryUtil.getInt(slot);
          MemoryUtil.copyMemory(srcData + from, d + pos, len);
          MemoryUtil.putInt(slot, pos + len);
        }
      }
    });
  }
}
