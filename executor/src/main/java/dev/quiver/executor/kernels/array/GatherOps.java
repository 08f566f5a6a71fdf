package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Index-driven copies: GatherV2 (axis, batch_dims) and GatherNd (ScatterNd is in {@link ScatterOps}). Indices
 * are validated before anything is written; an index out of range fails naming the op and the index, as TensorFlow's CPU kernels
 * do.
 */
public final class GatherOps {
  private GatherOps() {}

  // ---- GatherV2(params, indices, axis; batch_dims)

  public static List<TensorSpec> inferGather(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "indices");
    OpArgs.requireIndexType(ctx, 2, "axis");
    Shape params = ctx.inputShape(0);
    Shape indices = ctx.inputShape(1);
    long[] axisValue = OpArgs.constant(ctx, 2);
    DType dtype = ctx.inputDType(0);
    if (params.hasUnknownRank() || indices.hasUnknownRank() || axisValue == null) {
      return List.of(new TensorSpec(dtype, Shape.unknown()));
    }
    long batchDims = ctx.attrs().getLong("batch_dims");
    if (batchDims < -indices.rank() || batchDims > indices.rank()) { // checked as a long: 2^32 must not wrap to 0
      throw ctx.error("Expected batch_dims in the range [" + -indices.rank() + ", " + indices.rank() + "], but got "
          + batchDims);
    }
    int bd = (int) (batchDims < 0 ? batchDims + indices.rank() : batchDims);
    if (params.rank() < 1) {
      throw ctx.error("params must be at least 1 dimensional");
    }
    int axis = gatherAxis(axisValue[0], params.rank(), ctx::error);
    if (bd > axis) {
      throw ctx.error("batch_dims (" + bd + ") must be less than or equal to axis (" + axis + ").");
    }
    for (int i = 0; i < bd; i++) {
      long p = params.dim(i);
      long q = indices.dim(i);
      if (p >= 0 && q >= 0 && p != q) {
        throw ctx.error("params.shape[" + i + "]: " + p + " should be equal to indices.shape[" + i + "]: " + q);
      }
    }
    return List.of(new TensorSpec(dtype, Shape.of(gatherDims(params.dims(), indices.dims(), axis, bd))));
  }

  /** GatherV2's axis counted from 0, or TF's error. */
  private static int gatherAxis(long axis, int rank, Function<String, RuntimeException> err) {
    return OpArgs.axis(axis, rank, () -> "Expected axis in the range [" + -rank + ", " + rank + "), but got " + axis,
        err);
  }

  private static long[] gatherDims(long[] p, long[] ix, int axis, int bd) {
    long[] out = new long[axis + (ix.length - bd) + (p.length - axis - 1)];
    int o = 0;
    for (int i = 0; i < axis; i++) {
      out[o++] = p[i];
    }
    for (int i = bd; i < ix.length; i++) {
      out[o++] = ix[i];
    }
    for (int i = axis + 1; i < p.length; i++) {
      out[o++] = p[i];
    }
    return out;
  }

  public static void gather(KernelContext ctx) {
    Tensor params = ctx.input(0);
    Tensor indices = ctx.input(1);
    if (!OpArgs.isIndexType(indices.dtype())) {
      throw OpArgs.error(ctx, "indices must be int32 or int64, got " + indices.dtype());
    }
    long[] p = params.shape().dims();
    long[] ix = indices.shape().dims();
    if (p.length < 1) {
      throw OpArgs.error(ctx, "params must be at least 1 dimensional");
    }
    long axisValue = OpArgs.scalar(ctx, 2, "axis");
    int axis = gatherAxis(axisValue, p.length, m -> OpArgs.error(ctx, m));
    long batchDims = ctx.attrs().getLong("batch_dims");
    if (batchDims < -ix.length || batchDims > ix.length) {
      throw OpArgs.error(ctx, "Expected batch_dims in the range [" + -ix.length + ", " + ix.length + "], but got "
          + batchDims);
    }
    int bd = (int) (batchDims < 0 ? batchDims + ix.length : batchDims);
    if (bd != 0 && bd >= p.length) {
      throw OpArgs.error(ctx, "batch_dims (" + bd + ") must be less than rank(params) (" + p.length + ").");
    }
    if (bd > axis) {
      throw OpArgs.error(ctx, "batch_dims (" + bd + ") must be less than or equal to axis (" + axis + ").");
    }
    for (int i = 0; i < bd; i++) {
      if (p[i] != ix[i]) {
        throw OpArgs.error(ctx, "params.shape[" + i + "]: " + p[i] + " should be equal to indices.shape[" + i + "]: "
            + ix[i]);
      }
    }
    long batches = OpArgs.product(p, 0, bd);
    long outerPer = OpArgs.product(p, bd, axis); // params dims between the batch dims and the axis
    long n = p[axis];
    long inner = OpArgs.product(p, axis + 1, p.length);
    long perBatch = OpArgs.product(ix, bd, ix.length);
    Shape outShape = Shape.of(gatherDims(p, ix, axis, bd));
    if (outShape.numElements() > 0) { // TF 2.21 returns an empty result without looking at the indices
      checkRange(ctx, indices, n);
    }
    // Output row r = ((b * outerPer + o) * perBatch + i) is params row (b * outerPer + o) * n + indices[b, i].
    RunOutputs.writeRows(ctx, 0, params.dtype(), outShape, batches * outerPer * perBatch, inner,
        (row, from, len, w) -> {
          long bo = row / perBatch;
          long idx = OpArgs.index(indices, bo / outerPer * perBatch + row % perBatch);
          w.copy(params, (bo * n + idx) * inner + from, len);
        });
  }

  /** Fails naming the first index outside {@code [0, limit)}, with its position in {@code indices}. */
  private static void checkRange(KernelContext ctx, Tensor indices, long limit) {
    long count = indices.numElements();
    for (long i = 0; i < count; i++) {
      long v = OpArgs.index(indices, i);
      if (v < 0 || v >= limit) {
        throw OpArgs.error(ctx, "indices" + position(indices.shape(), i) + " = " + v + " is not in [0, " + limit
            + ")");
      }
    }
  }

  /** The multi-index of flat element {@code i} in TensorFlow's notation: {@code [1,2]}. */
  static String position(Shape shape, long i) {
    int r = shape.rank();
    long[] idx = new long[r];
    for (int k = r - 1; k >= 0; k--) {
      long d = shape.dim(k);
      idx[k] = d == 0 ? 0 : i % d;
      i = d == 0 ? i : i / d;
    }
    StringBuilder b = new StringBuilder("[");
    for (int k = 0; k < r; k++) {
      b.append(k > 0 ? "," : "").append(idx[k]);
    }
    return b.append(']').toString();
  }

  // ---- GatherNd(params, indices)
  //
  // TensorFlow's GatherNd op has no batch_dims: tf.gather_nd(..., batch_dims=b) is a composite around it, and
  // ArrayOps.gatherNd builds one too, so Quiver's graphs hold only ops TF knows.

  public static List<TensorSpec> inferGatherNd(InferenceContext ctx) {
    OpArgs.requireErrorPolicy(ctx);
    OpArgs.requireIndexType(ctx, 1, "indices");
    Shape params = ctx.inputShape(0);
    Shape indices = ctx.inputShape(1);
    DType dtype = ctx.inputDType(0);
    if (!indices.hasUnknownRank() && indices.rank() == 0) {
      throw ctx.error("indices must be at least a vector");
    }
    if (params.hasUnknownRank() || indices.hasUnknownRank() || indices.dim(-1) < 0) {
      return List.of(new TensorSpec(dtype, Shape.unknown()));
    }
    long k = indices.dim(-1);
    if (k > params.rank()) {
      throw ctx.error("indices.shape[-1] must be <= params.rank, but saw indices shape: " + OpArgs.dims(indices)
          + " and params shape: " + OpArgs.dims(params)); // TF's shape function
    }
    return List.of(new TensorSpec(dtype, Shape.of(ndDims(indices.dims(), params.dims(), (int) k))));
  }

  /** indices.shape[:-1] + params.shape[k:]. */
  private static long[] ndDims(long[] ix, long[] p, int k) {
    long[] out = new long[ix.length - 1 + p.length - k];
    System.arraycopy(ix, 0, out, 0, ix.length - 1);
    System.arraycopy(p, k, out, ix.length - 1, p.length - k);
    return out;
  }

  /**
   * Copies the slice of {@code params} each index row names. As TF 2.21's kernel, any row at all into empty
   * params fails before the indices are looked at ("Requested more than 0 entries, but params is empty").
   */
  public static void gatherNd(KernelContext ctx) {
    Tensor params = ctx.input(0);
    Tensor indices = ctx.input(1);
    if (!OpArgs.isIndexType(indices.dtype()) || indices.rank() < 1) {
      throw OpArgs.error(ctx, "indices must be an int32 or int64 tensor of rank >= 1, got " + indices.dtype() + " "
          + indices.shape());
    }
    long[] p = params.shape().dims();
    long[] ix = indices.shape().dims();
    int k = (int) ix[ix.length - 1];
    if (k > p.length) {
      throw OpArgs.error(ctx, "index innermost dimension length must be <= params rank; saw: " + k + " vs. "
          + p.length);
    }
    long count = OpArgs.product(ix, 0, ix.length - 1);
    if (count > 0 && params.numElements() == 0) {
      throw OpArgs.error(ctx, "Requested more than 0 entries, but params is empty.  Params shape: "
          + OpArgs.dims(params.shape()));
    }
    long inner = OpArgs.product(p, k, p.length);
    long[] strides = AxisGather.strides(params.shape());
    long[] starts = new long[Math.toIntExact(count)];
    Shape rows = Shape.of(java.util.Arrays.copyOf(ix, ix.length - 1));
    for (long i = 0; i < count; i++) {
      long at = 0;
      for (int j = 0; j < k; j++) {
        long v = OpArgs.index(indices, i * k + j);
        if (v < 0 || v >= p[j]) {
          throw OpArgs.error(ctx, "indices" + position(rows, i) + " = " + tuple(indices, i * k, k)
              + " does not index into param shape " + OpArgs.dims(params.shape()));
        }
        at += v * strides[j];
      }
      starts[(int) i] = at;
    }
    RunOutputs.writeRows(ctx, 0, params.dtype(), Shape.of(ndDims(ix, p, k)), count, inner,
        (row, from, len, w) -> w.copy(params, starts[(int) row] + from, len));
  }

  static String tuple(Tensor t, long from, int k) {
    StringBuilder b = new StringBuilder("[");
    for (int j = 0; j < k; j++) {
      b.append(j > 0 ? ", " : "").append(OpArgs.index(t, from + j));
    }
    return b.append(']').toString();
  }
}
