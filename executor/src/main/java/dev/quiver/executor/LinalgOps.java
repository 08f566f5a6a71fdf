package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tf.linalg} namespace of the {@link Ops} facade: matrix products. Thread-safe as {@link Scope} is.
 */
public final class LinalgOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public LinalgOps(Scope scope) {
    this.scope = scope;
  }

  /** {@code a @ b}. */
  public Output matMul(Output a, Output b) {
    return matMul(a, b, false, false);
  }

  /**
   * {@code op(a) @ op(b)}, transposing the last two dims where asked: TF's MatMul for two matrices, its
   * BatchMatMulV2 (batch dims broadcast) for higher ranks, as {@code tf.linalg.matmul}.
   */
  public Output matMul(Output a, Output b, boolean transposeA, boolean transposeB) {
    if (a.shape().rank() == 2 && b.shape().rank() == 2) {
      return scope.addOp("MatMul", "MatMul", Attrs.of("transpose_a", transposeA, "transpose_b", transposeB), a, b)
          .output(0);
    }
    return batchMatMul(a, b, transposeA, transposeB);
  }

  /** TF's BatchMatMulV2: {@code adjX}/{@code adjY} transpose the last two dims (the adjoint, for real dtypes). */
  public Output batchMatMul(Output x, Output y, boolean adjX, boolean adjY) {
    return scope.addOp("BatchMatMulV2", "MatMul", Attrs.of("adj_x", adjX, "adj_y", adjY), x, y).output(0);
  }

  /** Contracts the last {@code axes} dims of {@code a} with the first {@code axes} dims of {@code b}. */
  public Output tensordot(Output a, Output b, int axes) {
    int ra = rankOf(a);
    int[] aa = new int[axes];
    int[] bb = new int[axes];
    for (int i = 0; i < axes; i++) {
      aa[i] = ra - axes + i;
      bb[i] = i;
    }
    return tensordot(a, b, aa, bb);
  }

  /**
   * Sums the products of {@code a} and {@code b} over the paired axes {@code axesA[i]} and {@code axesB[i]},
   * as {@code tf.tensordot}: both operands are transposed so the contracted axes meet, flattened to matrices,
   * multiplied, and reshaped to the free dims of a followed by those of b. With fully known shapes the reshapes
   * take constants and, as in TF, a transpose or reshape that would change nothing is left out; otherwise, as TF
   * does, they are computed from {@code tf.shape} when the step runs (ranks must be known).
   *
   * <p>Named as TF names it: the helper ops under {@code Tensordot/} ({@code Tensordot/transpose},
   * {@code Tensordot/Reshape}, {@code Tensordot/MatMul}) and the final Reshape {@code Tensordot}, or this scope's
   * name. Where no final Reshape is needed, the MatMul takes that name (TF leaves it {@code Tensordot/MatMul}),
   * so the op returned always has the name asked for.
   */
  public Output tensordot(Output a, Output b, int[] axesA, int[] axesB) {
    if (axesA.length != axesB.length) {
      throw new IllegalArgumentException("tensordot pairs " + axesA.length + " axes of a with " + axesB.length
          + " of b");
    }
    Shape sa = a.shape();
    Shape sb = b.shape();
    rankOf(a);
    rankOf(b);
    int[] ca = normalize(axesA, sa.rank());
    int[] cb = normalize(axesB, sb.rank());
    for (int i = 0; i < ca.length; i++) {
      if (sa.dim(ca[i]) >= 0 && sb.dim(cb[i]) >= 0 && sa.dim(ca[i]) != sb.dim(cb[i])) {
        throw new IllegalArgumentException("tensordot: dim " + ca[i] + " of a (" + sa.dim(ca[i]) + ") does not match dim "
            + cb[i] + " of b (" + sb.dim(cb[i]) + ")");
      }
    }
    List<Integer> freeA = free(sa.rank(), ca);
    List<Integer> freeB = free(sb.rank(), cb);
    OpScope op = scope.opScope("Tensordot");
    if (!sa.isFullyDefined() || !sb.isFullyDefined()) {
      return dynamicTensordot(op, a, b, ca, cb, freeA, freeB);
    }
    long k = 1;
    for (int d : ca) {
      k *= sa.dim(d);
    }
    long m = 1;
    List<Long> outDims = new ArrayList<>();
    for (int d : freeA) {
      m *= sa.dim(d);
      outDims.add(sa.dim(d));
    }
    long n = 1;
    for (int d : freeB) {
      n *= sb.dim(d);
      outDims.add(sb.dim(d));
    }
    ArrayOps h = new ArrayOps(op.helpers());
    Output ma = reshapeIfNeeded(h, transposeIfNeeded(h, a, concat(freeA, ca)), m, k);
    Output mb = reshapeIfNeeded(h, transposeIfNeeded(h, b, concat(toList(cb), freeB)), k, n);
    long[] od = outDims.stream().mapToLong(Long::longValue).toArray();
    Attrs attrs = Attrs.of("transpose_a", false, "transpose_b", false);
    if (Shape.of(od).equals(Shape.of(m, n))) {
      return op.output("MatMul", attrs, ma, mb);
    }
    Output prod = op.helpers().addOp("MatMul", "MatMul", attrs, ma, mb).output(0);
    return op.output("Reshape", Attrs.empty(), prod, ArrayOps.ints(op, "shape", od));
  }

  /** tensordot whose reshapes take the products of dims read by Shape and GatherV2 when the step runs. */
  private static Output dynamicTensordot(OpScope op, Output a, Output b, int[] ca, int[] cb, List<Integer> freeA,
                                         List<Integer> freeB) {
    Scope s = op.helpers();
    ArrayOps h = new ArrayOps(s);
    Output shapeA = h.shape(a);
    Output shapeB = h.shape(b);
    Output freeDimsA = dims(s, shapeA, toArray(freeA));
    Output freeDimsB = dims(s, shapeB, toArray(freeB));
    Output ma = h.reshape(transposeIfNeeded(h, a, concat(freeA, ca)),
        join(s, product(s, freeDimsA), product(s, dims(s, shapeA, ca))));
    Output mb = h.reshape(transposeIfNeeded(h, b, concat(toList(cb), freeB)),
        join(s, product(s, dims(s, shapeB, cb)), product(s, freeDimsB)));
    Output prod = s.addOp("MatMul", "MatMul", Attrs.of("transpose_a", false, "transpose_b", false), ma, mb).output(0);
    return op.output("Reshape", Attrs.empty(), prod, join(s, freeDimsA, freeDimsB));
  }

  /** The entries {@code which} of the 1-D {@code shape}. */
  private static Output dims(Scope s, Output shape, int[] which) {
    return s.addOp("GatherV2", "GatherV2", Attrs.of("batch_dims", 0L), shape, s.constant(which, DType.INT32),
        s.constant(0, DType.INT32)).output(0);
  }

  /** The product of a 1-D int32 vector, as a vector of one element. */
  private static Output product(Scope s, Output dims) {
    return s.addOp("Prod", "Prod", Attrs.of("keep_dims", true), dims,
        s.constant(new int[] {0}, DType.INT32)).output(0);
  }

  private static Output join(Scope s, Output x, Output y) {
    return s.addOp("ConcatV2", "concat", Attrs.empty(), x, y, s.constant(0, DType.INT32)).output(0);
  }

  private static int[] toArray(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int rankOf(Output x) {
    int r = x.shape().rank();
    if (r < 0) {
      throw new IllegalArgumentException("tensordot needs a known rank; " + x + " has none");
    }
    return r;
  }

  private static int[] normalize(int[] axes, int rank) {
    int[] r = new int[axes.length];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < axes.length; i++) {
      int a = axes[i] < 0 ? axes[i] + rank : axes[i];
      if (a < 0 || a >= rank || seen[a]) {
        throw new IllegalArgumentException("axis " + axes[i] + " is out of range or repeated for rank " + rank);
      }
      seen[a] = true;
      r[i] = a;
    }
    return r;
  }

  private static List<Integer> free(int rank, int[] contracted) {
    List<Integer> f = new ArrayList<>();
    outer:
    for (int d = 0; d < rank; d++) {
      for (int c : contracted) {
        if (c == d) {
          continue outer;
        }
      }
      f.add(d);
    }
    return f;
  }

  private static List<Integer> toList(int[] a) {
    List<Integer> l = new ArrayList<>();
    for (int x : a) {
      l.add(x);
    }
    return l;
  }

  private static int[] concat(List<Integer> first, int[] second) {
    return concat(first, toList(second));
  }

  private static int[] concat(List<Integer> first, List<Integer> second) {
    int[] r = new int[first.size() + second.size()];
    for (int i = 0; i < first.size(); i++) {
      r[i] = first.get(i);
    }
    for (int i = 0; i < second.size(); i++) {
      r[first.size() + i] = second.get(i);
    }
    return r;
  }

  /** {@code x} transposed by {@code perm} in {@code h}, or {@code x} itself if {@code perm} is the identity. */
  private static Output transposeIfNeeded(ArrayOps h, Output x, int[] perm) {
    boolean identity = true;
    for (int i = 0; i < perm.length; i++) {
      identity &= perm[i] == i;
    }
    return identity ? x : h.transpose(x, perm);
  }

  /** {@code x} reshaped to {@code dims} in {@code h}, or {@code x} itself if it has that shape already. */
  private static Output reshapeIfNeeded(ArrayOps h, Output x, long... dims) {
    return x.shape().equals(Shape.of(dims)) ? x : h.reshape(x, dims);
  }
}
