package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Ops that rearrange a whole tensor through {@link AxisGather}: Transpose, Tile, Pad/PadV2, MirrorPad,
 * ReverseV2 and BroadcastTo.
 */
public final class LayoutOps {
  private LayoutOps() {}

  // ---- Transpose(x, perm)

  public static List<TensorSpec> inferTranspose(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "perm");
    Shape in = ctx.inputShape(0);
    long[] perm = OpArgs.constant(ctx, 1);
    Shape ps = ctx.inputShape(1);
    if (!in.hasUnknownRank() && ps.rank() == 1 && ps.dim(0) >= 0 && ps.dim(0) != in.rank()) {
      throw ctx.error("Dimension must be " + in.rank() + " but is " + ps.dim(0)); // TF's shape function
    }
    if (perm == null) {
      Shape p = ps;
      int rank = in.hasUnknownRank() ? (p.rank() == 1 ? (int) p.dim(0) : -1) : in.rank();
      return List.of(new TensorSpec(ctx.inputDType(0), rank < 0 ? Shape.unknown() : Shape.unknownDims(rank)));
    }
    if (in.hasUnknownRank()) {
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknownDims(perm.length)));
    }
    int[] axes = permutation(perm, in.rank(), ctx::error);
    long[] d = in.dims();
    long[] out = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = d[axes[i]];
    }
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(out)));
  }

  /**
   * The permutation {@code perm} of {@code rank} dims, with TF 2.21's kernel's rules and words: a negative entry
   * counts from the end, every entry must then be in {@code [0, rank)}, and every dim must appear.
   */
  private static int[] permutation(long[] perm, int rank, Function<String, RuntimeException> err) {
    if (perm.length != rank) {
      throw err.apply("transpose expects a vector of size " + rank + ". But input(1) is a vector of size "
          + perm.length);
    }
    int[] axes = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      long p = perm[i] < 0 ? perm[i] + rank : perm[i];
      if (p < 0 || p >= rank) {
        throw err.apply(p + " is out of range [0 .. " + rank + ")");
      }
      axes[i] = (int) p;
      seen[(int) p] = true;
    }
    for (int i = 0; i < rank; i++) {
      if (!seen[i]) {
        throw err.apply(i + " is missing from {" + java.util.Arrays.stream(axes).mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(",")) + "}.");
      }
    }
    return axes;
  }

  public static void transpose(KernelContext ctx) {
    Tensor in = ctx.input(0);
    int[] perm = permutation(OpArgs.longs(ctx, 1, "perm"), in.rank(), m -> OpArgs.error(ctx, m));
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    long[] out = new long[perm.length];
    long[][] off = new long[perm.length][];
    for (int i = 0; i < perm.length; i++) {
      int p = perm[i];
      out[i] = d[p];
      off[i] = AxisGather.stepping(0, strides[p], d[p]);
    }
    new AxisGather(in, out, off).writeTo(ctx, 0, Shape.of(out), null);
  }

  // ---- Tile(input, multiples)

  public static List<TensorSpec> inferTile(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "multiples");
    Shape in = ctx.inputShape(0);
    long[] m = OpArgs.constant(ctx, 1);
    if (in.hasUnknownRank()) {
      return List.of(new TensorSpec(ctx.inputDType(0), m == null ? in : Shape.unknownDims(m.length)));
    }
    Shape ms = ctx.inputShape(1);
    if (ms.rank() == 1 && ms.dim(0) >= 0 && ms.dim(0) != in.rank()) {
      throw ctx.error("Shape must be rank " + in.rank() + " but is rank " + ms.dim(0)); // TF's shape function
    }
    if (m == null) {
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknownDims(in.rank())));
    }
    checkMultiples(m, in.rank(), ctx::error);
    long[] out = new long[m.length];
    for (int i = 0; i < m.length; i++) {
      long d = in.dim(i);
      out[i] = d < 0 ? Shape.UNKNOWN_DIM : d * m[i];
    }
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(out)));
  }

  private static void checkMultiples(long[] m, int rank, Function<String, RuntimeException> err) {
    if (m.length != rank) {
      throw err.apply("expected multiples argument to be a vector of length " + rank + " but got length " + m.length);
    }
    for (int i = 0; i < m.length; i++) {
      if (m[i] < 0) {
        throw err.apply("expected multiples[" + i + "] >= 0, but got " + m[i]);
      }
    }
  }

  public static void tile(KernelContext ctx) {
    Tensor in = ctx.input(0);
    long[] m = OpArgs.longs(ctx, 1, "multiples");
    checkMultiples(m, in.rank(), msg -> OpArgs.error(ctx, msg));
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    // Output axis k of size m*d is, row-major, the pair (copy, position): two gather axes, the first reading
    // the source again from its start.
    long[] dims = new long[2 * d.length];
    long[][] off = new long[2 * d.length][];
    long[] out = new long[d.length];
    for (int k = 0; k < d.length; k++) {
      dims[2 * k] = m[k];
      off[2 * k] = new long[(int) m[k]];
      dims[2 * k + 1] = d[k];
      off[2 * k + 1] = AxisGather.stepping(0, strides[k], d[k]);
      out[k] = Math.multiplyExact(d[k], m[k]);
    }
    new AxisGather(in, dims, off).writeTo(ctx, 0, Shape.of(out), null);
  }

  // ---- Pad(input, paddings), PadV2(input, paddings, constant_values), MirrorPad(input, paddings; mode)

  public static List<TensorSpec> inferPad(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "paddings");
    String mode = mode(ctx.opType(), ctx.attrs());
    if (ctx.opType().equals("MirrorPad") && !mode.equals("REFLECT") && !mode.equals("SYMMETRIC")) {
      throw ctx.error("Value for attr 'mode' of \"" + mode + "\" is not in the list of allowed values: \"REFLECT\", "
          + "\"SYMMETRIC\"");
    }
    Shape in = ctx.inputShape(0);
    if (ctx.numInputs() > 2 && ctx.inputDType(2) != ctx.inputDType(0)) {
      throw ctx.error("constant_values must be " + ctx.inputDType(0) + ", got " + ctx.inputDType(2));
    }
    if (ctx.numInputs() > 2 && ctx.inputShape(2).rank() > 0) {
      throw ctx.error("constant_values must be a scalar, got shape " + ctx.inputShape(2));
    }
    long[] p = OpArgs.constant(ctx, 1);
    Shape ps = ctx.inputShape(1);
    if (in.rank() >= 0 && ps.rank() == 2 && ps.dim(0) >= 0 && ps.dim(0) != in.rank()) {
      throw ctx.error("Shape must be rank " + ps.dim(0) + " but is rank " + in.rank()); // TF's shape function
    }
    int rank = in.rank() >= 0 ? in.rank() : (ps.rank() == 2 ? (int) ps.dim(0) : -1);
    if (p == null || rank < 0) {
      return List.of(new TensorSpec(ctx.inputDType(0), rank < 0 ? Shape.unknown() : Shape.unknownDims(rank)));
    }
    checkPaddings(p, ctx.constantInput(1).shape(), in, mode, ctx::error);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long d = in.hasUnknownRank() ? -1 : in.dim(i);
      out[i] = d < 0 ? -1 : d + p[2 * i] + p[2 * i + 1];
    }
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(out)));
  }

  /** CONSTANT for Pad and PadV2; MirrorPad's mode attribute, which building it checked is REFLECT or SYMMETRIC. */
  private static String mode(String opType, Attrs attrs) {
    return opType.equals("MirrorPad") ? attrs.getString("mode") : "CONSTANT";
  }

  private static void checkPaddings(long[] p, Shape pshape, Shape in, String mode,
                                    Function<String, RuntimeException> err) {
    int rank = in.rank();
    if (pshape.rank() != 2 || pshape.dim(1) != 2 || (rank >= 0 && pshape.dim(0) != rank)) {
      throw err.apply("paddings must be a matrix with 2 columns and one row per input dim: " + rank
          + " rows, got shape " + pshape);
    }
    for (int i = 0; i < p.length / 2; i++) {
      long before = p[2 * i];
      long after = p[2 * i + 1];
      if (before < 0 || after < 0) {
        throw err.apply("paddings must be non-negative: " + before + " " + after);
      }
      long d = rank >= 0 ? in.dim(i) : -1;
      if (d >= 0 && mode.equals("REFLECT") && (before >= d || after >= d)) {
        throw err.apply("paddings must be less than the dimension size: " + before + ", " + after + " not less than "
            + d);
      }
      if (d >= 0 && mode.equals("SYMMETRIC") && (before > d || after > d)) {
        throw err.apply("paddings must be no greater than the dimension size: " + before + ", " + after
            + " greater than " + d);
      }
    }
  }

  public static void pad(KernelContext ctx) {
    Tensor in = ctx.input(0);
    String mode = mode(ctx.opType(), ctx.attrs());
    long[] p = OpArgs.longs(ctx, 1, "paddings");
    checkPaddings(p, ctx.input(1).shape(), in.shape(), mode, m -> OpArgs.error(ctx, m));
    Tensor fill = null;
    if (ctx.numInputs() > 2) {
      fill = ctx.input(2);
      if (fill.dtype() != in.dtype() || fill.numElements() != 1) {
        throw OpArgs.error(ctx, "constant_values must be a " + in.dtype() + " scalar, got " + fill.dtype() + " "
            + fill.shape());
      }
    }
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    long[] out = new long[d.length];
    long[][] off = new long[d.length][];
    for (int k = 0; k < d.length; k++) {
      long before = p[2 * k];
      out[k] = d[k] + before + p[2 * k + 1];
      long[] o = new long[(int) out[k]];
      for (int j = 0; j < o.length; j++) {
        long src = mirror(j - before, d[k], mode);
        o[j] = src == AxisGather.FILL ? AxisGather.FILL : src * strides[k];
      }
      off[k] = o;
    }
    AxisGather g = new AxisGather(in, out, off);
    Shape shape = Shape.of(out);
    if (fill == null && g.singleRun()) {
      ctx.setOutput(0, RunOutputs.view(in, g.singleRunStart(), g.numElements(), shape));
    } else if (in.dtype().isFixedWidth()) {
      g.writeFixed(ctx.allocateOutput(0, in.dtype(), shape), fill, ctx.intraOp());
    } else {
      RunOutputs.write(ctx, 0, DType.STRING, shape, g, fill);
    }
  }

  /** The source index a padded position reads, or FILL for the constant. */
  private static long mirror(long i, long d, String mode) {
    if (i >= 0 && i < d) {
      return i;
    }
    switch (mode) {
      case "REFLECT":
        return i < 0 ? -i : 2 * (d - 1) - i;
      case "SYMMETRIC":
        return i < 0 ? -i - 1 : 2 * d - 1 - i;
      default:
        return AxisGather.FILL;
    }
  }

  // ---- ReverseV2(tensor, axis)

  public static List<TensorSpec> inferReverse(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "axis");
    Shape in = ctx.inputShape(0);
    long[] axes = OpArgs.constant(ctx, 1);
    if (axes != null && !in.hasUnknownRank()) {
      reversed(axes, in.rank(), ctx::error);
    }
    return List.of(new TensorSpec(ctx.inputDType(0), in));
  }

  private static boolean[] reversed(long[] axes, int rank, Function<String, RuntimeException> err) {
    boolean[] r = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      int at = i;
      long a = axes[i];
      int k = OpArgs.axis(a, rank, () -> "'axis'[" + at + "] = " + a + " is out of valid range [0, " + (rank - 1),
          err);
      if (r[k]) {
        throw err.apply("axis " + k + " specified more than once.");
      }
      r[k] = true;
    }
    return r;
  }

  public static void reverse(KernelContext ctx) {
    Tensor in = ctx.input(0);
    boolean[] rev = reversed(OpArgs.longs(ctx, 1, "axis"), in.rank(), m -> OpArgs.error(ctx, m));
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    long[][] off = new long[d.length][];
    for (int k = 0; k < d.length; k++) {
      off[k] = rev[k] && d[k] > 1 ? AxisGather.stepping((d[k] - 1) * strides[k], -strides[k], d[k])
          : AxisGather.stepping(0, strides[k], d[k]);
    }
    new AxisGather(in, d, off).writeTo(ctx, 0, in.shape(), null);
  }

  // ---- BroadcastTo(input, shape)

  public static List<TensorSpec> inferBroadcastTo(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "shape");
    long[] target = OpArgs.constant(ctx, 1);
    Shape in0 = ctx.inputShape(0);
    Shape ts = ctx.inputShape(1);
    if (!in0.hasUnknownRank() && ts.rank() == 1 && ts.dim(0) >= 0 && ts.dim(0) < in0.rank()) {
      throw ctx.error("Shape must be at most rank " + ts.dim(0) + " but is rank " + in0.rank()); // TF's shape function
    }
    if (target == null) {
      Shape s = ts;
      return List.of(new TensorSpec(ctx.inputDType(0), s.rank() == 1 && s.dim(0) >= 0
          ? Shape.unknownDims((int) s.dim(0)) : Shape.unknown()));
    }
    Shape in = ctx.inputShape(0);
    if (!in.hasUnknownRank()) {
      checkBroadcast(in, target, ctx::error);
    }
    return List.of(new TensorSpec(ctx.inputDType(0), Shape.of(target)));
  }

  /**
   * TF 2.21's BroadcastTo kernel's rules and words: the target may not have fewer dims than the input (its shape
   * function finds that first when the target's length is static); dims that numpy
   * cannot broadcast are "Incompatible shapes"; dims it can but whose broadcast is not the target (a 2 against a
   * target 1) are "Unable to broadcast".
   */
  private static void checkBroadcast(Shape in, long[] target, Function<String, RuntimeException> err) {
    int r = in.rank();
    if (r > target.length) {
      throw err.apply("Rank of input (" + r + ") must be no greater than rank of output shape (" + target.length
          + ").");
    }
    boolean reaches = true;
    for (int i = 0; i < r; i++) {
      long d = in.dim(i);
      long t = target[target.length - r + i];
      if (t < 0) {
        throw err.apply("shape dims must be non-negative, got " + t);
      }
      if (d >= 0 && d != 1 && t != 1 && d != t) {
        throw err.apply("Incompatible shapes: " + OpArgs.dims(in) + " vs. " + OpArgs.dims(Shape.of(target)));
      }
      reaches &= d < 0 || d == 1 || d == t;
    }
    if (!reaches) {
      throw err.apply("Unable to broadcast tensor of shape " + OpArgs.dims(in) + " to tensor of shape "
          + OpArgs.dims(Shape.of(target)));
    }
  }

  public static void broadcastTo(KernelContext ctx) {
    Tensor in = ctx.input(0);
    long[] target = OpArgs.longs(ctx, 1, "shape");
    checkBroadcast(in.shape(), target, m -> OpArgs.error(ctx, m));
    long[] d = in.shape().dims();
    long[] strides = AxisGather.strides(in.shape());
    int lead = target.length - d.length;
    long[][] off = new long[target.length][];
    for (int k = 0; k < target.length; k++) {
      int src = k - lead;
      off[k] = src < 0 || d[src] == 1 ? new long[(int) target[k]] : AxisGather.stepping(0, strides[src], target[k]);
    }
    new AxisGather(in, target, off).writeTo(ctx, 0, Shape.of(target), null);
  }
}
