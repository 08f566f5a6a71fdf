package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops whose output is the input's memory under another shape: Identity, Reshape, ExpandDims, Squeeze.
 * Their kernels never copy; the output is a new reference to the input's buffers.
 */
public final class ViewOps {
  private ViewOps() {}

  // ---- Identity(input)

  public static List<TensorSpec> inferIdentity(InferenceContext ctx) {
    return List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0)));
  }

  public static void identity(KernelContext ctx) {
    ctx.setOutput(0, ctx.input(0).share());
  }

  // ---- Reshape(tensor, shape)

  public static List<TensorSpec> inferReshape(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "shape");
    Shape in = ctx.inputShape(0);
    long[] target = OpArgs.constant(ctx, 1);
    if (target == null) {
      Shape s = ctx.inputShape(1);
      if (s.rank() == 1 && s.dim(0) >= 0) {
        return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknownDims((int) s.dim(0))));
      }
      return List.of(new TensorSpec(ctx.inputDType(0), Shape.unknown()));
    }
    return List.of(new TensorSpec(ctx.inputDType(0), reshapeTarget(target, in, ctx::error)));
  }

  /**
   * The static output shape of a reshape: resolves -1 when the input's dims are known, by TF's ReshapeOp rule:
   * when the target has a zero dim, -1 is the product of the input's nonzero dims over the product of the
   * target's nonzero dims (so reshaping [1, 4, 3, 0] to [3, 0, -1, 1] gives [3, 0, 4, 1]).
   */
  static Shape reshapeTarget(long[] target, Shape in, java.util.function.Function<String, RuntimeException> err) {
    int unknown = -1;
    long product = 1;
    boolean zeroTarget = false;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == -1) {
        if (unknown >= 0) {
          throw err.apply("Only one input size may be -1, not both " + unknown + " and " + i);
        }
        unknown = i;
      } else if (target[i] < 0) {
        throw err.apply("Size " + i + " must be non-negative, not " + target[i]);
      } else if (target[i] == 0) {
        zeroTarget = true;
      } else {
        product = Math.multiplyExact(product, target[i]);
      }
    }
    long n = OpArgs.knownElements(in);
    if (n < 0) {
      return Shape.of(target);
    }
    long[] out = target.clone();
    if (unknown >= 0) {
      long inputElements = 1;
      boolean inputZero = false;
      for (long d : in.dims()) {
        if (d > 0 || !zeroTarget) {
          inputElements *= d;
        } else {
          inputZero = true;
        }
      }
      long missing = inputElements / product;
      if (!inputZero && product * missing != inputElements) {
        throw err.apply("Input to reshape is a tensor with " + n + " values, but the requested shape requires a "
            + "multiple of " + product);
      }
      out[unknown] = missing;
    }
    long m = Shape.of(out).numElements();
    if (m != n) {
      throw err.apply("Input to reshape is a tensor with " + n + " values, but the requested shape has " + m);
    }
    return Shape.of(out);
  }

  public static void reshape(KernelContext ctx) {
    Tensor in = ctx.input(0);
    long[] target = OpArgs.longs(ctx, 1, "shape");
    if (ctx.input(1).rank() > 1) {
      throw OpArgs.error(ctx, "shape must be a vector, got shape " + ctx.input(1).shape());
    }
    Shape out = reshapeTarget(target, in.shape(), m -> OpArgs.error(ctx, m));
    ctx.setOutput(0, in.reshape(out));
  }

  // ---- ExpandDims(input, dim)

  public static List<TensorSpec> inferExpandDims(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 1, "dim");
    Shape in = ctx.inputShape(0);
    long[] dim = OpArgs.constant(ctx, 1);
    if (dim != null && dim.length != 1) {
      throw ctx.error("dim must be a scalar or a single-element vector, got " + dim.length + " elements");
    }
    if (dim == null || in.hasUnknownRank()) {
      return List.of(new TensorSpec(ctx.inputDType(0), in.hasUnknownRank() ? in : Shape.unknownDims(in.rank() + 1)));
    }
    return List.of(new TensorSpec(ctx.inputDType(0), expanded(in, dim[0], ctx::error)));
  }

  private static Shape expanded(Shape in, long dim, java.util.function.Function<String, RuntimeException> err) {
    int r = in.rank();
    int at = OpArgs.axis(dim, r + 1, () -> "Tried to expand dim index " + dim + " for tensor with " + r
        + " dimensions.", err);
    long[] d = in.dims();
    long[] out = new long[r + 1];
    System.arraycopy(d, 0, out, 0, at);
    out[at] = 1;
    System.arraycopy(d, at, out, at + 1, r - at);
    return Shape.of(out);
  }

  public static void expandDims(KernelContext ctx) {
    long[] dim = OpArgs.longs(ctx, 1, "dim");
    if (dim.length != 1) {
      throw OpArgs.error(ctx, "dim must be a scalar or a single-element vector, got " + dim.length + " elements");
    }
    Tensor in = ctx.input(0);
    ctx.setOutput(0, in.reshape(expanded(in.shape(), dim[0], m -> OpArgs.error(ctx, m))));
  }

  // ---- Squeeze(input; squeeze_dims)

  public static List<TensorSpec> inferSqueeze(InferenceContext ctx) {
    Shape in = ctx.inputShape(0);
    if (in.hasUnknownRank()) {
      return List.of(new TensorSpec(ctx.inputDType(0), in));
    }
    long[] axes = ctx.attrs().getLongs("squeeze_dims");
    return List.of(new TensorSpec(ctx.inputDType(0), squeezed(in, axes, ctx::error)));
  }

  private static Shape squeezed(Shape in, long[] axes, java.util.function.Function<String, RuntimeException> err) {
    int r = in.rank();
    boolean[] drop = new boolean[r];
    for (int i = 0; i < axes.length; i++) { // TF checks every axis, then the dims in order
      int at = i;
      drop[OpArgs.axis(axes[i], r, () -> "squeeze_dims[" + at + "] not in [" + -r + "," + r + ").", err)] = true;
    }
    for (int k = 0; k < r; k++) {
      long d = in.dim(k);
      if (drop[k] && d != 1 && d != Shape.UNKNOWN_DIM) {
        throw err.apply("Can not squeeze dim[" + k + "], expected a dimension of 1, got " + d);
      }
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < r; i++) {
      long d = in.dim(i);
      boolean squeeze = axes.length > 0 ? drop[i] : d == 1;
      if (axes.length == 0 && d == Shape.UNKNOWN_DIM) {
        return Shape.unknown(); // an unknown dim may or may not be squeezed
      }
      if (!squeeze) {
        out.add(d);
      }
    }
    return Shape.of(out.stream().mapToLong(Long::longValue).toArray());
  }

  public static void squeeze(KernelContext ctx) {
    Tensor in = ctx.input(0);
    long[] axes = ctx.attrs().getLongs("squeeze_dims");
    ctx.setOutput(0, in.reshape(squeezed(in.shape(), axes, m -> OpArgs.error(ctx, m))));
  }

}
