package dev.quiver.executor.kernels.random;

import dev.quiver.executor.kernels.array.OpArgs;
import dev.quiver.executor.kernels.array.RunOutputs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * RandomUniform, RandomUniformInt, RandomStandardNormal, TruncatedNormal and RandomShuffle over a
 * {@link PhiloxStream} kept in the op's state.
 *
 * <p><b>Generator.</b> Output group {@code g} (4 float32 or 2 float64 values) is computed from Philox block
 * {@code base + g}, where each run reserves {@code 256 * n} blocks for its {@code n} outputs as TensorFlow does.
 * Uniform values use TensorFlow's bit conversions, so for the same (seed, seed2) a fresh op's first run gives
 * the same uniform floats as TensorFlow's CPU kernel; normals use Box-Muller on the same words (equal up to
 * the last bits of sin/cos/log). Truncated normals redraw values beyond two standard deviations from the
 * group's own reserved blocks in TensorFlow's order, so they too equal TensorFlow's up to rounding and do
 * not depend on the thread count.
 */
public final class RandomKernels {
  private static final int RESERVED_PER_OUTPUT = 256;
  private static final float EPSILON = 1.0e-7f;

  private RandomKernels() {}

  private enum Kind { UNIFORM, NORMAL, TRUNCATED }

  public static List<TensorSpec> inferRandom(InferenceContext ctx) {
    DType d = ctx.attrs().getDType("dtype");
    if (!d.isFloating()) {
      throw ctx.error("dtype must be float32 or float64, got " + d);
    }
    return List.of(new TensorSpec(d, inferShape(ctx)));
  }

  /** The output shape from the {@code shape} argument (input 0): its value if constant, else its length. */
  private static Shape inferShape(InferenceContext ctx) {
    OpArgs.requireIndexType(ctx, 0, "shape");
    long[] dims = OpArgs.constant(ctx, 0);
    if (dims != null) {
      for (long x : dims) {
        if (x < 0) {
          throw ctx.error("shape dims must be non-negative, got " + java.util.Arrays.toString(dims));
        }
      }
      return Shape.of(dims);
    }
    Shape s = ctx.inputShape(0);
    return s.rank() == 1 && s.dim(0) >= 0 ? Shape.unknownDims((int) s.dim(0)) : Shape.unknown();
  }

  /** The {@code shape} argument's value at run time. */
  private static Shape shapeArg(KernelContext ctx) {
    long[] dims = OpArgs.longs(ctx, 0, "shape");
    for (long x : dims) {
      if (x < 0) {
        throw OpArgs.error(ctx, "shape dims must be non-negative, got " + java.util.Arrays.toString(dims));
      }
    }
    return Shape.of(dims);
  }

  public static void uniform(KernelContext ctx) {
    generate(ctx, Kind.UNIFORM);
  }

  public static void normal(KernelContext ctx) {
    generate(ctx, Kind.NORMAL);
  }

  public static void truncatedNormal(KernelContext ctx) {
    generate(ctx, Kind.TRUNCATED);
  }

  static PhiloxStream stream(KernelContext ctx) {
    long seed = ctx.attrs().getLong("seed");
    long seed2 = ctx.attrs().getLong("seed2");
    return ctx.opState(() -> new PhiloxStream(seed, seed2));
  }

  private static void generate(KernelContext ctx, Kind kind) {
    Shape shape = shapeArg(ctx);
    DType dtype = ctx.attrs().getDType("dtype");
    if (!dtype.isFloating()) {
      throw OpArgs.error(ctx, "dtype must be float32 or float64, got " + dtype);
    }
    Tensor out = ctx.allocateOutput(0, dtype, shape);
    long n = out.numElements();
    long[] base = stream(ctx).reserve(Math.multiplyExact(n, (long) RESERVED_PER_OUTPUT));
    long key = stream(ctx).key();
    boolean f32 = dtype == DType.FLOAT32;
    int perGroup = f32 ? 4 : 2;
    long groups = (n + perGroup - 1) / perGroup;
    long address = out.address();
    ctx.intraOp().parallelFor(groups, 4096, (start, end) -> {
      int[] words = new int[4];
      double[] values = new double[4];
      for (long g = start; g < end; g++) {
        if (kind == Kind.TRUNCATED) {
          truncatedGroup(key, base, g, f32, words, values);
        } else {
          Philox.block(key, base[0], base[1], g, words);
          convert(kind, f32, words, values);
        }
        long first = g * perGroup;
        int count = (int) Math.min(perGroup, n - first);
        for (int i = 0; i < count; i++) {
          if (f32) {
            MemoryUtil.putInt(address + (first + i) * 4, Float.floatToRawIntBits((float) values[i]));
          } else {
            MemoryUtil.putLong(address + (first + i) * 8, Double.doubleToRawLongBits(values[i]));
          }
        }
      }
    });
  }

  private static void convert(Kind kind, boolean f32, int[] w, double[] v) {
    if (kind == Kind.UNIFORM) {
      if (f32) {
        for (int i = 0; i < 4; i++) {
          v[i] = Philox.toFloat(w[i]);
        }
      } else {
        v[0] = Philox.toDouble(w[0], w[1]);
        v[1] = Philox.toDouble(w[2], w[3]);
      }
    } else if (f32) {
      boxMullerFloat(w[0], w[1], v, 0);
      boxMullerFloat(w[2], w[3], v, 2);
    } else {
      boxMullerDouble(w, v);
    }
  }

  private static void boxMullerFloat(int x0, int x1, double[] v, int at) {
    float u1 = Math.max(Philox.toFloat(x0), EPSILON);
    float angle = (float) (2.0f * Math.PI) * Philox.toFloat(x1);
    float r = (float) Math.sqrt(-2.0f * (float) Math.log(u1));
    v[at] = (float) Math.sin(angle) * r;
    v[at + 1] = (float) Math.cos(angle) * r;
  }

  private static void boxMullerDouble(int[] w, double[] v) {
    double u1 = Math.max(Philox.toDouble(w[0], w[1]), EPSILON);
    double angle = 2.0 * Math.PI * Philox.toDouble(w[2], w[3]);
    double r = Math.sqrt(-2.0 * Math.log(u1));
    v[0] = Math.sin(angle) * r;
    v[1] = Math.cos(angle) * r;
  }

  /**
   * Fills one group with normals inside (-2, 2), drawing from consecutive blocks from the group's own start:
   * TensorFlow reserves 256 words per output, so a group of 4 floats starts {@code 256 * g} blocks into the
   * run and a group of 2 doubles {@code 128 * g}.
   */
  private static void truncatedGroup(long key, long[] base, long g, boolean f32, int[] w, double[] v) {
    int need = f32 ? 4 : 2;
    int have = 0;
    double[] pair = new double[4];
    long block = g * (need * RESERVED_PER_OUTPUT / 4);
    while (have < need) {
      Philox.block(key, base[0], base[1], block++, w);
      if (f32) {
        boxMullerFloat(w[0], w[1], pair, 0);
        boxMullerFloat(w[2], w[3], pair, 2);
      } else {
        boxMullerDouble(w, pair);
      }
      for (int i = 0; i < (f32 ? 4 : 2) && have < need; i++) {
        if (Math.abs(pair[i]) < 2.0) {
          v[have++] = pair[i];
        }
      }
    }
  }

  // ---- RandomUniformInt(shape, minval, maxval; seed, seed2, Tout)

  public static List<TensorSpec> inferUniformInt(InferenceContext ctx) {
    DType d = ctx.inputDType(1);
    if (!OpArgs.isIndexType(d) || ctx.inputDType(2) != d) {
      throw ctx.error("minval and maxval must both be int32 or int64, got " + d + " and " + ctx.inputDType(2));
    }
    String[] names = {"minval", "maxval"};
    for (int i = 1; i <= 2; i++) {
      Shape s = ctx.inputShape(i);
      if (!s.hasUnknownRank() && s.rank() != 0) {
        throw ctx.error(names[i - 1] + " must be 0-D, got shape " + s);
      }
    }
    return List.of(new TensorSpec(d, inferShape(ctx)));
  }

  /**
   * Integers in {@code [minval, maxval)}: each value is {@code minval + word % (maxval - minval)} with one 32-bit
   * Philox word per int32 and two (low word first) per int64, the unsigned range and wrapping sum of
   * TensorFlow's {@code UniformDistribution<PhiloxRandom, int32/int64>}, so the values equal TensorFlow's
   * (with its slight modulo bias). An empty output succeeds whatever the bounds, as in TensorFlow.
   */
  public static void uniformInt(KernelContext ctx) {
    Tensor lo = ctx.input(1);
    Tensor hi = ctx.input(2);
    DType dtype = lo.dtype();
    if (!OpArgs.isIndexType(dtype) || hi.dtype() != dtype) {
      throw OpArgs.error(ctx, "minval and maxval must both be int32 or int64, got " + dtype + " and " + hi.dtype());
    }
    if (lo.rank() != 0) {
      throw OpArgs.error(ctx, "minval must be 0-D, got shape " + OpArgs.dims(lo.shape()));
    }
    if (hi.rank() != 0) {
      throw OpArgs.error(ctx, "maxval must be 0-D, got shape " + OpArgs.dims(hi.shape()));
    }
    Tensor out = ctx.allocateOutput(0, dtype, shapeArg(ctx));
    long n = out.numElements();
    if (n == 0) {
      return;
    }
    long min = OpArgs.index(lo, 0);
    long max = OpArgs.index(hi, 0);
    if (min >= max) {
      throw OpArgs.error(ctx, "Need minval < maxval, got " + min + " >= " + max);
    }
    PhiloxStream stream = stream(ctx);
    long[] base = stream.reserve(Math.multiplyExact(n, (long) RESERVED_PER_OUTPUT));
    long key = stream.key();
    boolean i32 = dtype == DType.INT32;
    int perGroup = i32 ? 4 : 2;
    long range = max - min; // as unsigned: the full int64 range wraps to a negative long
    long address = out.address();
    ctx.intraOp().parallelFor((n + perGroup - 1) / perGroup, 4096, (start, end) -> {
      int[] w = new int[4];
      for (long g = start; g < end; g++) {
        Philox.block(key, base[0], base[1], g, w);
        long first = g * perGroup;
        int count = (int) Math.min(perGroup, n - first);
        for (int i = 0; i < count; i++) {
          if (i32) {
            MemoryUtil.putInt(address + (first + i) * 4, (int) min + Integer.remainderUnsigned(w[i], (int) range));
          } else {
            long bits = (w[2 * i] & 0xFFFFFFFFL) | ((long) w[2 * i + 1] << 32);
            MemoryUtil.putLong(address + (first + i) * 8, min + Long.remainderUnsigned(bits, range));
          }
        }
      }
    });
  }

  // ---- RandomShuffle(value; seed, seed2)

  public static List<TensorSpec> inferShuffle(InferenceContext ctx) {
    return List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0)));
  }

  /**
   * Shuffles the first dimension exactly as TF's CPU kernel does, so the same seeds give TF's permutation: for
   * {@code n} rows it reserves {@code ceil((n - 1) / 4)} Philox blocks (the {@code n - 1} 32-bit words it draws)
   * and, for {@code i = 0 .. n - 2}, swaps row {@code i} with row {@code i + word[i] % (n - i)}. An input of at
   * most one element or one row passes through without drawing, as in TF.
   */
  public static void shuffle(KernelContext ctx) {
    Tensor in = ctx.input(0);
    if (in.numElements() <= 1 || in.shape().dim(0) <= 1) {
      ctx.setOutput(0, in.share());
      return;
    }
    int rows = Math.toIntExact(in.shape().dim(0));
    PhiloxStream s = stream(ctx);
    long[] base = s.reserve((rows - 1 + 3) / 4);
    int[] perm = new int[rows];
    for (int i = 0; i < rows; i++) {
      perm[i] = i;
    }
    int[] words = new int[4];
    for (int i = 0; i < rows - 1; i++) {
      if (i % 4 == 0) {
        Philox.block(s.key(), base[0], base[1], i / 4, words);
      }
      int j = i + Integer.remainderUnsigned(words[i % 4], rows - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    long inner = in.shape().innerElements();
    RunOutputs.write(ctx, 0, in.dtype(), in.shape(), wr -> {
      for (int p : perm) {
        wr.copy(in, p * inner, inner);
      }
    }, null);
  }
}
