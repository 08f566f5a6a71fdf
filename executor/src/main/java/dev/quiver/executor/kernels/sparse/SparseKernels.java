package dev.quiver.executor.kernels.sparse;

import dev.quiver.executor.kernels.array.ElementAdd;
import dev.quiver.executor.kernels.array.OpArgs;
import dev.quiver.executor.kernels.array.RunOutputs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Sparse ops over the COO triple (indices [nnz, rank], values [nnz], dense_shape [rank]): SparseToDense,
 * SparseTensorDenseMatMul and SparseReduceSum. Indices are checked against the dense shape before any write;
 * a bad one fails naming the op and its position.
 */
public final class SparseKernels {
  private SparseKernels() {}

  // ---- SparseToDense(sparse_indices, output_shape, sparse_values, default_value; validate_indices)

  public static List<TensorSpec> inferSparseToDense(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 0, "sparse_indices");
    OpArgs.requireIndexType(ctx, 1, "output_shape");
    DType d = ctx.inputDType(2);
    if (ctx.inputDType(3) != d) {
      throw ctx.error("default_value is " + ctx.inputDType(3) + " but sparse_values are " + d);
    }
    if (ctx.inputShape(3).rank() > 0) {
      throw ctx.error("default_value should be a scalar, got shape " + ctx.inputShape(3));
    }
    long[] shape = OpArgs.constant(ctx, 1);
    if (shape != null) {
      return List.of(new TensorSpec(d, Shape.of(shape)));
    }
    Shape s = ctx.inputShape(1);
    return List.of(new TensorSpec(d, s.rank() == 1 && s.dim(0) >= 0 ? Shape.unknownDims((int) s.dim(0))
        : Shape.unknown()));
  }

  public static void sparseToDense(KernelContext ctx) {
    Tensor indices = ctx.input(0);
    long[] shape = OpArgs.longs(ctx, 1, "output_shape");
    Tensor values = ctx.input(2);
    Tensor dflt = ctx.input(3);
    if (!OpArgs.isIndexType(indices.dtype()) || indices.rank() > 2) {
      throw OpArgs.error(ctx, "sparse_indices should be a scalar, vector, or matrix of int32/int64, got "
          + indices.dtype() + " " + indices.shape());
    }
    long nnz = indices.rank() > 0 ? indices.shape().dim(0) : 1;
    int rank = indices.rank() > 1 ? (int) indices.shape().dim(1) : 1;
    if (rank != shape.length) {
      throw OpArgs.error(ctx, "output_shape has " + shape.length + " dims but sparse_indices index " + rank);
    }
    if (values.numElements() != nnz && values.rank() != 0) {
      throw OpArgs.error(ctx, "sparse_values has incorrect shape " + OpArgs.dims(values.shape())
          + ", should be [] or [" + nnz + "]");
    }
    if (dflt.numElements() != 1 || dflt.dtype() != values.dtype()) {
      throw OpArgs.error(ctx, "default_value should be a " + values.dtype() + " scalar, got " + dflt.dtype() + " "
          + dflt.shape());
    }
    for (long d : shape) {
      if (d < 0) {
        throw OpArgs.error(ctx, "output_shape dims must be non-negative, got " + Arrays.toString(shape));
      }
    }
    long[] pos = flatPositions(indices, nnz, rank, shape, m -> OpArgs.error(ctx, m));
    boolean validate = ctx.attrs().getBool("validate_indices");
    boolean sorted = true;
    for (int i = 1; i < pos.length; i++) {
      if (pos[i] <= pos[i - 1]) {
        if (validate) {
          throw OpArgs.error(ctx, "indices[" + i + "] = " + tuple(indices, i, rank) + " is "
              + (pos[i] == pos[i - 1] ? "repeated" : "out of order"));
        }
        sorted = false;
      }
    }
    Shape out = Shape.of(shape);
    boolean scalarValue = values.rank() == 0;
    if (values.dtype().isFixedWidth()) {
      Tensor result = ctx.allocateOutput(0, values.dtype(), out);
      int w = values.dtype().byteWidth();
      if (result.numElements() > 0) {
        repeat(dflt.address(), w, result.address(), result.numElements());
      }
      for (int i = 0; i < pos.length; i++) {
        MemoryUtil.copyMemory(values.address() + (scalarValue ? 0 : (long) i * w), result.address() + pos[i] * w, w);
      }
      return;
    }
    // Strings: emit runs in output order, the later of two equal positions winning (as the fixed path).
    Integer[] order = new Integer[pos.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (!sorted) {
      Arrays.sort(order, (x, y) -> pos[x] != pos[y] ? Long.compare(pos[x], pos[y]) : Integer.compare(x, y));
    }
    long total = out.numElements();
    RunOutputs.write(ctx, 0, DType.STRING, out, wr -> {
      long next = 0;
      for (int k = 0; k < order.length; k++) {
        int i = order[k];
        if (k + 1 < order.length && pos[order[k + 1]] == pos[i]) {
          continue;
        }
        wr.fill(pos[i] - next);
        wr.copy(values, scalarValue ? 0 : i, 1);
        next = pos[i] + 1;
      }
      wr.fill(total - next);
    }, dflt);
  }

  private static void repeat(long element, int width, long to, long count) {
    MemoryUtil.copyMemory(element, to, width);
    long done = 1;
    while (done < count) {
      long n = Math.min(done, count - done);
      MemoryUtil.copyMemory(to, to + done * width, n * width);
      done += n;
    }
  }

  /** Row-major flat positions of each index tuple, bounds-checked against {@code shape}. */
  private static long[] flatPositions(Tensor indices, long nnz, int rank, long[] shape,
                                      Function<String, RuntimeException> err) {
    long[] pos = new long[Math.toIntExact(nnz)];
    for (int i = 0; i < pos.length; i++) {
      long p = 0;
      for (int j = 0; j < rank; j++) {
        long v = OpArgs.index(indices, (long) i * rank + j);
        if (v < 0 || v >= shape[j]) {
          throw err.apply("indices[" + i + "] = " + tuple(indices, i, rank) + " is out of bounds: need 0 <= index < "
              + OpArgs.dims(Shape.of(shape)));
        }
        p = p * shape[j] + v;
      }
      pos[i] = p;
    }
    return pos;
  }

  private static String tuple(Tensor indices, long i, int rank) {
    StringBuilder b = new StringBuilder("[");
    for (int j = 0; j < rank; j++) {
      b.append(j > 0 ? "," : "").append(OpArgs.index(indices, i * rank + j));
    }
    return b.append(']').toString();
  }

  // ---- SparseTensorDenseMatMul(a_indices, a_values, a_shape, b; adjoint_a, adjoint_b)

  public static List<TensorSpec> inferSparseDenseMatMul(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 0, "a_indices");
    DType d = ctx.inputDType(1);
    if (ctx.inputDType(3) != d || !isMatMulType(d)) {
      throw ctx.error("a_values and b must both be float32, float64, int32 or int64; got " + d + " and "
          + ctx.inputDType(3));
    }
    Shape b = ctx.inputShape(3);
    if (b.rank() >= 0 && b.rank() != 2) {
      throw ctx.error("tensor 'b' is not a matrix: " + b);
    }
    boolean adjA = ctx.attrs().getBool("adjoint_a");
    boolean adjB = ctx.attrs().getBool("adjoint_b");
    long[] aShape = OpArgs.constant(ctx, 2);
    long m = -1;
    long k = -1;
    if (aShape != null) {
      if (aShape.length != 2) {
        throw ctx.error("tensor 'a_shape' is not a vector of 2 elements: " + Arrays.toString(aShape));
      }
      m = adjA ? aShape[1] : aShape[0];
      k = adjA ? aShape[0] : aShape[1];
    }
    long n = b.rank() == 2 ? (adjB ? b.dim(0) : b.dim(1)) : -1;
    long kb = b.rank() == 2 ? (adjB ? b.dim(1) : b.dim(0)) : -1;
    if (k >= 0 && kb >= 0 && k != kb) {
      throw ctx.error("cannot multiply A and B because inner dimension does not match: " + k + " vs. " + kb
          + ".  Did you forget a transpose?  Dimensions of A: [" + (adjA ? k : m) + ", " + (adjA ? m : k)
          + ").  Dimensions of B: " + b);
    }
    return List.of(new TensorSpec(d, Shape.of(m, n)));
  }

  private static boolean isMatMulType(DType d) {
    return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.INT32 || d == DType.INT64;
  }

  public static void sparseDenseMatMul(KernelContext ctx) {
    Tensor idx = ctx.input(0);
    Tensor vals = ctx.input(1);
    long[] aShape = OpArgs.longs(ctx, 2, "a_shape");
    Tensor b = ctx.input(3);
    if (aShape.length != 2 || b.rank() != 2 || idx.rank() != 2 || idx.shape().dim(1) != 2
        || vals.rank() != 1 || vals.shape().dim(0) != idx.shape().dim(0)) {
      throw OpArgs.error(ctx, "expected a_indices [nnz, 2], a_values [nnz], a_shape [2] and a matrix b; got "
          + idx.shape() + ", " + vals.shape() + ", " + Arrays.toString(aShape) + ", " + b.shape());
    }
    if (!isMatMulType(vals.dtype()) || b.dtype() != vals.dtype()) {
      throw OpArgs.error(ctx, "a_values and b must both be float32, float64, int32 or int64; got " + vals.dtype()
          + " and " + b.dtype());
    }
    boolean adjA = ctx.attrs().getBool("adjoint_a");
    boolean adjB = ctx.attrs().getBool("adjoint_b");
    long m = adjA ? aShape[1] : aShape[0];
    long k = adjA ? aShape[0] : aShape[1];
    long bRows = b.shape().dim(0);
    long bCols = b.shape().dim(1);
    long n = adjB ? bRows : bCols;
    long kb = adjB ? bCols : bRows;
    if (k != kb) {
      throw OpArgs.error(ctx, "cannot multiply A and B because inner dimension does not match: " + k + " vs. " + kb
          + ".  Did you forget a transpose?");
    }
    long nnz = idx.shape().dim(0);
    Tensor out = ctx.allocateOutput(0, vals.dtype(), Shape.of(m, n));
    DType d = vals.dtype();
    int w = d.byteWidth();
    long o = out.address();
    long bAddr = b.address();
    for (long e = 0; e < nnz; e++) {
      long r0 = OpArgs.index(idx, e * 2);
      long c0 = OpArgs.index(idx, e * 2 + 1);
      long row = adjA ? c0 : r0;
      long col = adjA ? r0 : c0;
      if (row < 0 || row >= m || col < 0 || col >= k) {
        throw OpArgs.error(ctx, "a_indices[" + e + "] = [" + r0 + "," + c0 + "] is out of bounds of a_shape "
            + Arrays.toString(aShape).replace(" ", ""));
      }
      // out[row, :] += v * B[col, :] (or B[:, col] when adjoint_b)
      long bStart = adjB ? col : col * bCols;
      long bStep = adjB ? bCols : 1;
      long dst = o + row * n * w;
      switch (d) {
        case FLOAT32: {
          float v = vals.getFloat(e);
          for (long j = 0; j < n; j++) {
            long at = dst + j * 4;
            float x = Float.intBitsToFloat(MemoryUtil.getInt(at))
                + v * Float.intBitsToFloat(MemoryUtil.getInt(bAddr + (bStart + j * bStep) * 4));
            MemoryUtil.putInt(at, Float.floatToRawIntBits(x));
          }
          break;
        }
        case FLOAT64: {
          double v = vals.getDouble(e);
          for (long j = 0; j < n; j++) {
            long at = dst + j * 8;
            double x = Double.longBitsToDouble(MemoryUtil.getLong(at))
                + v * Double.longBitsToDouble(MemoryUtil.getLong(bAddr + (bStart + j * bStep) * 8));
            MemoryUtil.putLong(at, Double.doubleToRawLongBits(x));
          }
          break;
        }
        case INT32: {
          int v = vals.getInt(e);
          for (long j = 0; j < n; j++) {
            long at = dst + j * 4;
            MemoryUtil.putInt(at, MemoryUtil.getInt(at) + v * MemoryUtil.getInt(bAddr + (bStart + j * bStep) * 4));
          }
          break;
        }
        default: {
          long v = vals.getLong(e);
          for (long j = 0; j < n; j++) {
            long at = dst + j * 8;
            MemoryUtil.putLong(at, MemoryUtil.getLong(at) + v * MemoryUtil.getLong(bAddr + (bStart + j * bStep) * 8));
          }
        }
      }
    }
  }

  // ---- SparseReduceSum(input_indices, input_values, input_shape, reduction_axes; keep_dims)

  public static List<TensorSpec> inferSparseReduceSum(InferenceContext ctx) {
    DType d = ctx.inputDType(1);
    if (!d.isNumeric()) {
      throw ctx.error("input_values must be numeric, got " + d);
    }
    long[] shape = OpArgs.constant(ctx, 2);
    long[] axes = OpArgs.constant(ctx, 3);
    if (shape == null || axes == null) {
      return List.of(new TensorSpec(d, Shape.unknown()));
    }
    return List.of(new TensorSpec(d, Shape.of(reducedDims(shape, axes, ctx.attrs().getBool("keep_dims"),
        ctx::error))));
  }

  private static boolean[] reducedAxes(long[] shape, long[] axes, Function<String, RuntimeException> err) {
    boolean[] r = new boolean[shape.length];
    for (long a : axes) {
      // TensorFlow's words (SparseReduceSum's kernel, TF 2.21)
      r[OpArgs.axis(a, shape.length, () -> "Invalid reduction dimension " + a + ", for input with " + shape.length
          + " dimensions.", err)] = true;
    }
    return r;
  }

  private static long[] reducedDims(long[] shape, long[] axes, boolean keep, Function<String, RuntimeException> err) {
    boolean[] r = reducedAxes(shape, axes, err);
    return java.util.stream.IntStream.range(0, shape.length).filter(i -> keep || !r[i])
        .mapToLong(i -> r[i] ? 1 : shape[i]).toArray();
  }

  public static void sparseReduceSum(KernelContext ctx) {
    Tensor idx = ctx.input(0);
    Tensor vals = ctx.input(1);
    long[] shape = OpArgs.longs(ctx, 2, "input_shape");
    long[] axes = OpArgs.longs(ctx, 3, "reduction_axes");
    Function<String, RuntimeException> err = m -> OpArgs.error(ctx, m);
    if (!vals.dtype().isNumeric()) {
      throw err.apply("input_values must be numeric, got " + vals.dtype());
    }
    if (idx.rank() != 2 || idx.shape().dim(1) != shape.length || vals.rank() != 1
        || vals.shape().dim(0) != idx.shape().dim(0)) {
      throw err.apply("expected input_indices [nnz, " + shape.length + "] and input_values [nnz], got "
          + idx.shape() + " and " + vals.shape());
    }
    boolean[] reduced = reducedAxes(shape, axes, err);
    long[] outDims = reducedDims(shape, axes, ctx.attrs().getBool("keep_dims"), err);
    Tensor out = ctx.allocateOutput(0, vals.dtype(), Shape.of(outDims));
    int rank = shape.length;
    int w = vals.dtype().byteWidth();
    long nnz = idx.shape().dim(0);
    for (long e = 0; e < nnz; e++) {
      long p = 0;
      for (int j = 0; j < rank; j++) {
        long v = OpArgs.index(idx, e * rank + j);
        if (v < 0 || v >= shape[j]) {
          throw err.apply("indices[" + e + "] = " + tuple(idx, e, rank) + " is out of bounds: need 0 <= index < "
              + OpArgs.dims(Shape.of(shape)));
        }
        if (!reduced[j]) {
          p = p * shape[j] + v;
        }
      }
      ElementAdd.add(vals.dtype(), vals.address() + e * w, out.address() + p * w, 1);
    }
  }
}
