package dev.quiver.executor.kernels.array;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.UnimplementedException;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.function.Function;
import java.util.function.Supplier;

/** Reading the small integer arguments of shape ops (axes, sizes, begin/end vectors) and naming the op in errors. */
public final class OpArgs {
  private OpArgs() {}

  /** An InvalidArgument error naming the running op, as TensorFlow's kernels report bad input. */
  public static InvalidArgumentException error(KernelContext ctx, String message) {
    return new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': " + message);
  }

  /**
   * Checks GatherNd's and ScatterNd's {@code bad_indices_policy}: Quiver implements TF's CPU default ({@code ""},
   * {@code "DEFAULT"} or {@code "ERROR"}: a bad index fails the step), not {@code "IGNORE"}.
   */
  public static void requireErrorPolicy(InferenceContext ctx) {
    String policy = ctx.attrs().getString("bad_indices_policy");
    switch (policy) {
      case "", "DEFAULT", "ERROR":
        return;
      case "IGNORE":
        throw new UnimplementedException(ctx.opType() + " op '" + ctx.opName() + "': attribute 'bad_indices_policy'"
            + " = \"IGNORE\" is not supported; bad indices are errors (\"ERROR\", TensorFlow's CPU default)");
      default:
        throw ctx.error("Unknown bad indices handling attribute: " + policy);
    }
  }

  public static boolean isIndexType(DType dtype) {
    return dtype == DType.INT32 || dtype == DType.INT64;
  }

  /** Element {@code i} of an int32 or int64 tensor. */
  public static long index(Tensor t, long i) {
    return t.dtype() == DType.INT32 ? t.dataBuffer().getInt(i * 4) : t.dataBuffer().getLong(i * 8);
  }

  /** Every element of a small int32/int64 tensor. */
  public static long[] longs(Tensor t) {
    long[] r = new long[(int) t.numElements()];
    for (int i = 0; i < r.length; i++) {
      r[i] = index(t, i);
    }
    return r;
  }

  /** The elements of an int32/int64 argument, or an error naming the op and argument if it is of another type. */
  public static long[] longs(KernelContext ctx, int input, String what) {
    Tensor t = ctx.input(input);
    if (!isIndexType(t.dtype())) {
      throw error(ctx, what + " must be int32 or int64, got " + t.dtype());
    }
    return longs(t);
  }

  /** A scalar int32/int64 argument. */
  public static long scalar(KernelContext ctx, int input, String what) {
    Tensor t = ctx.input(input);
    if (!isIndexType(t.dtype()) || t.numElements() != 1) {
      throw error(ctx, what + " must be an int32 or int64 scalar, got " + t.dtype() + " " + t.shape());
    }
    return index(t, 0);
  }

  /** The value of a constant int32/int64 input known at build time, or null. */
  public static long[] constant(InferenceContext ctx, int input) {
    Tensor t = ctx.constantInput(input);
    if (t == null || !isIndexType(t.dtype())) {
      return null;
    }
    return longs(t);
  }

  /** Requires an int32/int64 input at build time. */
  public static void requireIndexType(InferenceContext ctx, int input, String what) {
    DType d = ctx.inputDType(input);
    if (!isIndexType(d)) {
      throw ctx.error(what + " must be int32 or int64, got " + d);
    }
  }

  /**
   * Requires inputs {@code i} and {@code j} to share one dtype, as arguments of one TF type attr must (Slice's
   * begin and size, ScatterNd's indices and shape): TF's build-time TypeError, in its words.
   */
  public static void requireSameType(InferenceContext ctx, int i, String first, int j, String second) {
    DType a = ctx.inputDType(i);
    DType b = ctx.inputDType(j);
    if (a != b) {
      throw new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': Input '" + second + "' of '"
          + ctx.opType() + "' Op has type " + b + " that does not match type " + a + " of argument '" + first + "'.");
    }
  }

  /**
   * A possibly negative {@code axis} counted from 0: an axis in {@code [-rank, rank)} counts from the end when
   * negative. Outside that range it fails with {@code error} applied to {@code message}, which each op words as
   * TensorFlow does and which is only built then. An op whose axis may also name the position after the last dim
   * (Pack, ExpandDims) passes its input's rank plus one.
   */
  public static int axis(long axis, int rank, Supplier<String> message, Function<String, RuntimeException> error) {
    if (axis < -rank || axis >= rank) {
      throw error.apply(message.get());
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Formats dims as TensorFlow prints shapes in kernel errors: {@code [2,3]}. */
  public static String dims(Shape s) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < s.rank(); i++) {
      b.append(i > 0 ? "," : "").append(s.dim(i));
    }
    return b.append(']').toString();
  }

  /** The product of {@code dims[from, to)}. */
  public static long product(long[] dims, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      p *= dims[i];
    }
    return p;
  }

  /** The element count of a shape, or -1 if it is not fully defined. */
  public static long knownElements(Shape s) {
    return s.isFullyDefined() ? s.numElements() : -1;
  }
}
