package dev.quiver.executor.differential;

import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.differential.DifferentialCase.Placeholders;
import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.UnaryOp;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Generated cases for every math, nn and linalg op and dtype, checked against numpy by {@code ops_math.py}. */
class MathDifferentialTest extends DifferentialSuite {
  private static final DType[] NUMERIC = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32,
      DType.INT64, DType.UINT8};
  private static final DType[] ALL = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32, DType.INT64,
      DType.UINT8, DType.BOOL};
  private static final DType[] WITH_STRING = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32,
      DType.INT64, DType.UINT8, DType.BOOL, DType.STRING};

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

  /** Whether zero divisors matter: the integer divisions fail on them, the float ones give Inf and NaN. */
  private static boolean divides(BinaryOp op) {
    return op.dividesIntegers();
  }

  /**
   * Every binary op over every dtype it takes: eight cases each over every broadcasting pattern, two of them with
   * zero divisors for the divisions (TF's "Integer division by zero" on integers, Inf/NaN on floats) and the
   * others with non-zero divisors so results are checked; one case per dtype TF rejects; broadcast failures;
   * big cases that split over the pool; generated strings for the string ops.
   */
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
          boolean zeros = divides(op) && i >= 6;
          Tensor x = g.tensor(t, a);
          Tensor y = op == BinaryOp.POW && t.isInteger() ? g.smallInts(t, b, i == 7 ? -2 : 0, 6)
              : zeros ? g.withZeros(t, b) : g.tensor(t, b, divides(op) && t.isInteger());
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(x, y)));
        }
      }
      for (DType t : WITH_STRING) {
        if (!op.accepts(t)) {
          Shape s = g.shape(2);
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(g.tensor(t, s), g.tensor(t, s))));
        }
      }
      DType t = types(op).get(0);
      for (int i = 0; i < 2; i++) {
        Shape[] bad = g.incompatible();
        sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(g.tensor(t, bad[0]), g.tensor(t, bad[1]))));
      }
    }
    // big enough to split over the pool and run the vector loops, with a broadcast row
    for (String op : new String[] {"AddV2", "Mul", "Maximum", "RealDiv", "Sub"}) {
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32}) {
        if (op.equals("RealDiv") && t == DType.INT32) {
          continue;
        }
        sink.accept(new DifferentialCase(op, Attrs.empty(),
            List.of(g.tensor(t, Shape.of(300, 257)), g.tensor(t, Shape.of(257), true))));
      }
    }
    // strings: concatenation and (in)equality of generated values, empty and multi-byte UTF-8 included
    for (String op : new String[] {"Add", "Equal", "NotEqual"}) {
      for (int i = 0; i < 10; i++) {
        Shape out = g.shape(3);
        Tensor x = g.strings(g.broadcastable(out));
        Tensor y = i % 3 == 0 ? x.share() : g.strings(g.broadcastable(out));
        sink.accept(new DifferentialCase(op, Attrs.empty(), List.of(x, y)));
      }
    }
    dynamicBinaries(g, sink);
  }

  /**
   * The dynamic-shapes path: placeholders of unknown dims, so the kernel broadcasts (or fails, in TF's run-time
   * words "Incompatible shapes: [2,3] vs. [5,3]") from the fed shapes; strings and bools included.
   */
  private void dynamicBinaries(Gen g, CaseSink sink) {
    DType[] numeric = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.INT8};
    for (String op : new String[] {"AddV2", "Sub", "Mul", "FloorDiv", "Maximum", "Less", "Equal", "LogicalAnd", "Add"}) {
      for (int i = 0; i < 6; i++) {
        DType t = op.equals("LogicalAnd") ? DType.BOOL : op.equals("Add") && i % 2 == 0 ? DType.STRING
            : numeric[g.random().nextInt(numeric.length)];
        Shape out = g.shape(4);
        Shape[] shapes = i >= 4 ? g.incompatible() : new Shape[] {g.broadcastable(out), g.broadcastable(out)};
        Tensor x = g.tensor(t, shapes[0]);
        Tensor y = g.tensor(t, shapes[1], op.equals("FloorDiv"));
        sink.accept(new DifferentialCase(op, Attrs.empty(), List.of(x, y), Placeholders.UNKNOWN_DIMS));
      }
    }
  }

  /**
   * Every unary op over every dtype it takes (twelve cases per float dtype for the float functions, four per
   * dtype for the others), one case per dtype TF rejects, AddN over 1 to 5 inputs, and Softmax/LogSoftmax over
   * the last axis (empty rows and rows with NaN and Inf included) and, composed as TF composes them, over others.
   */
  private void unaries(Gen g, CaseSink sink) {
    for (UnaryOp op : UnaryOp.values()) {
      int perType = op.kind() == UnaryOp.Kind.FLOATING || op.kind() == UnaryOp.Kind.PREDICATE ? 12
          : op.kind() == UnaryOp.Kind.LOGICAL ? 24 : 4;
      for (DType t : WITH_STRING) {
        if (!op.accepts(t)) {
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(g.tensor(t, g.shape(2)))));
          continue;
        }
        for (int i = 0; i < perType; i++) {
          Shape s = i == 0 ? Shape.of(40 + g.random().nextInt(100)) : g.shape(3);
          sink.accept(new DifferentialCase(op.tfName(), Attrs.empty(), List.of(g.tensor(t, s))));
        }
      }
    }
    for (DType t : NUMERIC) {
      for (int k = 0; k < 4; k++) {
        Shape s = k == 0 ? Shape.of(100) : g.shape(3);
        int n = 1 + g.random().nextInt(5);
        List<Tensor> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          in.add(t.isInteger() && k == 1 ? g.extremes(t, s) : g.tensor(t, s));
        }
        sink.accept(new DifferentialCase("AddN", Attrs.of("N", (long) n), in));
      }
    }
    for (String op : new String[] {"Softmax", "LogSoftmax"}) {
      String composite = op.equals("Softmax") ? "tf.nn.softmax" : "tf.nn.log_softmax";
      for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int i = 0; i < 14; i++) {
          Shape s = g.shape(3);
          if (s.rank() == 0) {
            s = Shape.of(5);
          }
          if (i == 0) {
            s = Shape.of(3, 0); // empty rows
          }
          Tensor x = i % 4 == 1 ? g.nanHeavy(t, s) : g.tensor(t, s);
          sink.accept(new DifferentialCase(op, Attrs.empty(), List.of(x)));
        }
        for (int i = 0; i < 8; i++) {
          Shape s = g.shape(3);
          if (s.rank() < 2) {
            s = Shape.of(3, 4);
          }
          int rank = s.rank();
          int axis = g.random().nextInt(rank - 1) - (g.random().nextBoolean() ? rank : 0); // never the last
          Tensor x = i % 4 == 1 ? g.nanHeavy(t, s) : g.tensor(t, s);
          boolean log = op.equals("LogSoftmax");
          sink.accept(new DifferentialCase(composite, Attrs.of("axis", (long) axis), List.of(x),
              (tf, in) -> List.of(log ? tf.nn.logSoftmax(in.get(0), axis) : tf.nn.softmax(in.get(0), axis))));
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

  /**
   * SelectV2 over every dtype, strings included (their bytes are copied, not decoded), every broadcasting pattern,
   * on static placeholders and on placeholders of unknown dims (broadcast when the step runs), and shapes that do
   * not broadcast (TF's build-time and run-time errors differ).
   */
  private void selects(Gen g, CaseSink sink) {
    for (DType t : WITH_STRING) {
      for (int i = 0; i < (t == DType.STRING ? 8 : 4); i++) {
        Shape out = g.shape(3);
        sink.accept(new DifferentialCase("SelectV2", Attrs.empty(), List.of(g.tensor(DType.BOOL, g.broadcastable(out)),
            g.tensor(t, g.broadcastable(out)), g.tensor(t, g.broadcastable(out))),
            i % 2 == 1 ? Placeholders.UNKNOWN_DIMS : Placeholders.STATIC));
      }
    }
    for (int i = 0; i < 6; i++) {
      DType t = WITH_STRING[g.random().nextInt(WITH_STRING.length)];
      Shape[] bad = g.incompatible();
      Shape c = i % 3 == 0 ? bad[0] : g.broadcastable(bad[0]);
      Shape x = i % 3 == 0 ? g.broadcastable(bad[1]) : bad[1];
      Shape y = i % 3 == 2 ? bad[0] : g.broadcastable(bad[0]);
      sink.accept(new DifferentialCase("SelectV2", Attrs.empty(), List.of(g.tensor(DType.BOOL, c), g.tensor(t, x),
          g.tensor(t, y)), i % 2 == 0 ? Placeholders.UNKNOWN_DIMS : Placeholders.STATIC));
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
      for (int i = 0; i < 12; i++) {
        reduction(g, sink, op, DType.BOOL, i);
      }
    }
    // integer sums that overflow: Sum wraps, Mean (summed in int64 by TF) does not, except for int64
    for (String op : new String[] {"Sum", "Mean"}) {
      for (DType t : new DType[] {DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8}) {
        for (int i = 0; i < 3; i++) {
          Shape s = i == 0 ? Shape.of(100 + g.random().nextInt(200)) : Shape.of(2 + i, 30, 1 + g.random().nextInt(4));
          int[] axes = i == 0 ? new int[] {0} : i == 1 ? new int[] {1} : new int[] {0, 2};
          sink.accept(new DifferentialCase(op, Attrs.of("keep_dims", i == 2),
              List.of(g.extremes(t, s), Tensor.of(sink.allocator(), axes, axes.length))));
        }
      }
    }
    for (String op : new String[] {"ArgMax", "ArgMin"}) {
      for (DType t : ALL) {
        int n = t.isFloating() ? 10 : 4;
        for (int i = 0; i < n; i++) {
          Shape s = g.shape(3);
          if (s.rank() == 0 || s.numElements() == 0 && g.random().nextBoolean()) {
            s = Shape.of(2 + g.random().nextInt(5), 1 + g.random().nextInt(3));
          }
          int axis = g.random().nextInt(2 * s.rank()) - s.rank();
          // NaN first, in the middle, last, all-NaN rows and infinities: TF skips NaNs
          Tensor x = t.isFloating() && i % 2 == 1 ? g.nanHeavy(t, s) : g.tensor(t, s);
          sink.accept(new DifferentialCase(op, Attrs.of("output_type", i % 2 == 0 ? DType.INT64 : DType.INT32),
              List.of(x, Tensor.scalar(sink.allocator(), axis))));
        }
      }
    }
    allAxesOfUnknownRank(g, sink);
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

  /** A tf.math.reduce_* function over every axis ({@code int[0]}), keeping the reduced dims as 1 or not. */
  @FunctionalInterface
  private interface AllAxes {
    Output reduce(Ops tf, Output x, boolean keepDims);
  }

  /**
   * tf.math.reduce_* without axes on placeholders of unknown rank: the facade then reduces over Range(0, Rank(x)),
   * computed when the step runs (scalars included: no axes, the identity).
   */
  private void allAxesOfUnknownRank(Gen g, CaseSink sink) {
    Map<String, AllAxes> functions = new LinkedHashMap<>();
    functions.put("tf.math.reduce_sum", (tf, x, k) -> tf.math.reduceSum(x, new int[0], k));
    functions.put("tf.math.reduce_mean", (tf, x, k) -> tf.math.reduceMean(x, new int[0], k));
    functions.put("tf.math.reduce_max", (tf, x, k) -> tf.math.reduceMax(x, new int[0], k));
    functions.put("tf.math.reduce_min", (tf, x, k) -> tf.math.reduceMin(x, new int[0], k));
    functions.put("tf.math.reduce_prod", (tf, x, k) -> tf.math.reduceProd(x, new int[0], k));
    functions.put("tf.math.reduce_all", (tf, x, k) -> tf.math.reduceAll(x, new int[0], k));
    functions.put("tf.math.reduce_any", (tf, x, k) -> tf.math.reduceAny(x, new int[0], k));
    for (Map.Entry<String, AllAxes> f : functions.entrySet()) {
      String name = f.getKey();
      AllAxes fn = f.getValue();
      boolean logical = name.endsWith("_all") || name.endsWith("_any");
      for (int i = 0; i < 4; i++) {
        DType t = logical ? DType.BOOL : NUMERIC[g.random().nextInt(NUMERIC.length)];
        Shape s = i == 0 ? Shape.scalar() : g.shape(4);
        boolean keep = i % 2 == 1;
        sink.accept(new DifferentialCase(name, Attrs.of("keep_dims", keep), List.of(g.tensor(t, s)),
            (tf, in) -> List.of(fn.reduce(tf, in.get(0), keep)), Placeholders.UNKNOWN_RANK));
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
        sink.accept(new DifferentialCase("MatMul", Attrs.of("transpose_a", ta, "transpose_b", tb), List.of(a, b),
            i % 3 == 2 ? Placeholders.UNKNOWN_DIMS : Placeholders.STATIC));
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
        sink.accept(new DifferentialCase("BatchMatMulV2", Attrs.of("adj_x", ta, "adj_y", tb), List.of(a, b),
            i == 3 ? Placeholders.UNKNOWN_DIMS : Placeholders.STATIC));
      }
      // TF 1's BatchMatMul: equal ranks and equal batch dims, no broadcasting
      for (int i = 0; i < 4; i++) {
        long[] batch = g.shape(2).dims();
        int m = 1 + g.random().nextInt(5);
        int n = 1 + g.random().nextInt(5);
        int k = g.random().nextInt(6);
        boolean ta = g.random().nextBoolean();
        boolean tb = g.random().nextBoolean();
        Tensor a = g.tensor(t, Shape.of(concat(batch, ta ? k : m, ta ? m : k)));
        Tensor b = g.tensor(t, Shape.of(concat(batch, tb ? n : k, tb ? k : n)));
        sink.accept(new DifferentialCase("BatchMatMul", Attrs.of("adj_x", ta, "adj_y", tb), List.of(a, b),
            Placeholders.values()[i % 3]));
      }
    }
    matmulShapeErrors(g, sink);
  }

  /**
   * Shapes TF's matrix products reject, on static placeholders (its shape functions' words) and on ones of unknown
   * dims or rank (its kernels' words): inner dims that differ, batch dims BatchMatMul (V1) does not broadcast but
   * V2 does, batch dims neither broadcasts, and V1's unequal ranks.
   */
  private void matmulShapeErrors(Gen g, CaseSink sink) {
    for (int i = 0; i < 18; i++) {
      Placeholders declared = i % 3 == 0 ? Placeholders.STATIC : i % 3 == 1 ? Placeholders.UNKNOWN_DIMS
          : Placeholders.UNKNOWN_RANK;
      int m = 1 + g.random().nextInt(4);
      int n = 1 + g.random().nextInt(4);
      int k = 1 + g.random().nextInt(4);
      int batch = 2 + g.random().nextInt(3);
      long[][] shapes;
      String[] ops;
      switch (i / 3) {
        case 0: // inner dims differ
          shapes = new long[][] {{m, k}, {k + 1, n}};
          ops = new String[] {"MatMul", "BatchMatMul", "BatchMatMulV2"};
          break;
        case 1: // batch dims broadcast: V1 rejects, V2 takes them
          shapes = new long[][] {{batch, m, k}, {1, k, n}};
          ops = new String[] {"BatchMatMul", "BatchMatMulV2"};
          break;
        case 2: // unequal ranks: V1 rejects, V2 broadcasts
          shapes = new long[][] {{m, k}, {batch, k, n}};
          ops = new String[] {"BatchMatMul", "BatchMatMulV2"};
          break;
        case 3: // batch dims that do not broadcast
          shapes = new long[][] {{batch, m, k}, {batch + 1, k, n}};
          ops = new String[] {"BatchMatMul", "BatchMatMulV2"};
          break;
        case 4: // inner dims differ under equal batch dims
          shapes = new long[][] {{batch, m, k}, {batch, k + 2, n}};
          ops = new String[] {"BatchMatMul", "BatchMatMulV2"};
          break;
        default: // rank 1
          shapes = new long[][] {{k}, {k, n}};
          ops = new String[] {"BatchMatMul", "BatchMatMulV2"};
      }
      for (String op : ops) {
        if (op.equals("MatMul") && declared == Placeholders.UNKNOWN_RANK) {
          continue;
        }
        Attrs attrs = op.equals("MatMul") ? Attrs.of("transpose_a", false, "transpose_b", false)
            : Attrs.of("adj_x", false, "adj_y", false);
        sink.accept(new DifferentialCase(op, attrs, List.of(g.tensor(DType.FLOAT32, Shape.of(shapes[0])),
            g.tensor(DType.FLOAT32, Shape.of(shapes[1]))), declared));
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
    // unknown dims: the placeholders declare only ranks, so the composite reads the dims when the step runs
    for (int i = 0; i < 6; i++) {
      int m = g.random().nextInt(4);
      int k = 1 + g.random().nextInt(4);
      int n = g.random().nextInt(4);
      Tensor a = g.tensor(DType.FLOAT32, Shape.of(2, m, k));
      Tensor b = g.tensor(DType.FLOAT32, Shape.of(k, n));
      sink.accept(new DifferentialCase("tf.linalg.tensordot", Attrs.of("axes_a", new long[] {2}, "axes_b",
          new long[] {0}), List.of(a, b), (tf, in) -> List.of(tf.linalg.tensordot(in.get(0), in.get(1), new int[] {-1},
          new int[] {0})), true));
      Tensor c = g.tensor(DType.FLOAT64, Shape.of(k, 3, m));
      Tensor d = g.tensor(DType.FLOAT64, Shape.of(m, n, k));
      sink.accept(new DifferentialCase("tf.linalg.tensordot", Attrs.of("axes_a", new long[] {0, 2}, "axes_b",
          new long[] {2, 0}), List.of(c, d), (tf, in) -> List.of(tf.linalg.tensordot(in.get(0), in.get(1),
          new int[] {0, 2}, new int[] {2, 0})), true));
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
