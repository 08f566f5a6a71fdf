package dev.quiver.executor.differential;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Generated cases for the sparse ops (SparseToDense, SparseTensorDenseMatMul, SparseReduceSum) on COO inputs,
 * checked by {@code ops_sparse.py} against numpy computations on the dense equivalent: sorted and unsorted,
 * repeated and out-of-range indices, empty sparse tensors and empty dense dims, every dtype each op takes.
 */
class SparseDifferentialTest extends DifferentialSuite {
  private static final DType[] ALL = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32, DType.INT64,
      DType.UINT8, DType.BOOL, DType.STRING};
  private static final DType[] NUMERIC = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32,
      DType.INT64, DType.UINT8};

  private Gen g;
  private CaseSink sink;

  @Override
  protected void generate(Random random, CaseSink sink) {
    this.g = new Gen(random, sink.allocator());
    this.sink = sink;
    for (int k = 0; k < 60; k++) {
      sparseToDense(k);
    }
    for (int k = 0; k < 45; k++) {
      denseMatMul(k);
    }
    for (int k = 0; k < 60; k++) {
      reduceSum(k);
    }
  }

  private int nextInt(int bound) {
    return g.random().nextInt(bound);
  }

  /** Shape of rank 1..maxRank. */
  private long[] denseShape(int maxRank) {
    long[] s = g.dims(maxRank - 1);
    long[] r = new long[s.length + 1];
    System.arraycopy(s, 0, r, 1, s.length);
    r[0] = nextInt(6);
    return r;
  }

  /** Row-major positions of {@code n} distinct elements of {@code shape}, as [n, rank] coordinates, sorted. */
  private long[][] coordinates(long[] shape, int n) {
    long total = Shape.of(shape).numElements();
    List<Long> flat = new ArrayList<>();
    for (long i = 0; i < total; i++) {
      flat.add(i);
    }
    Collections.shuffle(flat, g.random());
    List<Long> chosen = new ArrayList<>(flat.subList(0, (int) Math.min(n, total)));
    Collections.sort(chosen);
    long[][] c = new long[chosen.size()][shape.length];
    for (int i = 0; i < c.length; i++) {
      long f = chosen.get(i);
      for (int d = shape.length - 1; d >= 0; d--) {
        c[i][d] = f % shape[d];
        f /= shape[d];
      }
    }
    return c;
  }

  /** Defects a case may carry; each makes TF fail (or, unvalidated, changes nothing). */
  private enum Defect { NONE, UNSORTED, REPEATED, OUT_OF_RANGE }

  private Defect defect(int k) {
    return k % 10 == 3 ? Defect.UNSORTED : k % 10 == 6 ? Defect.REPEATED : k % 10 == 8 ? Defect.OUT_OF_RANGE
        : Defect.NONE;
  }

  private long[][] spoil(long[][] c, long[] shape, Defect d) {
    List<long[]> rows = new ArrayList<>(List.of(c));
    if (d == Defect.UNSORTED && rows.size() >= 2) {
      Collections.reverse(rows);
    } else if (d == Defect.REPEATED && !rows.isEmpty()) {
      rows.add(rows.get(rows.size() - 1).clone());
    } else if (d == Defect.OUT_OF_RANGE) {
      long[] bad = new long[shape.length];
      int dim = nextInt(shape.length);
      bad[dim] = g.random().nextBoolean() ? shape[dim] : -1;
      rows.add(bad);
    }
    return rows.toArray(new long[0][]);
  }

  private Tensor indices(long[][] c, int rank, boolean int64) {
    long[] flat = new long[c.length * rank];
    for (int i = 0; i < c.length; i++) {
      System.arraycopy(c[i], 0, flat, i * rank, rank);
    }
    return int64 ? Tensor.of(sink.allocator(), flat, c.length, rank) : g.indices(Shape.of(c.length, rank), flat);
  }

  private void sparseToDense(int k) {
    long[] shape = denseShape(3);
    long[][] c = spoil(coordinates(shape, nextInt(8)), shape, defect(k));
    DType t = ALL[nextInt(ALL.length)];
    boolean validate = nextInt(4) > 0 || defect(k) == Defect.OUT_OF_RANGE;
    if (!validate && defect(k) == Defect.REPEATED) {
      validate = true; // which repeated value wins is unspecified without validation
    }
    Tensor ix = indices(c, shape.length, false);
    Tensor shapeT = ix.dtype() == DType.INT64 ? Tensor.of(sink.allocator(), shape, shape.length)
        : Tensor.of(sink.allocator(), java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray(), shape.length);
    Tensor values = nextInt(5) == 0 ? g.scalar(t) : g.tensor(t, Shape.of(c.length));
    sink.accept(new DifferentialCase("SparseToDense", Attrs.of("validate_indices", validate),
        List.of(ix, shapeT, values, g.scalar(t))));
  }

  private void denseMatMul(int k) {
    DType t = new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32}[k % 3];
    long m = nextInt(5);
    long n = 1 + nextInt(5);
    long inner = nextInt(6);
    boolean adjA = g.random().nextBoolean();
    boolean adjB = g.random().nextBoolean();
    long[] aShape = adjA ? new long[] {inner, m} : new long[] {m, inner};
    Defect d = defect(k) == Defect.UNSORTED ? Defect.NONE : defect(k);
    long[][] c = spoil(coordinates(aShape, nextInt(10)), aShape, d == Defect.OUT_OF_RANGE && aShape[0] * aShape[1] == 0
        ? Defect.NONE : d);
    Tensor b = g.tensor(t, adjB ? Shape.of(n, inner) : Shape.of(inner, n));
    sink.accept(new DifferentialCase("SparseTensorDenseMatMul", Attrs.of("adjoint_a", adjA, "adjoint_b", adjB),
        List.of(indices(c, 2, g.random().nextBoolean()), g.tensor(t, Shape.of(c.length)),
            Tensor.of(sink.allocator(), aShape, 2), b)));
  }

  private void reduceSum(int k) {
    long[] shape = denseShape(4);
    Defect d = defect(k) == Defect.OUT_OF_RANGE ? Defect.NONE : defect(k);
    long[][] c = spoil(coordinates(shape, nextInt(12)), shape, d);
    DType t = NUMERIC[nextInt(NUMERIC.length)];
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < shape.length; i++) {
      if (g.random().nextBoolean()) {
        axes.add(g.random().nextBoolean() ? i : i - shape.length);
      }
    }
    if (k % 12 == 5) {
      axes.add(shape.length); // out of range
    }
    int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
    sink.accept(new DifferentialCase("SparseReduceSum", Attrs.of("keep_dims", g.random().nextBoolean()),
        List.of(indices(c, shape.length, true), g.tensor(t, Shape.of(c.length)),
            Tensor.of(sink.allocator(), shape, shape.length), Tensor.of(sink.allocator(), ax, ax.length))));
  }
}
