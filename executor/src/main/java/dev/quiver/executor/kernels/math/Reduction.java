package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sum, Prod, Max, Min, All, Any and Mean over any set of axes. Dims are grouped into runs of kept and reduced
 * dims; each reduced group, innermost first, is folded as an {@code [outer, r, inner]} view of the previous
 * stage, so every stage reads memory in order. Float32 sums run on vector accumulators in blocks, folded
 * into a double, so long sums keep float32-pairwise-like accuracy.
 *
 * <p>Integer sums and products wrap in their dtype, as TF's do. An integer Mean does not: like TF's CPU kernel
 * it sums int8/int16/int32/uint8 in int64 (the stages between are int64 temporaries), divides by the count
 * truncating toward zero and narrows the quotient, which always fits; int64 sums wrap in int64 before the
 * division, as in TF ({@code mean(int8[100, 100, 1]) == 67}, {@code mean(int32[MAX, MAX]) == MAX}).
 */
public final class Reduction {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int BLOCK = 4096;
  private static final int COLUMN_BLOCK = 2048;
  /** Elements per buffer view of a float32 sum (its byte offsets are ints). */
  private static final int VIEW_ELEMENTS = 1 << 28;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private Reduction() {}

  public static Kernel kernel(Reducer reducer, boolean mean) {
    return ctx -> compute(ctx, reducer, mean);
  }

  private static void compute(KernelContext ctx, Reducer reducer, boolean mean) {
    Tensor x = ctx.input(0);
    boolean[] reduced = Axes.mask(ctx, ctx.input(1), x.rank());
    Shape outShape = Axes.reducedShape(x.shape(), reduced, ctx.attrs().getBool("keep_dims"));
    DType t = x.dtype();
    long[] dims = x.shape().dims();
    long count = 1;
    List<long[]> groups = new ArrayList<>(); // {size, reduced ? 1 : 0}
    for (int d = 0; d < dims.length; d++) {
      if (reduced[d]) {
        count *= dims[d];
      }
      if (dims[d] == 1) {
        continue;
      }
      int flag = reduced[d] ? 1 : 0;
      if (!groups.isEmpty() && groups.get(groups.size() - 1)[1] == flag) {
        groups.get(groups.size() - 1)[0] *= dims[d];
      } else {
        groups.add(new long[] {dims[d], flag});
      }
    }
    if (groups.stream().noneMatch(g -> g[1] == 1)) {
      ctx.setOutput(0, x.reshape(outShape)); // nothing to fold: every reduced dim has size 1
      return;
    }
    Tensor out = ctx.allocateUninitializedOutput(0, t, outShape);
    if (x.numElements() == 0) {
      fillIdentity(out, reducer, mean);
      return;
    }
    boolean wideMean = mean && !t.isFloating();
    DType stageType = wideMean ? DType.INT64 : t; // what every stage writes
    Tensor wide = wideMean ? Tensor.allocateUninitialized(ctx.allocator(), DType.INT64, outShape) : null;
    try {
      fold(ctx, reducer, x, groups, wide != null ? wide : out, stageType);
      if (wideMean) {
        divideNarrowing(wide, out, count);
      } else if (mean) {
        divide(out, count);
      }
    } finally {
      if (wide != null) {
        wide.close();
      }
    }
  }

  /**
   * Runs the stages, innermost reduced group first, from {@code x} into {@code dst}; each stage reads the
   * previous stage's dtype ({@code x}'s for the first) and writes {@code stageType}.
   */
  private static void fold(KernelContext ctx, Reducer reducer, Tensor x, List<long[]> groups, Tensor dst0,
                           DType stageType) {
    Tensor src = null; // the previous stage's temporary, if any
    DType srcType = x.dtype();
    try {
      long srcAddr = x.address();
      while (true) {
        int j = groups.size() - 1;
        while (groups.get(j)[1] == 0) {
          j--;
        }
        long outer = 1;
        for (int g = 0; g < j; g++) {
          outer *= groups.get(g)[0];
        }
        long r = groups.get(j)[0];
        long inner = 1;
        for (int g = j + 1; g < groups.size(); g++) {
          inner *= groups.get(g)[0];
        }
        List<long[]> next = new ArrayList<>(groups.subList(0, j));
        if (inner > 1) {
          if (!next.isEmpty() && next.get(next.size() - 1)[1] == 0) {
            next.get(next.size() - 1)[0] *= inner;
          } else {
            next.add(new long[] {inner, 0});
          }
        }
        boolean last = next.stream().noneMatch(g -> g[1] == 1);
        Tensor dst = last ? dst0 : Tensor.allocateUninitialized(ctx.allocator(), stageType, Shape.of(outer * inner));
        reduce(reducer, srcType, stageType, srcAddr, dst.address(), outer, r, inner, ctx.intraOp());
        if (src != null) {
          src.close();
          src = null;
        }
        if (last) {
          break;
        }
        src = dst;
        srcAddr = dst.address();
        srcType = stageType;
        groups = next;
      }
    } finally {
      if (src != null) {
        src.close();
      }
    }
  }

  private static void fillIdentity(Tensor out, Reducer reducer, boolean mean) {
    DType t = out.dtype();
    int w = t.byteWidth();
    for (long i = 0; i < out.numElements(); i++) {
      if (t.isFloating()) {
        Elements.writeDouble(t, out.address() + i * w, mean ? Double.NaN : reducer.identityD());
      } else {
        Elements.writeLong(t, out.address() + i * w, mean ? 0 : reducer.identityL(t));
      }
    }
  }

  /** {@code out = wide / count} (int64, truncating), narrowed to {@code out}'s integer dtype. */
  private static void divideNarrowing(Tensor wide, Tensor out, long count) {
    DType t = out.dtype();
    int w = t.byteWidth();
    long p = wide.address();
    long q = out.address();
    for (long i = 0; i < out.numElements(); i++) {
      Elements.writeLong(t, q + i * w, Memory.getLong(p + i * 8) / count);
    }
  }

  private static void divide(Tensor out, long count) {
    DType t = out.dtype();
    int w = t.byteWidth();
    long p = out.address();
    for (long i = 0; i < out.numElements(); i++) {
      if (t.isFloating()) {
        Elements.writeDouble(t, p + i * w, Elements.readDouble(t, p + i * w) / count);
      } else {
        Elements.writeLong(t, p + i * w, Elements.readLong(t, p + i * w) / count);
      }
    }
  }

  /** Folds the {@code [outer, r, inner]} array at {@code in} over its middle dim into {@code [outer, inner]} at {@code out}. */
  public static void reduce(Reducer red, DType t, long in, long out, long outer, long r, long inner,
                            IntraOpPool pool) {
    reduce(red, t, t, in, out, outer, r, inner, pool);
  }

  /**
   * As {@link #reduce(Reducer, DType, long, long, long, long, long, IntraOpPool)}, reading {@code t} and writing
   * {@code ot} (the same compute class: an integer dtype may be written as a wider one).
   */
  static void reduce(Reducer red, DType t, DType ot, long in, long out, long outer, long r, long inner,
                     IntraOpPool pool) {
    int w = t.byteWidth();
    int ow = ot.byteWidth();
    if (inner == 1) {
      int parts = pool.parallelism();
      if (outer >= 2L * parts || r < ElementwiseBinary.MIN_CHUNK) {
        pool.parallelFor(outer, Math.max(1, ElementwiseBinary.MIN_CHUNK / r), (s, e) -> {
          for (long o = s; o < e; o++) {
            storeRow(red, t, ot, out + o * ow, in + o * r * w, r);
          }
        });
        return;
      }
      for (long o = 0; o < outer; o++) {
        long row = in + o * r * w;
        double[] pd = new double[parts];
        long[] pl = new long[parts];
        pool.parallelFor(parts, 1, (s, e) -> {
          for (int p = (int) s; p < e; p++) {
            long from = r * p / parts;
            long to = r * (p + 1) / parts;
            if (t.isFloating()) {
              pd[p] = rowD(red, t, row + from * w, to - from);
            } else {
              pl[p] = rowL(red, t, row + from * w, to - from);
            }
          }
        });
        double d = t.isFloating() ? red.identityD() : 0;
        long l = red.identityL(t);
        for (int p = 0; p < parts; p++) {
          if (t.isFloating()) {
            d = red.d(d, pd[p]);
          } else {
            l = red.l(l, pl[p]);
          }
        }
        store(ot, out + o * ow, d, l);
      }
      return;
    }
    long blocks = (inner + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    pool.parallelFor(outer * blocks, Math.max(1, ElementwiseBinary.MIN_CHUNK / (r * COLUMN_BLOCK)), (s, e) -> {
      for (long task = s; task < e; task++) {
        long o = task / blocks;
        long c0 = (task % blocks) * COLUMN_BLOCK;
        long c1 = Math.min(inner, c0 + COLUMN_BLOCK);
        columns(red, t, ot, in + (o * r * inner) * w, out + (o * inner) * ow, r, inner, c0, c1);
      }
    });
  }

  private static void storeRow(Reducer red, DType t, DType ot, long dst, long row, long n) {
    if (t.isFloating()) {
      Elements.writeDouble(ot, dst, rowD(red, t, row, n));
    } else {
      Elements.writeLong(ot, dst, rowL(red, t, row, n));
    }
  }

  private static void store(DType t, long dst, double d, long l) {
    if (t.isFloating()) {
      Elements.writeDouble(t, dst, d);
    } else {
      Elements.writeLong(t, dst, l);
    }
  }

  static double rowD(Reducer red, DType t, long p, long n) {
    if (t == DType.FLOAT32 && red == Reducer.SUM) {
      return sumF32(p, n);
    }
    double acc = red.identityD();
    int w = t.byteWidth();
    if (t == DType.FLOAT32) {
      for (long k = 0; k < n; k++) {
        acc = red.d(acc, Memory.getFloat(p + k * 4));
      }
    } else {
      for (long k = 0; k < n; k++) {
        acc = red.d(acc, Memory.getDouble(p + k * w));
      }
    }
    return acc;
  }

  static long rowL(Reducer red, DType t, long p, long n) {
    long acc = red.identityL(t);
    int w = t.byteWidth();
    for (long k = 0; k < n; k++) {
      acc = red.l(acc, Elements.readLong(t, p + k * w));
    }
    return acc;
  }

  /**
   * A float32 sum: four vector accumulators per block of {@value #BLOCK} elements, blocks added in double. One
   * buffer view spans many blocks (a view costs an object and a reflective constructor call).
   */
  static double sumF32(long p, long n) {
    double total = 0;
    for (long v = 0; v < n; v += VIEW_ELEMENTS) {
      int len = (int) Math.min(VIEW_ELEMENTS, n - v);
      total += sumF32(Memory.view(p + v * 4, len * 4L), len);
    }
    return total;
  }

  private static double sumF32(ByteBuffer view, int n) {
    double total = 0;
    int step = F.length();
    for (int b = 0; b < n; b += BLOCK) {
      int end = Math.min(n, b + BLOCK);
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = FloatVector.zero(F);
      FloatVector a2 = FloatVector.zero(F);
      FloatVector a3 = FloatVector.zero(F);
      int i = b;
      for (int ub = end - 4 * step; i <= ub; i += 4 * step) {
        a0 = a0.add(FloatVector.fromByteBuffer(F, view, i * 4, LE));
        a1 = a1.add(FloatVector.fromByteBuffer(F, view, (i + step) * 4, LE));
        a2 = a2.add(FloatVector.fromByteBuffer(F, view, (i + 2 * step) * 4, LE));
        a3 = a3.add(FloatVector.fromByteBuffer(F, view, (i + 3 * step) * 4, LE));
      }
      float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
      for (; i < end; i++) {
        s += view.getFloat(i * 4);
      }
      total += s;
    }
    return total;
  }

  /** Folds columns {@code [c0, c1)} of an {@code [r, inner]} block into {@code dst[c0, c1)}. */
  private static void columns(Reducer red, DType t, DType ot, long src, long dst, long r, long inner, long c0,
                              long c1) {
    int w = t.byteWidth();
    int ow = ot.byteWidth();
    if (t.isFloating()) {
      // accumulate in double: float32 column sums over many rows would otherwise lose their small terms
      int len = (int) (c1 - c0);
      double[] acc = new double[len];
      java.util.Arrays.fill(acc, red.identityD());
      for (long k = 0; k < r; k++) {
        long row = src + (k * inner + c0) * w;
        if (t == DType.FLOAT32 && red == Reducer.SUM) {
          for (int c = 0; c < len; c++) {
            acc[c] += Memory.getFloat(row + c * 4L);
          }
        } else {
          for (int c = 0; c < len; c++) {
            acc[c] = red.d(acc[c], Elements.readDouble(t, row + (long) c * w));
          }
        }
      }
      for (int c = 0; c < len; c++) {
        Elements.writeDouble(ot, dst + (c0 + c) * ow, acc[c]);
      }
    } else {
      for (long c = c0; c < c1; c++) {
        Elements.writeLong(ot, dst + c * ow, red.identityL(t));
      }
      for (long k = 0; k < r; k++) {
        long row = src + k * inner * w;
        for (long c = c0; c < c1; c++) {
          Elements.writeLong(ot, dst + c * ow,
              red.l(Elements.readLong(ot, dst + c * ow), Elements.readLong(t, row + c * w)));
        }
      }
    }
  }

  static InvalidArgumentException error(KernelContext ctx, String message) {
    return new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': " + message);
  }
}
