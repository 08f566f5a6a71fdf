package dev.quiver.executor.kernels.array;

import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Joining and cutting along an axis: ConcatV2, Pack, Unpack, Split, SplitV. Joins copy each input's
 * contiguous chunk per outer index in one run; cuts along the first non-trivial axis return views.
 */
public final class ConcatOps {
  private ConcatOps() {}

  // ---- ConcatV2(values..., axis)

  public static List<TensorSpec> inferConcat(InferenceContext ctx) {
    int n = ctx.numInputs() - 1;
    OpArgs.requireIndexType(ctx, n, "axis");
    DType dtype = ctx.inputDType(0);
    int rank = -1;
    for (int i = 0; i < n; i++) {
      if (ctx.inputDType(i) != dtype) {
        throw ctx.error("values must all be " + dtype + ", but values[" + i + "] is " + ctx.inputDType(i));
      }
      Shape s = ctx.inputShape(i);
      if (s.hasUnknownRank()) {
        continue;
      }
      if (s.rank() == 0) {
        throw ctx.error("Can't concatenate scalars (use tf.stack instead)");
      }
      if (rank >= 0 && s.rank() != rank) {
        throw ctx.error("Shape must be rank " + rank + " but is rank " + s.rank()); // TF's shape function
      }
      rank = s.rank();
    }
    long[] axisValue = OpArgs.constant(ctx, n);
    if (rank < 0) {
      return List.of(new TensorSpec(dtype, Shape.unknown()));
    }
    if (axisValue == null) {
      return List.of(new TensorSpec(dtype, Shape.unknownDims(rank)));
    }
    int axis = concatAxis(axisValue[0], rank, ctx::error);
    long[] out = new long[rank];
    out[axis] = 0;
    boolean first = true;
    for (int i = 0; i < n; i++) {
      Shape s = ctx.inputShape(i);
      if (s.hasUnknownRank()) {
        out[axis] = -1;
        continue;
      }
      long[] merged = out.clone();
      for (int k = 0; k < rank; k++) {
        long d = s.dim(k);
        if (k == axis) {
          out[k] = out[k] < 0 || d < 0 ? -1 : out[k] + d;
        } else if (first) {
          out[k] = d;
        } else if (out[k] >= 0 && d >= 0 && out[k] != d) {
          throw concatMismatch(ctx, merged, s.dims(), axis, k);
        } else if (out[k] < 0) {
          out[k] = d;
        }
      }
      first = false;
    }
    return List.of(new TensorSpec(dtype, Shape.of(out)));
  }

  /** The concat axis counted from 0, or TF's kernel's error. */
  private static int concatAxis(long axis, int rank, Function<String, RuntimeException> err) {
    return OpArgs.axis(axis, rank, () -> "ConcatOp : Expected concatenating dimensions in the range [" + -rank + ", "
        + rank + "), but got " + axis, err);
  }

  public static void concat(KernelContext ctx) {
    int n = ctx.numInputs() - 1;
    Tensor first = ctx.input(0);
    int rank = first.rank();
    if (rank == 0) {
      throw OpArgs.error(ctx, "Can't concatenate scalars (use tf.stack instead)");
    }
    int axis = concatAxis(OpArgs.scalar(ctx, n, "axis"), rank, m -> OpArgs.error(ctx, m));
    long[] out = first.shape().dims();
    out[axis] = 0;
    Tensor[] parts = new Tensor[n];
    for (int i = 0; i < n; i++) {
      Tensor t = ctx.input(i);
      if (t.dtype() != first.dtype() || t.rank() != rank) {
        throw OpArgs.error(ctx, "values[" + i + "] is " + t.dtype() + " " + t.shape() + " but values[0] is "
            + first.dtype() + " " + first.shape());
      }
      for (int k = 0; k < rank; k++) {
        if (k != axis && t.shape().dim(k) != first.shape().dim(k)) {
          throw OpArgs.error(ctx, "ConcatOp : Dimension " + k + " in both shapes must be equal: shape[0] = "
              + OpArgs.dims(first.shape()) + " vs. shape[" + i + "] = " + OpArgs.dims(t.shape()));
        }
      }
      out[axis] += t.shape().dim(axis);
      parts[i] = t;
    }
    if (n == 1) {
      ctx.setOutput(0, first.share());
      return;
    }
    long outer = OpArgs.product(out, 0, axis);
    long inner = OpArgs.product(out, axis + 1, rank);
    // Output row o is part i's row o (its `chunks[i]` elements) for each part in turn; `ends` are running sums.
    long[] chunks = new long[n];
    long[] ends = new long[n];
    long rowElements = 0;
    for (int i = 0; i < n; i++) {
      chunks[i] = parts[i].shape().dim(axis) * inner;
      rowElements += chunks[i];
      ends[i] = rowElements;
    }
    RunOutputs.writeRows(ctx, 0, first.dtype(), Shape.of(out), outer, rowElements, (o, from, len, w) -> {
      int i = 0;
      while (ends[i] <= from) {
        i++;
      }
      for (long at = from, stop = from + len; at < stop; i++) {
        long begin = ends[i] - chunks[i];
        long take = Math.min(ends[i], stop) - at;
        if (take > 0) {
          w.copy(parts[i], o * chunks[i] + (at - begin), take);
          at += take;
        }
      }
    });
  }

  // ---- Pack(values...; axis)

  public static List<TensorSpec> inferPack(InferenceContext ctx) {
    int n = ctx.numInputs();
    DType dtype = ctx.inputDType(0);
    Shape merged = Shape.unknown();
    for (int i = 0; i < n; i++) {
      if (ctx.inputDType(i) != dtype) {
        throw ctx.error("values must all be " + dtype + ", but values[" + i + "] is " + ctx.inputDType(i));
      }
      merged = mergePacked(ctx, merged, ctx.inputShape(i));
    }
    if (merged.hasUnknownRank()) {
      return List.of(new TensorSpec(dtype, Shape.unknown()));
    }
    int rank = merged.rank() + 1;
    int axis = packAxis(ctx.attrs().getLong("axis"), rank, ctx::error);
    return List.of(new TensorSpec(dtype, insert(merged.dims(), axis, n)));
  }

  /**
   * TF's shape function's error for an input whose dim {@code k} differs from the inputs' before it: TF merges
   * the dims before the axis and those after it as two shapes, and names the dim and the shapes within its part.
   */
  private static RuntimeException concatMismatch(InferenceContext ctx, long[] merged, long[] input, int axis, int k) {
    int from = k < axis ? 0 : axis + 1;
    int to = k < axis ? axis : merged.length;
    return ctx.error("Dimension " + (k - from) + " in both shapes must be equal, but are " + merged[k] + " and "
        + input[k] + ". Shapes are " + Broadcast.tfShape(Shape.of(Arrays.copyOfRange(merged, from, to))) + " and "
        + Broadcast.tfShape(Shape.of(Arrays.copyOfRange(input, from, to))) + ".");
  }

  /** The merge of two inputs' static shapes, or TF's shape function's error. */
  private static Shape mergePacked(InferenceContext ctx, Shape a, Shape b) {
    if (a.hasUnknownRank() || b.hasUnknownRank()) {
      return a.hasUnknownRank() ? b : a;
    }
    if (a.rank() != b.rank()) {
      throw ctx.error("Shapes must be equal rank, but are " + a.rank() + " and " + b.rank());
    }
    for (int k = 0; k < a.rank(); k++) {
      if (a.dim(k) >= 0 && b.dim(k) >= 0 && a.dim(k) != b.dim(k)) {
        throw ctx.error("Dimension " + k + " in both shapes must be equal, but are " + a.dim(k) + " and " + b.dim(k)
            + ". Shapes are " + Broadcast.tfShape(a) + " and " + Broadcast.tfShape(b) + ".");
      }
    }
    return a.mergeWith(b);
  }

  /** Pack's (and Unpack's) axis counted from 0, or TF's error. */
  private static int packAxis(long axis, int rank, Function<String, RuntimeException> err) {
    return OpArgs.axis(axis, rank, () -> "Invalid axis: " + axis + "; must be in [" + -rank + "," + rank + ")", err);
  }

  private static Shape insert(long[] dims, int axis, long value) {
    long[] out = new long[dims.length + 1];
    System.arraycopy(dims, 0, out, 0, axis);
    out[axis] = value;
    System.arraycopy(dims, axis, out, axis + 1, dims.length - axis);
    return Shape.of(out);
  }

  public static void pack(KernelContext ctx) {
    int n = ctx.numInputs();
    Tensor first = ctx.input(0);
    for (int i = 1; i < n; i++) {
      Tensor t = ctx.input(i);
      if (t.dtype() != first.dtype() || !t.shape().equals(first.shape())) {
        throw OpArgs.error(ctx, "shapes of all inputs must match: values[0].shape = " + OpArgs.dims(first.shape())
            + " != values[" + i + "].shape = " + OpArgs.dims(t.shape()));
      }
    }
    int axis = packAxis(ctx.attrs().getLong("axis"), first.rank() + 1, m -> OpArgs.error(ctx, m));
    long[] d = first.shape().dims();
    long outer = OpArgs.product(d, 0, axis);
    long inner = OpArgs.product(d, axis, d.length);
    RunOutputs.write(ctx, 0, first.dtype(), insert(d, axis, n), w -> {
      for (long o = 0; o < outer; o++) {
        for (int i = 0; i < n; i++) {
          w.copy(ctx.input(i), o * inner, inner);
        }
      }
    }, null);
  }

  // ---- Unpack(value; num, axis)

  public static List<TensorSpec> inferUnpack(InferenceContext ctx) {
    Shape in = ctx.inputShape(0);
    long num = ctx.attrs().getLong("num");
    if (num < 0) {
      throw ctx.error("num must be at least 0, got " + num);
    }
    if (in.hasUnknownRank()) {
      return repeat(new TensorSpec(ctx.inputDType(0), Shape.unknown()), (int) num);
    }
    int axis = packAxis(ctx.attrs().getLong("axis"), in.rank(), ctx::error);
    long d = in.dim(axis);
    if (d >= 0 && num != d) {
      throw ctx.error("Dimension must be " + num + " but is " + d);
    }
    long[] dims = in.dims();
    long[] out = new long[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (i != axis) {
        out[j++] = dims[i];
      }
    }
    return repeat(new TensorSpec(ctx.inputDType(0), Shape.of(out)), (int) num);
  }

  private static List<TensorSpec> repeat(TensorSpec spec, int n) {
    List<TensorSpec> r = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      r.add(spec);
    }
    return r;
  }

  public static void unpack(KernelContext ctx) {
    Tensor in = ctx.input(0);
    int axis = packAxis(ctx.attrs().getLong("axis"), in.rank(), m -> OpArgs.error(ctx, m));
    long[] d = in.shape().dims();
    long num = d[axis];
    if (ctx.numOutputs() != num) {
      throw OpArgs.error(ctx, "input has " + num + " entries along axis " + axis + " but the op has "
          + ctx.numOutputs() + " outputs");
    }
    long[] out = new long[d.length - 1];
    for (int i = 0, j = 0; i < d.length; i++) {
      if (i != axis) {
        out[j++] = d[i];
      }
    }
    long[] sizes = new long[(int) num];
    java.util.Arrays.fill(sizes, 1);
    cut(ctx, in, axis, sizes, Shape.of(out));
  }

  /** Writes output i as the i-th piece of {@code in} along {@code axis}; {@code shape} overrides piece shapes. */
  private static void cut(KernelContext ctx, Tensor in, int axis, long[] sizes, Shape shape) {
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    long start = 0;
    for (int i = 0; i < sizes.length; i++) {
      long[] dims = d.clone();
      dims[axis] = sizes[i];
      long[][] off = new long[d.length][];
      for (int k = 0; k < d.length; k++) {
        off[k] = k == axis ? AxisGather.stepping(start * strides[k], strides[k], sizes[i])
            : AxisGather.stepping(0, strides[k], d[k]);
      }
      new AxisGather(in, dims, off).writeTo(ctx, i, shape != null ? shape : Shape.of(dims), null);
      start += sizes[i];
    }
  }

  // ---- Split(axis, value; num_split)

  public static List<TensorSpec> inferSplit(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 0, "axis");
    int num = (int) ctx.attrs().getLong("num_split");
    if (num < 1) {
      throw ctx.error("num_split must be at least 1, got " + num);
    }
    Shape in = ctx.inputShape(1);
    long[] axis = OpArgs.constant(ctx, 0);
    if (in.hasUnknownRank() || axis == null) {
      return repeat(new TensorSpec(ctx.inputDType(1), in.hasUnknownRank() ? in : Shape.unknownDims(in.rank())), num);
    }
    int a = splitDim(axis[0], in.rank(), ctx::error);
    long[] dims = in.dims();
    if (dims[a] >= 0) {
      if (dims[a] % num != 0) {
        throw ctx.error("Number of ways to split should evenly divide the split dimension, but got split_dim " + a
            + " (size = " + dims[a] + ") and num_split " + num);
      }
      dims[a] /= num;
    }
    return repeat(new TensorSpec(ctx.inputDType(1), Shape.of(dims)), num);
  }

  /** Split's and SplitV's split dim counted from 0, or TF's error. */
  private static int splitDim(long axis, int rank, Function<String, RuntimeException> err) {
    return OpArgs.axis(axis, rank, () -> "-input rank(" + -rank + ") <= split_dim < input rank (" + rank
        + "), but got " + axis, err);
  }

  public static void split(KernelContext ctx) {
    Tensor in = ctx.input(1);
    int num = ctx.numOutputs();
    int axis = splitDim(OpArgs.scalar(ctx, 0, "split_dim"), in.rank(), m -> OpArgs.error(ctx, m));
    long d = in.shape().dim(axis);
    if (d % num != 0) {
      throw OpArgs.error(ctx, "Number of ways to split should evenly divide the split dimension, but got split_dim "
          + axis + " (size = " + d + ") and num_split " + num);
    }
    long[] sizes = new long[num];
    java.util.Arrays.fill(sizes, d / num);
    cut(ctx, in, axis, sizes, null);
  }

  // ---- SplitV(value, size_splits, axis; num_split)

  public static List<TensorSpec> inferSplitV(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "size_splits");
    OpArgs.requireIndexType(ctx, 2, "axis");
    int num = (int) ctx.attrs().getLong("num_split");
    Shape in = ctx.inputShape(0);
    long[] sizes = OpArgs.constant(ctx, 1);
    long[] axis = OpArgs.constant(ctx, 2);
    if (in.hasUnknownRank() || axis == null || sizes == null) {
      return repeat(new TensorSpec(ctx.inputDType(0), in.hasUnknownRank() ? in : Shape.unknownDims(in.rank())), num);
    }
    if (sizes.length != num) {
      throw ctx.error(sizesMismatch(sizes.length));
    }
    int a = splitDim(axis[0], in.rank(), ctx::error);
    long d = in.dim(a);
    long[] resolved = d >= 0 ? splitSizes(sizes, d, ctx::error) : sizes;
    List<TensorSpec> out = new ArrayList<>();
    for (long s : resolved) {
      long[] dims = in.dims();
      dims[a] = s;
      out.add(new TensorSpec(ctx.inputDType(0), Shape.of(dims)));
    }
    return out;
  }

  /** TF's error for a size_splits vector whose length is not num_split. */
  private static String sizesMismatch(int length) {
    return "size of the split_tensor must be 1-D and have the same elements as outputs got 1 -D and " + length
        + " elements";
  }

  /** The split sizes with a -1 resolved, checked as TF 2.21's kernel does and in its words. */
  private static long[] splitSizes(long[] sizes, long d, java.util.function.Function<String, RuntimeException> err) {
    long[] r = sizes.clone();
    int unknown = -1;
    long sum = 0;
    for (int i = 0; i < r.length; i++) {
      if (r[i] == -1) {
        if (unknown >= 0) {
          throw err.apply("There can only be one -1 in the input.");
        }
        unknown = i;
      } else if (r[i] < 0) {
        throw err.apply("Split size at index " + i + " must be >= 0. Got: " + r[i]);
      } else {
        sum += r[i];
      }
    }
    if (unknown >= 0 ? sum > d : sum != d) {
      throw err.apply("Determined shape must either match input shape along split_dim exactly if fully specified, "
          + "or be less than the size of the input along split_dim if not fully specified.  Got: " + sum);
    }
    if (unknown >= 0) {
      r[unknown] = d - sum;
    }
    return r;
  }

  /** SplitV; with a single output it forwards the input unchecked, as TF 2.21's kernel does. */
  public static void splitV(KernelContext ctx) {
    Tensor in = ctx.input(0);
    if (ctx.numOutputs() == 1) {
      ctx.setOutput(0, in.share());
      return;
    }
    long[] sizes = OpArgs.longs(ctx, 1, "size_splits");
    if (sizes.length != ctx.numOutputs()) {
      throw OpArgs.error(ctx, sizesMismatch(sizes.length));
    }
    int axis = splitDim(OpArgs.scalar(ctx, 2, "split_dim"), in.rank(), m -> OpArgs.error(ctx, m));
    cut(ctx, in, axis, splitSizes(sizes, in.shape().dim(axis), m -> OpArgs.error(ctx, m)), null);
  }
}
