package dev.quiver.executor.kernels.math;

import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.store.DType;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dtypes an op takes, split as TensorFlow splits them: those its OpDef declares (any other is TF's
 * build-time TypeError) and, among those, the ones TF has a CPU kernel for (the rest build in TF and fail when
 * the session runs, "No OpKernel was registered"). Quiver runs exactly the kernel dtypes and rejects every
 * other one when the op is built, in TF's words for each case. Immutable.
 */
public final class TypeSupport {
  /** float32 and float64. */
  public static final Set<DType> FLOATS = EnumSet.of(DType.FLOAT32, DType.FLOAT64);
  /** The signed integers. */
  public static final Set<DType> SIGNED = EnumSet.of(DType.INT8, DType.INT16, DType.INT32, DType.INT64);
  /** Every float and integer dtype. */
  public static final Set<DType> NUMERIC = union(FLOATS, SIGNED, EnumSet.of(DType.UINT8));

  private final Set<DType> declared;
  private final Set<DType> kernels;

  private TypeSupport(Set<DType> declared, Set<DType> kernels) {
    this.declared = declared;
    this.kernels = kernels;
  }

  /** An op with a kernel for every dtype it declares. */
  public static TypeSupport of(Set<DType> kernels) {
    return new TypeSupport(EnumSet.copyOf(kernels), EnumSet.copyOf(kernels));
  }

  /** An op that declares {@code declared} but has kernels only for {@code kernels}. */
  public static TypeSupport declaring(Set<DType> declared, Set<DType> kernels) {
    return new TypeSupport(union(declared, kernels), EnumSet.copyOf(kernels));
  }

  /** The union of dtype sets, as a new set. */
  @SafeVarargs
  public static Set<DType> union(Set<DType>... sets) {
    Set<DType> r = EnumSet.noneOf(DType.class);
    for (Set<DType> s : sets) {
      r.addAll(s);
    }
    return r;
  }

  /** Whether Quiver (and TF's CPU kernels) compute the op on {@code t}. */
  public boolean accepts(DType t) {
    return kernels.contains(t);
  }

  /**
   * The build-time error for input {@code input} of dtype {@code t}: TF's TypeError (IllegalArgumentException)
   * for a dtype the OpDef does not declare, TF's missing-kernel InvalidArgument for one it declares.
   */
  public RuntimeException reject(InferenceContext ctx, int input, DType t) {
    if (declared.contains(t)) {
      return ctx.error("No OpKernel was registered to support Op '" + ctx.opType() + "' with these attrs: [T="
          + t + "]; kernels exist for " + names(kernels));
    }
    if (declared.size() == 1) {
      return new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': input " + input + " has type "
          + t + " that does not match expected type of " + declared.iterator().next());
    }
    return new IllegalArgumentException(ctx.opType() + " op '" + ctx.opName() + "': Value passed to input " + input
        + " has DataType " + t + " not in list of allowed values: " + names(declared));
  }

  private static String names(Set<DType> types) {
    return types.stream().map(DType::toString).collect(Collectors.joining(", "));
  }
}
