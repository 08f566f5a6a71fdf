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
 * Ops that make tensors from sizes and values rather than from an input's elements: Fill, ZerosLike,
 * OnesLike, OneHot, Range, LinSpace, and the shape queries Shape, Size and Rank.
 */
public final class FillOps {
  private FillOps() {}

  // ---- Fill(dims, value)

  public static List<TensorSpec> inferFill(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 0, "dims");
    if (ctx.inputShape(1).rank() > 0) {
      throw ctx.error("value must be a scalar, got shape " + ctx.inputShape(1));
    }
    return List.of(new TensorSpec(ctx.inputDType(1), shapeFromInput(ctx, 0)));
  }

  /** The shape a 1-D int input describes: exact if constant, else of known rank if its length is known. */
  static Shape shapeFromInput(InferenceContext ctx, int input) {
    long[] dims = OpArgs.constant(ctx, input);
    if (dims != null) {
      for (long d : dims) {
        if (d < 0) {
          throw ctx.error(negativeDimension(d));
        }
      }
      return Shape.of(dims);
    }
    Shape s = ctx.inputShape(input);
    return s.rank() == 1 && s.dim(0) >= 0 ? Shape.unknownDims((int) s.dim(0)) : Shape.unknown();
  }

  private static Shape shapeArgument(KernelContext ctx, int input) {
    long[] dims = OpArgs.longs(ctx, input, "dims");
    for (long d : dims) {
      if (d < 0) {
        throw OpArgs.error(ctx, negativeDimension(d));
      }
    }
    return Shape.of(dims);
  }

  /** TensorFlow's words for a negative entry of a shape argument (Fill's kernel, TF 2.21). */
  private static String negativeDimension(long d) {
    return "Dimension " + d + " must be >= 0";
  }

  public static void fill(KernelContext ctx) {
    Shape shape = shapeArgument(ctx, 0);
    Tensor value = ctx.input(1);
    if (value.numElements() != 1 || value.rank() != 0) {
      throw OpArgs.error(ctx, "value must be a scalar, got shape " + value.shape());
    }
    repeatScalar(ctx, 0, value, shape);
  }

  /** Output {@code index} of {@code shape} holding {@code value} (a scalar) everywhere. */
  static void repeatScalar(KernelContext ctx, int index, Tensor value, Shape shape) {
    long n = shape.numElements();
    if (value.dtype().isFixedWidth()) {
      Tensor out = ctx.allocateOutput(index, value.dtype(), shape);
      if (n > 0) {
        FixedRunWriter.repeat(value.address(), value.dtype().byteWidth(), out.address(), n);
      }
    } else {
      RunOutputs.write(ctx, index, DType.STRING, shape, w -> w.fill(n), value);
    }
  }

  // ---- ZerosLike(x), OnesLike(x)

  /** ZerosLike is defined for every dtype (strings give empty strings, as TF's). */
  public static List<TensorSpec> inferZerosLike(InferenceContext ctx) {
    return List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0)));
  }

  /** OnesLike has no string kernel in TF. */
  public static List<TensorSpec> inferLike(InferenceContext ctx) {
    DType d = ctx.inputDType(0);
    if (d == DType.STRING) {
      throw ctx.error("not defined for string tensors");
    }
    return List.of(new TensorSpec(d, ctx.inputShape(0)));
  }

  public static void zerosLike(KernelContext ctx) {
    Tensor in = ctx.input(0);
    if (in.dtype() == DType.STRING) {
      try (Tensor empty = Tensor.scalar(ctx.allocator(), "")) {
        repeatScalar(ctx, 0, empty, in.shape());
      }
      return;
    }
    ctx.allocateOutput(0, in.dtype(), in.shape());
  }

  public static void onesLike(KernelContext ctx) {
    Tensor in = ctx.input(0);
    Tensor out = ctx.allocateOutput(0, in.dtype(), in.shape());
    if (in.numElements() > 0) {
      Scalars.put(out.address(), in.dtype(), 1);
      FixedRunWriter.repeat(out.address(), in.dtype().byteWidth(), out.address(), in.numElements());
    }
  }

  // ---- OneHot(indices, depth, on_value, off_value; axis)

  public static List<TensorSpec> inferOneHot(InferenceContext ctx) {
    DType ixType = ctx.inputDType(0);
    if (!OpArgs.isIndexType(ixType) && ixType != DType.UINT8) {
      throw ctx.error("indices must be uint8, int32 or int64, got " + ixType);
    }
    DType d = ctx.inputDType(2);
    if (ctx.inputDType(3) != d) {
      throw ctx.error("on_value is " + d + " but off_value is " + ctx.inputDType(3));
    }
    Shape ix = ctx.inputShape(0);
    // TF's shape function checks this first (the dtype checks above are its op definition's)
    if (ctx.attrs().getLong("axis") < -1) {
      throw ctx.error("axis must be >= -1");
    }
    long[] depth = OpArgs.constant(ctx, 1);
    if (depth != null && depth[0] < 0) {
      throw ctx.error("depth must be non-negative, got: " + depth[0]);
    }
    if (ix.hasUnknownRank()) {
      return List.of(new TensorSpec(d, Shape.unknown()));
    }
    long axis = ctx.attrs().getLong("axis");
    int rank = ix.rank() + 1;
    if (axis >= rank) {
      throw ctx.error("Expected axis to be -1 or between [0, " + rank + ").  But received: " + axis);
    }
    int at = (int) (axis == -1 ? rank - 1 : axis);
    long[] out = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      out[i] = i == at ? (depth == null ? -1 : depth[0]) : ix.dim(j++);
    }
    return List.of(new TensorSpec(d, Shape.of(out)));
  }

  public static void oneHot(KernelContext ctx) {
    Tensor indices = ctx.input(0);
    if (!OpArgs.isIndexType(indices.dtype()) && indices.dtype() != DType.UINT8) {
      throw OpArgs.error(ctx, "indices must be uint8, int32 or int64, got " + indices.dtype());
    }
    long[] ix = indices.shape().dims();
    int rank = ix.length + 1;
    long axis = ctx.attrs().getLong("axis");
    if (axis < -1 || axis >= rank) { // TF's kernel checks the axis before the depth
      throw OpArgs.error(ctx, "Expected axis to be -1 or between [0, " + rank + ").  But received: " + axis);
    }
    long depth = OpArgs.scalar(ctx, 1, "depth");
    if (depth < 0) {
      throw OpArgs.error(ctx, "depth must be non-negative, got: " + depth);
    }
    Tensor on = ctx.input(2);
    Tensor off = ctx.input(3);
    if (on.numElements() != 1 || off.numElements() != 1 || on.dtype() != off.dtype()) {
      throw OpArgs.error(ctx, "on_value and off_value must be scalars of one dtype, got " + on.dtype() + " "
          + on.shape() + " and " + off.dtype() + " " + off.shape());
    }
    int at = (int) (axis == -1 ? rank - 1 : axis);
    long[] out = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      out[i] = i == at ? depth : ix[j++];
    }
    long outer = OpArgs.product(ix, 0, at);
    long inner = OpArgs.product(ix, at, ix.length);
    // out[o, d, i] = indices[o, i] == d ? on : off; indices outside [0, depth) give an all-off row (TF's rule).
    if (on.dtype().isFixedWidth()) {
      Tensor result = ctx.allocateOutput(0, on.dtype(), Shape.of(out));
      int w = on.dtype().byteWidth();
      if (result.numElements() > 0) {
        FixedRunWriter.repeat(off.address(), w, result.address(), result.numElements());
      }
      for (long o = 0; o < outer; o++) {
        for (long i = 0; i < inner; i++) {
          long d = hotIndex(indices, o * inner + i);
          if (d >= 0 && d < depth) {
            FixedRunWriter.copyElements(on.address(), result.address() + ((o * depth + d) * inner + i) * w, 1, w);
          }
        }
      }
      return;
    }
    RunOutputs.write(ctx, 0, on.dtype(), Shape.of(out), w -> {
      for (long o = 0; o < outer; o++) {
        for (long d = 0; d < depth; d++) {
          for (long i = 0; i < inner; i++) {
            w.copy(hotIndex(indices, o * inner + i) == d ? on : off, 0, 1);
          }
        }
      }
    }, null);
  }

  private static long hotIndex(Tensor indices, long i) {
    return indices.dtype() == DType.UINT8 ? indices.dataBuffer().getByte(i) & 0xFF : OpArgs.index(indices, i);
  }

  // ---- Range(start, limit, delta)

  public static List<TensorSpec> inferRange(InferenceContext ctx) {
    DType d = ctx.inputDType(0);
    if (ctx.inputDType(1) != d || ctx.inputDType(2) != d) {
      throw ctx.error("start, limit and delta must have one dtype, got " + d + ", " + ctx.inputDType(1) + ", "
          + ctx.inputDType(2));
    }
    if (d != DType.INT32 && d != DType.INT64 && d != DType.FLOAT32 && d != DType.FLOAT64) {
      throw ctx.error("Range takes int32, int64, float32 or float64, not " + d);
    }
    Tensor s = ctx.constantInput(0);
    Tensor l = ctx.constantInput(1);
    Tensor dl = ctx.constantInput(2);
    if (s == null || l == null || dl == null) {
      return List.of(new TensorSpec(d, Shape.unknownDims(1)));
    }
    return List.of(new TensorSpec(d, Shape.of(rangeSize(d, s.getAsDouble(0), l.getAsDouble(0), dl.getAsDouble(0),
        s.getAsLong(0), l.getAsLong(0), dl.getAsLong(0), ctx::error))));
  }

  private static long rangeSize(DType d, double s, double l, double dl, long si, long li, long dli,
                                java.util.function.Function<String, RuntimeException> err) {
    boolean integral = d.isInteger();
    if (integral ? dli == 0 : dl == 0) {
      throw err.apply("Requires delta != 0: " + (integral ? dli : dl));
    }
    if (integral) {
      if (dli > 0 && si > li) {
        throw err.apply("Requires start <= limit when delta > 0: " + si + "/" + li);
      }
      if (dli < 0 && si < li) {
        throw err.apply("Requires start >= limit when delta < 0: " + si + "/" + li);
      }
      return (Math.abs(li - si) + Math.abs(dli) - 1) / Math.abs(dli);
    }
    if (dl > 0 && s > l) {
      throw err.apply("Requires start <= limit when delta > 0: " + s + "/" + l);
    }
    if (dl < 0 && s < l) {
      throw err.apply("Requires start >= limit when delta < 0: " + s + "/" + l);
    }
    double size = Math.ceil(Math.abs((l - s) / dl));
    if (size > Integer.MAX_VALUE * 8.0) {
      throw err.apply("requires ((limit - start) / delta) <= " + (Integer.MAX_VALUE * 8L));
    }
    return (long) size;
  }

  public static void range(KernelContext ctx) {
    Tensor s = ctx.input(0);
    Tensor l = ctx.input(1);
    Tensor dl = ctx.input(2);
    for (Tensor t : new Tensor[] {s, l, dl}) {
      if (t.numElements() != 1 || t.dtype() != s.dtype()) {
        throw OpArgs.error(ctx, "start, limit and delta must be scalars of one dtype, got " + t.dtype() + " "
            + t.shape());
      }
    }
    DType d = s.dtype();
    long n = rangeSize(d, s.getAsDouble(0), l.getAsDouble(0), dl.getAsDouble(0), s.getAsLong(0), l.getAsLong(0),
        dl.getAsLong(0), m -> OpArgs.error(ctx, m));
    Tensor out = ctx.allocateOutput(0, d, Shape.of(n));
    long a = out.address();
    // TensorFlow's CPU kernel accumulates (val += delta) rather than computing start + i * delta.
    switch (d) {
      case FLOAT32: {
        float v = s.getFloat(0);
        float step = dl.getFloat(0);
        for (long i = 0; i < n; i++, v += step) {
          MemoryUtil.putInt(a + i * 4, Float.floatToRawIntBits(v));
        }
        break;
      }
      case FLOAT64: {
        double v = s.getDouble(0);
        double step = dl.getDouble(0);
        for (long i = 0; i < n; i++, v += step) {
          MemoryUtil.putLong(a + i * 8, Double.doubleToRawLongBits(v));
        }
        break;
      }
      case INT32: {
        int v = s.getInt(0);
        int step = dl.getInt(0);
        for (long i = 0; i < n; i++, v += step) {
          MemoryUtil.putInt(a + i * 4, v);
        }
        break;
      }
      default: {
        long v = s.getLong(0);
        long step = dl.getLong(0);
        for (long i = 0; i < n; i++, v += step) {
          MemoryUtil.putLong(a + i * 8, v);
        }
      }
    }
  }

  // ---- LinSpace(start, stop, num)

  public static List<TensorSpec> inferLinSpace(InferenceContext ctx) {
    DType d = ctx.inputDType(0);
    if (!d.isFloating() || ctx.inputDType(1) != d) {
      throw ctx.error("start and stop must both be float32 or float64, got " + d + " and " + ctx.inputDType(1));
    }
    OpArgs.requireIndexType(ctx, 2, "num");
    long[] num = OpArgs.constant(ctx, 2);
    if (num != null && num[0] <= 0) {
      throw ctx.error("requires num > 0: " + num[0]);
    }
    return List.of(new TensorSpec(d, num == null ? Shape.unknownDims(1) : Shape.of(num[0])));
  }

  /**
   * TF's LinSpace: the first element is {@code start} and the last {@code stop}, exactly; those between are
   * {@code start + i * step} in the dtype. (So an infinite step gives NaN only in between, as in TF 2.21.)
   */
  public static void linSpace(KernelContext ctx) {
    Tensor start = ctx.input(0);
    Tensor stop = ctx.input(1);
    long num = OpArgs.scalar(ctx, 2, "num");
    if (num <= 0) {
      throw OpArgs.error(ctx, "requires num > 0: " + num);
    }
    if (start.numElements() != 1 || stop.numElements() != 1) {
      throw OpArgs.error(ctx, "start and stop must be scalars, got shapes " + start.shape() + " and " + stop.shape());
    }
    Tensor out = ctx.allocateOutput(0, start.dtype(), Shape.of(num));
    long a = out.address();
    if (start.dtype() == DType.FLOAT32) {
      float s = start.getFloat(0);
      float e = stop.getFloat(0);
      float step = num == 1 ? 0 : (e - s) / (num - 1);
      for (long i = 0; i < num; i++) {
        float v = i == 0 ? s : i == num - 1 ? e : s + step * i;
        MemoryUtil.putInt(a + i * 4, Float.floatToRawIntBits(v));
      }
    } else {
      double s = start.getDouble(0);
      double e = stop.getDouble(0);
      double step = num == 1 ? 0 : (e - s) / (num - 1);
      for (long i = 0; i < num; i++) {
        double v = i == 0 ? s : i == num - 1 ? e : s + step * i;
        MemoryUtil.putLong(a + i * 8, Double.doubleToRawLongBits(v));
      }
    }
  }

  // ---- Shape(input; out_type), Size(input; out_type), Rank(input)

  public static List<TensorSpec> inferShape(InferenceContext ctx) {
    DType t = ctx.attrs().getDType("out_type");
    if (!OpArgs.isIndexType(t)) {
      throw ctx.error("out_type must be int32 or int64, got " + t);
    }
    Shape in = ctx.inputShape(0);
    return List.of(new TensorSpec(t, in.hasUnknownRank() ? Shape.unknownDims(1) : Shape.of(in.rank())));
  }

  public static void shape(KernelContext ctx) {
    Tensor in = ctx.input(0);
    DType t = ctx.attrs().getDType("out_type");
    Tensor out = ctx.allocateOutput(0, t, Shape.of(in.rank()));
    for (int i = 0; i < in.rank(); i++) {
      long d = in.shape().dim(i);
      if (t == DType.INT32) {
        if (d > Integer.MAX_VALUE) {
          throw OpArgs.error(ctx, "shape dim " + i + " (" + d + ") does not fit int32; use out_type int64");
        }
        out.dataBuffer().setInt(i * 4L, (int) d);
      } else {
        out.dataBuffer().setLong(i * 8L, d);
      }
    }
  }

  public static List<TensorSpec> inferScalarOut(InferenceContext ctx) {
    DType t = ctx.opType().equals("Rank") ? DType.INT32 : ctx.attrs().getDType("out_type");
    if (!OpArgs.isIndexType(t)) {
      throw ctx.error("out_type must be int32 or int64, got " + t);
    }
    return List.of(new TensorSpec(t, Shape.scalar()));
  }

  public static void size(KernelContext ctx) {
    long n = ctx.input(0).numElements();
    DType t = ctx.attrs().getDType("out_type");
    Tensor out = ctx.allocateOutput(0, t, Shape.scalar());
    if (t == DType.INT32) {
      if (n > Integer.MAX_VALUE) {
        throw OpArgs.error(ctx, "number of elements (" + n + ") does not fit int32; use out_type int64");
      }
      out.dataBuffer().setInt(0, (int) n);
    } else {
      out.dataBuffer().setLong(0, n);
    }
  }

  public static void rank(KernelContext ctx) {
    ctx.allocateOutput(0, DType.INT32, Shape.scalar()).dataBuffer().setInt(0, ctx.input(0).rank());
  }
}
