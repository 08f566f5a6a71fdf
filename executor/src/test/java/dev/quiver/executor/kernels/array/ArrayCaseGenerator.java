package dev.quiver.executor.kernels.array;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random cases for the array ops' differential test against numpy ({@code ops_array.py}): shapes with empty
 * and size-1 dims, negative indices and axes, every strided-slice mask combination, string and numeric
 * dtypes, and arguments that should be rejected.
 */
final class ArrayCaseGenerator {
  /** One op invocation: inputs as (dtype, shape, flat data) plus attributes. */
  record Case(String op, List<Input> inputs, Map<String, Object> attrs) {}

  record Input(DType dtype, long[] shape, Object[] data) {}

  private final Random rnd;

  ArrayCaseGenerator(long seed) {
    this.rnd = new Random(seed);
  }

  private long[] shape(int maxRank) {
    int rank = rnd.nextInt(maxRank + 1);
    long[] d = new long[rank];
    for (int i = 0; i < rank; i++) {
      int p = rnd.nextInt(10);
      d[i] = p == 0 ? 0 : p < 3 ? 1 : 2 + rnd.nextInt(3);
    }
    return d;
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** A data tensor of a random dtype among int32, float64 and string. */
  private Input data(long[] shape) {
    DType t = new DType[] {DType.INT32, DType.FLOAT64, DType.STRING}[rnd.nextInt(3)];
    return data(shape, t);
  }

  private Input data(long[] shape, DType t) {
    Object[] v = new Object[(int) count(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = t == DType.STRING ? "s" + "x".repeat(rnd.nextInt(3)) + i : t == DType.FLOAT64 ? i + 0.5 : (Object) i;
    }
    return new Input(t, shape, v);
  }

  private static Input ints(long... v) {
    Object[] d = new Object[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return new Input(DType.INT32, new long[] {v.length}, d);
  }

  private static Input matrix(long[] flat, int cols) {
    Object[] d = new Object[flat.length];
    for (int i = 0; i < flat.length; i++) {
      d[i] = flat[i];
    }
    return new Input(DType.INT32, new long[] {flat.length / cols, cols}, d);
  }

  private static Input scalar(DType t, Object v) {
    return new Input(t, new long[0], new Object[] {v});
  }

  private static Case of(String op, Map<String, Object> attrs, Input... inputs) {
    return new Case(op, List.of(inputs), attrs);
  }

  private long[] permutation(int n) {
    List<Long> l = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      l.add(i);
    }
    java.util.Collections.shuffle(l, rnd);
    return l.stream().mapToLong(Long::longValue).toArray();
  }

  List<Case> cases() {
    List<Case> c = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      long[] s = shape(4);
      c.add(of("Transpose", Map.of(), data(s), ints(permutation(s.length))));
      long[] m = new long[s.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = rnd.nextInt(3);
      }
      c.add(of("Tile", Map.of(), data(s), ints(m)));
      long[] p = new long[s.length * 2];
      for (int i = 0; i < p.length; i++) {
        p[i] = rnd.nextInt(3);
      }
      c.add(of("Pad", Map.of(), data(s, DType.INT32), matrix(p, 2)));
      c.add(of("PadV2", Map.of(), data(s, DType.FLOAT64), matrix(p, 2), scalar(DType.FLOAT64, -1.5)));
      c.add(of("MirrorPad", Map.of("mode", rnd.nextBoolean() ? "REFLECT" : "SYMMETRIC"), data(s), matrix(p, 2)));
      long[] axes = permutation(s.length);
      axes = java.util.Arrays.copyOf(axes, rnd.nextInt(s.length + 1));
      for (int i = 0; i < axes.length; i++) {
        axes[i] = rnd.nextBoolean() ? axes[i] - s.length : axes[i];
      }
      c.add(of("ReverseV2", Map.of(), data(s), ints(axes)));
      long[] begin = new long[s.length];
      long[] size = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        begin[i] = rnd.nextInt((int) s[i] + 2);
        size[i] = rnd.nextInt(4) == 0 ? -1 : rnd.nextInt((int) s[i] + 1);
      }
      c.add(of("Slice", Map.of(), data(s), ints(begin), ints(size)));
      long[] target = new long[s.length + rnd.nextInt(2)];
      for (int i = 0; i < target.length; i++) {
        int src = i - (target.length - s.length);
        target[i] = src < 0 ? rnd.nextInt(3) : s[src] == 1 ? rnd.nextInt(3) : s[src];
      }
      c.add(of("BroadcastTo", Map.of(), data(s), ints(target)));
    }
    for (int k = 0; k < 160; k++) {
      c.add(stridedSlice());
    }
    // Every value of each mask over a three-entry spec of a rank-3 input, the other masks clear.
    for (String mask : new String[] {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"}) {
      for (long v = 0; v < 8; v++) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put(mask, v);
        c.add(of("StridedSlice", attrs, data(new long[] {3, 4, 2}), ints(1, -1, 0), ints(3, 0, 1), ints(1, -2, 1)));
      }
    }
    for (int k = 0; k < 30; k++) {
      long[] s = shape(3);
      if (s.length == 0) {
        continue;
      }
      int axis = rnd.nextInt(s.length);
      DType t = new DType[] {DType.INT32, DType.STRING}[rnd.nextInt(2)];
      int n = 1 + rnd.nextInt(3);
      Input[] in = new Input[n + 1];
      for (int i = 0; i < n; i++) {
        long[] si = s.clone();
        si[axis] = rnd.nextInt(3);
        in[i] = data(si, t);
      }
      in[n] = scalar(DType.INT32, rnd.nextBoolean() ? axis : axis - s.length);
      if (n > 1) {
        c.add(of("ConcatV2", Map.of(), in));
      }
      Input[] same = new Input[n];
      for (int i = 0; i < n; i++) {
        same[i] = data(s, t);
      }
      c.add(of("Pack", Map.of("axis", (long) (rnd.nextInt(s.length + 2) - 1)), same));
      c.add(gather(s));
      c.add(gatherNd(s));
    }
    for (int k = 0; k < 10; k++) {
      long[] s = shape(2);
      Object[] ix = new Object[(int) count(s)];
      for (int i = 0; i < ix.length; i++) {
        ix[i] = (long) (rnd.nextInt(6) - 1);
      }
      long axis = rnd.nextInt(s.length + 1) - (rnd.nextBoolean() ? 0 : 0);
      c.add(of("OneHot", Map.of("axis", rnd.nextBoolean() ? -1L : axis), new Input(DType.INT64, s, ix),
          scalar(DType.INT32, 4), scalar(DType.FLOAT64, 2.5), scalar(DType.FLOAT64, -1.0)));
      int start = rnd.nextInt(10) - 5;
      int limit = rnd.nextInt(10) - 5;
      int delta = rnd.nextInt(7) - 3;
      c.add(of("Range", Map.of(), scalar(DType.INT32, start), scalar(DType.INT32, limit), scalar(DType.INT32, delta)));
    }
    return c;
  }

  private Case stridedSlice() {
    long[] s = shape(4);
    int n = rnd.nextInt(s.length + 2);
    long[] b = new long[n];
    long[] e = new long[n];
    long[] st = new long[n];
    for (int i = 0; i < n; i++) {
      int d = i < s.length ? (int) s[i] : 3;
      b[i] = rnd.nextInt(2 * d + 3) - d - 1;
      e[i] = rnd.nextInt(2 * d + 3) - d - 1;
      st[i] = new long[] {1, 1, 2, -1, -2, 3}[rnd.nextInt(6)];
    }
    int all = n == 0 ? 0 : (1 << n) - 1;
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("begin_mask", (long) (rnd.nextInt(all + 1)));
    attrs.put("end_mask", (long) (rnd.nextInt(all + 1)));
    attrs.put("ellipsis_mask", n == 0 || rnd.nextInt(3) > 0 ? 0L : 1L << rnd.nextInt(n));
    attrs.put("new_axis_mask", rnd.nextInt(3) > 0 ? 0L : (long) rnd.nextInt(all + 1));
    attrs.put("shrink_axis_mask", rnd.nextInt(3) > 0 ? 0L : (long) rnd.nextInt(all + 1));
    return of("StridedSlice", attrs, data(s), ints(b), ints(e), ints(st));
  }

  private Case gather(long[] p) {
    int axis = rnd.nextInt(p.length);
    int bd = rnd.nextInt(axis + 1);
    long[] ixShape = new long[bd + rnd.nextInt(3)];
    for (int i = 0; i < ixShape.length; i++) {
      ixShape[i] = i < bd ? p[i] : rnd.nextInt(4);
    }
    Object[] ix = new Object[(int) count(ixShape)];
    for (int i = 0; i < ix.length; i++) {
      ix[i] = (long) (p[axis] == 0 ? 0 : rnd.nextInt((int) p[axis] + (rnd.nextInt(20) == 0 ? 1 : 0)));
    }
    Map<String, Object> attrs = Map.of("batch_dims", (long) bd);
    return of("GatherV2", attrs, data(p), new Input(DType.INT32, ixShape, ix),
        scalar(DType.INT32, rnd.nextBoolean() ? axis : axis - p.length));
  }

  private Case gatherNd(long[] p) {
    int bd = rnd.nextInt(3) == 0 ? rnd.nextInt(p.length) : 0;
    int k = 1 + rnd.nextInt(p.length - bd);
    boolean rowsDim = bd == 0 || rnd.nextBoolean();
    long[] ixShape = new long[bd + (rowsDim ? 2 : 1)];
    System.arraycopy(p, 0, ixShape, 0, bd);
    if (rowsDim) {
      ixShape[bd] = rnd.nextInt(4);
    }
    ixShape[ixShape.length - 1] = k;
    Object[] ix = new Object[(int) count(ixShape)];
    for (int i = 0; i < ix.length; i++) {
      long d = p[bd + i % k];
      ix[i] = (long) (d == 0 ? 0 : rnd.nextInt((int) d));
    }
    Map<String, Object> attrs = bd == 0 ? Map.of() : Map.of("batch_dims", (long) bd);
    return of("GatherNd", attrs, data(p), new Input(DType.INT64, ixShape, ix));
  }

  static Shape shapeOf(Input in) {
    return Shape.of(in.shape());
  }
}
