package dev.quiver.executor.differential;

import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.UnaryOp;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated cases for every math, nn and linalg op and dtype, checked against numpy by {@code ops_math.py}. */
class MathDifferentialTest extends DifferentialSuite {
  private static final DType[] NUMERIC = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32,
      DType.INT64, DType.UINT8};
  private static final DType[] ALL = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32, DType.INT64,
      DType.UINT8, DType.BOOL};

  @Override
  protected void generate(Random random, CaseSink sink) {
    Gen g = new Gen(random, sink.allocator());
    binaries(g, sink);
    unaries(g, sink);
    casts(g, sink);
    selects(g, sink);
    reductions(g, sink);
    matmuls(g, sink);
    tensordots(g, sink);
    composites(g, sink);
  }

  /**
   * tf.math.logical_xor (composed of LogicalOr, LogicalAnd and LogicalNot, as TF composes it) over every
   * broadcasting pattern, and tf.math.truediv on integers (cast to float32 for 8/16-bit, float64 for 32/64-bit,
   * then RealDiv: zero divisors give infinities and NaN, not errors).
   */
  private void composites(Gen g, CaseSink sink) {
    for (int i = 0; i < 12; i++) {
      Shape out = g.shape(3);
      sink.accept(new DifferentialCase("tf.math.logical_xor", Attrs.empty(),
          List.of(g.tensor(DType.BOOL, g.broadcastable(out)), g.tensor(DType.BOOL, g.broadcastable(out))),
          (tf, in) -> List.of(tf.math.logicalXor(in.get(0), in.get(1)))));
    }
    for (DType t : NUMERIC) {
      for (int i = 0; i < 4; i++) {
        Shape out = i == 0 ? Shape.of(33) : g.shape(3);
        sink.accept(new DifferentialCase("tf.math.truediv", Attrs.empty(),
            List.of(g.tensor(t, g.broadcastable(out)), g.tensor(t, g.broadcastable(out))),
            (tf, in) -> List.of(tf.math.truediv(in.get(0), in.get(1)))));
      }
    }
  }

  private static List<DType> types(BinaryOp op) {
    List<DType> l = new ArrayList<>();
    for (DType t : ALL) {
      if (op.accepts(t)) {
        l.add(t);
      }
    }
    return l;
  }

  private void binaries(Gen g, CaseSink sink) {
    for (BinaryOp op : BinaryOp.values()) {
      for (DType t : types(op)) {
        for (int i = 0; i < 8; i++) {
          Shape out = i < 2 ? Shape.of(17 + g.random().nextInt(40)) : g.shape(4);
          Shape a = i == 0 ? out : g.broadcastable(out);
          Shape b = i == 1 ? Shape.scalar() : g.broadcastable(out);
          if (g.random().nextBoolean()) {
            Shape tmp = a;
            a = b;
            b = tmp;
          }
          boolean safeDivisor = op.dividesIntegers() && t.isInteger() && i != 7;
          Tensor x = g.tensor(t, a);
          Tensor y = op == BinaryOp.POW && t.isInteger() ? g.smallInts(t, b, i == 7 ? -2 : 0, 6)
              : g.tensor(t, b, safeDivisor);
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(x, y)));
        }
      }
    }
    // big enough to split over the pool and run the vector loops, with a broadcast row
    for (String op : new String[] {"AddV2", "Mul", "Maximum", "RealDiv", "Sub"}) {
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32}) {
        sink.accept(new DifferentialCase(op, Attrs.empty(),
            List.of(g.tensor(t, Shape.of(300, 257)), g.tensor(t, Shape.of(257), true))));
      }
    }
    sink.accept(new DifferentialCase("Add", Attrs.empty(), List.of(
        dev.quiver.store.Tensor.of(sink.allocator(), new String[] {"a", "bc", ""}, 3),
        dev.quiver.store.Tensor.of(sink.allocator(), new String[] {"x"}, 1))));
    sink.accept(new DifferentialCase("Equal", Attrs.empty(), List.of(
        dev.quiver.store.Tensor.of(sink.allocator(), new String[] {"a", "bc", "", "é"}, 2, 2),
        dev.quiver.store.Tensor.of(sink.allocator(), new String[] {"a", "é"}, 2))));
  }

  private void unaries(Gen g, CaseSink sink) {
    for (UnaryOp op : UnaryOp.values()) {
      for (DType t : ALL) {
        if (!op.accepts(t)) {
          continue;
        }
        for (int i = 0; i < 4; i++) {
          Shape s = i == 0 ? Shape.of(40 + g.random().nextInt(100)) : g.shape(3);
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(g.tensor(t, s))));
        }
      }
    }
    for (DType t : NUMERIC) {
      Shape s = g.shape(3);
      int n = 1 + g.random().nextInt(4);
      List<Tensor> in = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        in.add(g.tensor(t, s));
      }
      sink.accept(new DifferentialCase("AddN", Attrs.of("N", (long) n), in));
    }
    for (String op : new String[] {"Softmax", "LogSoftmax"}) {
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int i = 0; i < 4; i++) {
          Shape s = g.shape(3);
          if (s.rank() == 0) {
            s = Shape.of(5);
          }
          sink.accept(new DifferentialCase(op, Attrs.empty(), List.of(g.tensor(t, s))));
        }
      }
    }
  }

  private void casts(Gen g, CaseSink sink) {
    for (DType from : ALL) {
      for (DType to : ALL) {
        for (int i = 0; i < 2; i++) {
          sink.accept(new DifferentialCase("Cast", Attrs.of("SrcT", from, "DstT", to),
              List.of(g.tensor(from, i == 0 ? Shape.of(64) : g.shape(3)))));
        }
      }
    }
  }

  private void selects(Gen g, CaseSink sink) {
    for (DType t : ALL) {
      for (int i = 0; i < 4; i++) {
        Shape out = g.shape(3);
        sink.accept(new DifferentialCase("SelectV2", Attrs.empty(), List.of(g.tensor(DType.BOOL, g.broadcastable(out)),
            g.tensor(t, g.broadcastable(out)), g.tensor(t, g.broadcastable(out)))));
      }
    }
  }

  private void reductions(Gen g, CaseSink sink) {
    String[] numeric = {"Sum", "Prod", "Max", "Min", "Mean"};
    for (String op : numeric) {
      for (DType t : NUMERIC) {
        for (int i = 0; i < 6; i++) {
          reduction(g, sink, op, t, i);
        }
      }
    }
    for (String op : new String[] {"All", "Any"}) {
      for (int i = 0; i < 6; i++) {
        reduction(g, sink, op, DType.BOOL, i);
      }
    }
    for (String op : new String[] {"ArgMax", "ArgMin"}) {
      for (DType t : NUMERIC) {
        for (int i = 0; i < 4; i++) {
          Shape s = g.shape(3);
          if (s.rank() == 0) {
            s = Shape.of(4);
          }
          int axis = g.random().nextInt(2 * s.rank()) - s.rank();
          sink.accept(new DifferentialCase(op, Attrs.of("output_type", i % 2 == 0 ? DType.INT64 : DType.INT32),
              List.of(g.tensor(t, s), Tensor.scalar(sink.allocator(), axis))));
        }
      }
    }
    for (String op : new String[] {"Cumsum", "Cumprod"}) {
      for (DType t : NUMERIC) {
        for (int i = 0; i < 4; i++) {
          Shape s = g.shape(3);
          if (s.rank() == 0) {
            s = Shape.of(6);
          }
          int axis = g.random().nextInt(2 * s.rank()) - s.rank();
          sink.accept(new DifferentialCase(op, Attrs.of("exclusive", i % 2 == 1, "reverse", i >= 2),
              List.of(g.tensor(t, s), Tensor.scalar(sink.allocator(), axis))));
        }
      }
    }
  }

  private void reduction(Gen g, CaseSink sink, String op, DType t, int i) {
    Shape s = i == 0 ? Shape.of(3000 + g.random().nextInt(2000)) : i == 1 ? Shape.of(40, 70, 30) : g.shape(4);
    int rank = s.rank();
    List<Integer> axes = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      if (g.random().nextBoolean()) {
        axes.add(g.random().nextBoolean() ? d : d - rank);
      }
    }
    if (i == 0) {
      axes = List.of(0);
    }
    int[] a = axes.stream().mapToInt(Integer::intValue).toArray();
    Tensor axesT = Tensor.of(sink.allocator(), a, a.length);
    sink.accept(new DifferentialCase(op, Attrs.of("keep_dims", g.random().nextBoolean()), List.of(g.tensor(t, s), axesT)));
  }

  private void matmuls(Gen g, CaseSink sink) {
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
      for (int i = 0; i < 6; i++) {
        int m = 1 + g.random().nextInt(i < 3 ? 8 : 70);
        int n = 1 + g.random().nextInt(i < 3 ? 8 : 70);
        int k = g.random().nextInt(i < 3 ? 8 : 300);
        boolean ta = g.random().nextBoolean();
        boolean tb = g.random().nextBoolean();
        Tensor a = g.tensor(t, ta ? Shape.of(k, m) : Shape.of(m, k));
        Tensor b = g.tensor(t, tb ? Shape.of(n, k) : Shape.of(k, n));
        sink.accept(new DifferentialCase("MatMul", Attrs.of("transpose_a", ta, "transpose_b", tb), List.of(a, b)));
      }
      for (int i = 0; i < 4; i++) {
        Shape batch = g.shape(2);
        int m = 1 + g.random().nextInt(5);
        int n = 1 + g.random().nextInt(5);
        int k = g.random().nextInt(6);
        boolean ta = g.random().nextBoolean();
        boolean tb = g.random().nextBoolean();
        long[] ba = g.broadcastable(batch).dims();
        long[] bb = g.broadcastable(batch).dims();
        Tensor a = g.tensor(t, Shape.of(concat(ba, ta ? k : m, ta ? m : k)));
        Tensor b = g.tensor(t, Shape.of(concat(bb, tb ? n : k, tb ? k : n)));
        sink.accept(new DifferentialCase("BatchMatMulV2", Attrs.of("adj_x", ta, "adj_y", tb), List.of(a, b)));
      }
    }
  }

  /**
   * tf.linalg.tensordot, composed of Transpose, Reshape and MatMul (TF's own composition), against numpy's
   * tensordot: random ranks up to 4 with 0 to 2 contracted axes paired in any order, negative axes included.
   */
  private void tensordots(Gen g, CaseSink sink) {
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
      for (int i = 0; i < 8; i++) {
        int rankA = 1 + g.random().nextInt(4);
        int rankB = 1 + g.random().nextInt(4);
        int pairs = g.random().nextInt(Math.min(2, Math.min(rankA, rankB)) + 1);
        long[] da = new long[rankA];
        long[] db = new long[rankB];
        for (int d = 0; d < rankA; d++) {
          da[d] = 1 + g.random().nextInt(6);
        }
        for (int d = 0; d < rankB; d++) {
          db[d] = 1 + g.random().nextInt(6);
        }
        List<Integer> freeA = new ArrayList<>();
        List<Integer> freeB = new ArrayList<>();
        for (int d = 0; d < rankA; d++) {
          freeA.add(d);
        }
        for (int d = 0; d < rankB; d++) {
          freeB.add(d);
        }
        java.util.Collections.shuffle(freeA, g.random());
        java.util.Collections.shuffle(freeB, g.random());
        long[] axesA = new long[pairs];
        long[] axesB = new long[pairs];
        for (int p = 0; p < pairs; p++) {
          int x = freeA.get(p);
          int y = freeB.get(p);
          db[y] = da[x]; // contracted dims agree
          axesA[p] = g.random().nextBoolean() ? x : x - rankA;
          axesB[p] = y;
        }
        Tensor a = g.tensor(t, Shape.of(da));
        Tensor b = g.tensor(t, Shape.of(db));
        int[] ia = java.util.Arrays.stream(axesA).mapToInt(v -> (int) v).toArray();
        int[] ib = java.util.Arrays.stream(axesB).mapToInt(v -> (int) v).toArray();
        sink.accept(new DifferentialCase("tf.linalg.tensordot", Attrs.of("axes_a", axesA, "axes_b", axesB),
            List.of(a, b), (tf, in) -> List.of(tf.linalg.tensordot(in.get(0), in.get(1), ia, ib))));
      }
    }
    // the integer form: the last `axes` dims of a against the first of b
    Tensor a = g.tensor(DType.FLOAT32, Shape.of(3, 4, 5));
    Tensor b = g.tensor(DType.FLOAT32, Shape.of(4, 5, 2));
    sink.accept(new DifferentialCase("tf.linalg.tensordot", Attrs.of("axes", 2L), List.of(a, b),
        (tf, in) -> List.of(tf.linalg.tensordot(in.get(0), in.get(1), 2))));
  }

  private static long[] concat(long[] a, long x, long y) {
    long[] r = java.util.Arrays.copyOf(a, a.length + 2);
    r[a.length] = x;
    r[a.length + 1] = y;
    return r;
  }
}
