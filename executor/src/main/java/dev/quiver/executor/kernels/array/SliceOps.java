package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.function.Function;

/** Slice and StridedSlice: a view of the input when the result is one contiguous range, else one copy. */
public final class SliceOps {
  private SliceOps() {}

  // ---- Slice(input, begin, size)

  public static List<TensorSpec> inferSlice(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "begin");
    OpArgs.requireIndexType(ctx, 2, "size");
    OpArgs.requireSameType(ctx, 1, "begin", 2, "size");
    Shape in = ctx.inputShape(0);
    long[] begin = OpArgs.constant(ctx, 1);
    long[] size = OpArgs.constant(ctx, 2);
    Shape bs = ctx.inputShape(1);
    Shape ss = ctx.inputShape(2);
    if (bs.rank() == 1 && ss.rank() == 1 && bs.dim(0) >= 0 && ss.dim(0) >= 0) { // TF's shape function
      if (bs.dim(0) != ss.dim(0)) {
        throw ctx.error("Dimension 0 in both shapes must be equal, but are " + bs.dim(0) + " and " + ss.dim(0));
      }
      if (in.rank() >= 0 && bs.dim(0) != in.rank()) {
        throw ctx.error("Shape must be rank " + bs.dim(0) + " but is rank " + in.rank());
      }
    }
    int rank = in.rank() >= 0 ? in.rank() : begin != null ? begin.length : size != null ? size.length : -1;
    if (rank < 0) {
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknown()));
    }
    if (begin == null || size == null || in.hasUnknownRank()) {
      long[] out = new long[rank];
      for (int i = 0; i < rank; i++) {
        out[i] = size != null && size[i] >= 0 ? size[i] : -1;
      }
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(out)));
    }
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(sliceSizes(in.dims(), begin, size, ctx::error))));
  }

  /** Sizes with -1 resolved; checks begin and size against the dims (unknown dims are not checked). */
  private static long[] sliceSizes(long[] dims, long[] begin, long[] size, Function<String, RuntimeException> err) {
    if (begin.length != dims.length || size.length != dims.length) {
      throw err.apply("expected begin and size arguments to be 1-D tensors of size " + dims.length
          + ", but got shapes [" + begin.length + "] and [" + size.length + "] instead");
    }
    long[] out = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      long d = dims[i];
      if (d < 0) {
        out[i] = size[i] >= 0 ? size[i] : -1;
        continue;
      }
      long s = size[i] == -1 ? d - begin[i] : size[i];
      if (d == 0 && (begin[i] != 0 || s != 0)) {
        throw err.apply("Expected begin[" + i + "] == 0 (got " + begin[i] + ") and size[" + i + "] == 0 (got " + s
            + ") when input.dim_size(" + i + ") == 0");
      }
      if (begin[i] < 0 || begin[i] > d) {
        throw err.apply("expected begin[" + i + "] in [0, " + d + "], but got " + begin[i]);
      }
      if (s < 0 || s > d - begin[i]) { // not begin + s > d, which overflows for a size near Long.MAX_VALUE
        throw err.apply("expected size[" + i + "] in [0, " + (d - begin[i]) + "], but got " + size[i]);
      }
      out[i] = s;
    }
    return out;
  }

  public static void slice(KernelContext ctx) {
    Tensor in = ctx.input(0);
    long[] begin = OpArgs.longs(ctx, 1, "begin");
    long[] size = OpArgs.longs(ctx, 2, "size");
    long[] dims = in.shape().dims();
    long[] out = sliceSizes(dims, begin, size, m -> OpArgs.error(ctx, m));
    long[] strides = AxisGather.strides(in.shape());
    long[][] off = new long[dims.length][];
    for (int i = 0; i < dims.length; i++) {
      off[i] = AxisGather.stepping(begin[i] * strides[i], strides[i], out[i]);
    }
    new AxisGather(in, out, off).writeTo(ctx, 0, Shape.of(out), null);
  }

  // ---- StridedSlice(input, begin, end, strides; begin_mask, end_mask, ellipsis_mask, new_axis_mask,
  //      shrink_axis_mask)

  static StridedSliceSpec.Masks masks(Attrs a) {
    return new StridedSliceSpec.Masks(a.getLong("begin_mask"), a.getLong("end_mask"), a.getLong("ellipsis_mask"),
        a.getLong("new_axis_mask"), a.getLong("shrink_axis_mask"));
  }

  public static List<TensorSpec> inferStridedSlice(InferenceContext ctx) {
    for (int i = 1; i <= 3; i++) {
      OpArgs.requireIndexType(ctx, i, i == 1 ? "begin" : i == 2 ? "end" : "strides");
    }
    Shape in = ctx.inputShape(0);
    long[] begin = OpArgs.constant(ctx, 1);
    long[] end = OpArgs.constant(ctx, 2);
    long[] strides = OpArgs.constant(ctx, 3);
    if (in.hasUnknownRank() || begin == null || end == null || strides == null) {
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknown()));
    }
    StridedSliceSpec spec = StridedSliceSpec.resolve(in.dims(), begin, end, strides, masks(ctx.attrs()), ctx::error);
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(spec.finalDims)));
  }

  public static void stridedSlice(KernelContext ctx) {
    Tensor in = ctx.input(0);
    StridedSliceSpec spec = StridedSliceSpec.resolve(in.shape().dims(), OpArgs.longs(ctx, 1, "begin"),
        OpArgs.longs(ctx, 2, "end"), OpArgs.longs(ctx, 3, "strides"), masks(ctx.attrs()),
        m -> OpArgs.error(ctx, m));
    long[] strides = AxisGather.strides(in.shape());
    long[][] off = new long[strides.length][];
    for (int i = 0; i < strides.length; i++) {
      off[i] = AxisGather.stepping(spec.begin[i] * strides[i], spec.stride[i] * strides[i], spec.sizes[i]);
    }
    new AxisGather(in, spec.sizes, off).writeTo(ctx, 0, Shape.of(spec.finalDims), null);
  }
}
