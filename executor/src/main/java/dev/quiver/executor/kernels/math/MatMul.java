package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.ShapeFunction;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * MatMul ({@code transpose_a}/{@code transpose_b}), BatchMatMulV2 ({@code adj_x}/{@code adj_y}, batch dims
 * broadcast as numpy's matmul) and BatchMatMul (V1: TF 1's op, whose inputs need equal ranks and equal batch
 * dims). float32 runs on {@link Sgemm}; float64, int32 and int64 on a plain loop (integer products wrap). Shape
 * errors carry TF 2.21's words, which differ between build time and run time as TF's do.
 */
public final class MatMul {
  private MatMul() {}

  private static boolean accepts(DType t) {
    return t == DType.FLOAT32 || t == DType.FLOAT64 || t == DType.INT32 || t == DType.INT64;
  }

  public static ShapeFunction matMulShape() {
    return ctx -> {
      DType t = MathShapes.sameDType(ctx, 0, 1);
      if (!accepts(t)) {
        throw MathShapes.unsupported(ctx, t);
      }
      Shape a = ctx.inputShape(0);
      Shape b = ctx.inputShape(1);
      for (Shape s : new Shape[] {a, b}) {
        if (s.rank() >= 0 && s.rank() != 2) {
          throw ctx.error("Shape must be rank 2 but is rank " + s.rank());
        }
      }
      boolean ta = ctx.attrs().getBool("transpose_a");
      boolean tb = ctx.attrs().getBool("transpose_b");
      return List.of(new TensorSpec(t, product(ctx, a, ta, b, tb, Shape.scalar())));
    };
  }

  /**
   * BatchMatMulV2's shapes ({@code broadcast}: batch dims broadcast, ranks may differ) or BatchMatMul's (V1: equal
   * ranks and equal batch dims, unknown ones merged with known ones), with TF's build-time messages.
   */
  public static ShapeFunction batchMatMulShape(boolean broadcast) {
    return ctx -> {
      DType t = MathShapes.sameDType(ctx, 0, 1);
      if (!accepts(t)) {
        throw MathShapes.unsupported(ctx, t);
      }
      Shape a = ctx.inputShape(0);
      Shape b = ctx.inputShape(1);
      for (Shape s : new Shape[] {a, b}) {
        if (s.rank() >= 0 && s.rank() < 2) {
          throw ctx.error("Shape must be at least rank 2 but is rank " + s.rank());
        }
      }
      boolean ta = ctx.attrs().getBool("adj_x");
      boolean tb = ctx.attrs().getBool("adj_y");
      if (broadcast && (a.hasUnknownRank() || b.hasUnknownRank())) {
        return List.of(new TensorSpec(t, Shape.unknown()));
      }
      if (broadcast) {
        Shape batch = MathShapes.broadcast(ctx, batchOf(a), batchOf(b));
        return List.of(new TensorSpec(t, product(ctx, matrixOf(a), ta, matrixOf(b), tb, batch)));
      }
      Shape batch = mergeBatches(ctx, a, b);
      return List.of(new TensorSpec(t, batch.hasUnknownRank() ? Shape.unknown()
          : product(ctx, matrixOf(a), ta, matrixOf(b), tb, batch)));
    };
  }

  /** V1's batch dims: the merge of both inputs' (unknown dims take the other's), or a build-time error. */
  private static Shape mergeBatches(InferenceContext ctx, Shape a, Shape b) {
    if (a.hasUnknownRank()) {
      return b.hasUnknownRank() ? Shape.unknown() : batchOf(b);
    }
    if (b.hasUnknownRank()) {
      return batchOf(a);
    }
    Shape ba = batchOf(a);
    Shape bb = batchOf(b);
    if (ba.rank() != bb.rank()) {
      throw ctx.error("Shapes must be equal rank, but are " + ba.rank() + " and " + bb.rank());
    }
    long[] d = new long[ba.rank()];
    for (int i = 0; i < d.length; i++) {
      long x = ba.dim(i);
      long y = bb.dim(i);
      if (x >= 0 && y >= 0 && x != y) {
        throw ctx.error("Dimension " + i + " in both shapes must be equal, but are " + x + " and " + y
            + ". Shapes are " + Broadcast.tfShape(ba) + " and " + Broadcast.tfShape(bb) + ".");
      }
      d[i] = x >= 0 ? x : y;
    }
    return Shape.of(d);
  }

  /** The last two dims, or two unknown dims for an unknown rank. */
  private static Shape matrixOf(Shape s) {
    return s.hasUnknownRank() ? Shape.unknownDims(2) : Shape.of(s.dim(-2), s.dim(-1));
  }

  private static Shape batchOf(Shape s) {
    return Shape.of(Arrays.copyOf(s.dims(), s.rank() - 2));
  }

  private static Shape product(InferenceContext ctx, Shape a, boolean ta, Shape b, boolean tb, Shape batch) {
    long m = a.rank() < 0 ? -1 : a.dim(ta ? 1 : 0);
    long ka = a.rank() < 0 ? -1 : a.dim(ta ? 0 : 1);
    long kb = b.rank() < 0 ? -1 : b.dim(tb ? 1 : 0);
    long n = b.rank() < 0 ? -1 : b.dim(tb ? 0 : 1);
    if (ka >= 0 && kb >= 0 && ka != kb) {
      throw ctx.error("Dimensions must be equal, but are " + ka + " and " + kb);
    }
    long[] bd = batch.dims();
    long[] d = Arrays.copyOf(bd, bd.length + 2);
    d[bd.length] = m;
    d[bd.length + 1] = n;
    return Shape.of(d);
  }

  public static void computeMatMul(KernelContext ctx) {
    compute(ctx, ctx.attrs().getBool("transpose_a"), ctx.attrs().getBool("transpose_b"));
  }

  public static void computeBatch(KernelContext ctx) {
    compute(ctx, ctx.attrs().getBool("adj_x"), ctx.attrs().getBool("adj_y"));
  }

  private static void compute(KernelContext ctx, boolean ta, boolean tb) {
    Tensor a = ctx.input(0);
    Tensor b = ctx.input(1);
    Shape batch = runtimeBatch(ctx, a.shape(), b.shape());
    int m = Math.toIntExact(a.shape().dim(ta ? -1 : -2));
    int k = Math.toIntExact(a.shape().dim(ta ? -2 : -1));
    int kb = Math.toIntExact(b.shape().dim(tb ? -1 : -2));
    int n = Math.toIntExact(b.shape().dim(tb ? -2 : -1));
    if (k != kb) {
      throw error(ctx, "Matrix size-incompatible: In[0]: " + Broadcast.tfShape(a.shape()) + ", In[1]: "
          + Broadcast.tfShape(b.shape()));
    }
    long[] bd = batch.dims();
    long[] od = Arrays.copyOf(bd, bd.length + 2);
    od[bd.length] = m;
    od[bd.length + 1] = n;
    Tensor out = ctx.allocateUninitializedOutput(0, a.dtype(), Shape.of(od));
    if (out.numElements() == 0) {
      return;
    }
    Broadcast plan = Broadcast.plan(batch, batchOf(a.shape()), batchOf(b.shape()));
    int w = a.dtype().byteWidth();
    long aStride = (long) m * k * w;
    long bStride = (long) k * n * w;
    long cStride = (long) m * n * w;
    DType t = a.dtype();
    boolean small = (long) m * n * k < 64L * 64 * 64 && plan.size() > 1;
    IntraOpPool seq = small ? IntraOpPool.sequential() : null;
    plan.forEachRun(0, plan.size(), (o, idx, len) -> {
      IntraOpPool.RangeBody body = (s, e) -> {
        for (long q = s; q < e; q++) {
          long pa = a.address() + (idx[0] + q * plan.innerStride(0)) * aStride;
          long pb = b.address() + (idx[1] + q * plan.innerStride(1)) * bStride;
          long pc = out.address() + (o + q) * cStride;
          multiply(t, pa, ta, pb, tb, pc, m, n, k, small ? seq : ctx.intraOp());
        }
      };
      if (small) {
        ctx.intraOp().parallelFor(len, 1, body);
      } else {
        body.run(0, len);
      }
    });
  }

  /**
   * The batch dims of a run's inputs, checked in TF's kernels' order and words: MatMul takes matrices,
   * BatchMatMul (V1) equal ranks and batch dims, BatchMatMulV2 batch dims that broadcast.
   */
  private static Shape runtimeBatch(KernelContext ctx, Shape a, Shape b) {
    switch (ctx.opType()) {
      case "MatMul":
        if (a.rank() != 2 || b.rank() != 2) {
          throw error(ctx, "In[" + (a.rank() != 2 ? 0 : 1) + "] is not a matrix. Instead it has shape "
              + Broadcast.tfShape(a.rank() != 2 ? a : b));
        }
        return Shape.scalar();
      case "BatchMatMul":
        if (a.rank() != b.rank()) {
          throw error(ctx, "In[0] and In[1] has different ndims: " + Broadcast.tfShape(a) + " vs. "
              + Broadcast.tfShape(b));
        }
        if (a.rank() < 2) {
          throw error(ctx, "In[0] and In[1] ndims must be >= 2: " + a.rank());
        }
        for (int i = 0; i < a.rank() - 2; i++) {
          if (a.dim(i) != b.dim(i)) {
            throw error(ctx, "In[0].dim(" + i + ") and In[1].dim(" + i + ") must be the same: "
                + Broadcast.tfShape(a) + " vs " + Broadcast.tfShape(b));
          }
        }
        return batchOf(a);
      default:
        for (int i = 0; i < 2; i++) {
          Shape s = i == 0 ? a : b;
          if (s.rank() < 2) {
            throw error(ctx, "In[" + i + "] ndims must be >= 2: " + s.rank());
          }
        }
        try {
          return Broadcast.shapes(batchOf(a), batchOf(b));
        } catch (IllegalArgumentException e) {
          throw error(ctx, "In[0] and In[1] must have compatible batch dimensions: " + Broadcast.tfShape(a)
              + " vs. " + Broadcast.tfShape(b));
        }
    }
  }

  private static InvalidArgumentException error(KernelContext ctx, String message) {
    return new InvalidArgumentException(ctx.opType() + " op '" + ctx.opName() + "': " + message);
  }

  /** One matrix product of any supported dtype. */
  public static void multiply(DType t, long a, boolean ta, long b, boolean tb, long c, int m, int n, int k,
                              IntraOpPool pool) {
    if (t == DType.FLOAT32) {
      Sgemm.multiply(a, ta, b, tb, c, m, n, k, pool);
      return;
    }
    int w = t.byteWidth();
    pool.parallelFor(m, Math.max(1, ElementwiseBinary.MIN_CHUNK / Math.max(1, (long) n * k)), (s, e) -> {
      for (long i = s; i < e; i++) {
        for (int j = 0; j < n; j++) {
          double accD = 0;
          long accL = 0;
          for (int p = 0; p < k; p++) {
            long ea = a + (ta ? (long) p * m + i : i * k + p) * w;
            long eb = b + (tb ? (long) j * k + p : (long) p * n + j) * w;
            if (t == DType.FLOAT64) {
              accD += Elements.readDouble(t, ea) * Elements.readDouble(t, eb);
            } else {
              accL += Elements.readLong(t, ea) * Elements.readLong(t, eb);
            }
          }
          long ec = c + (i * n + j) * w;
          if (t == DType.FLOAT64) {
            Elements.writeDouble(t, ec, accD);
          } else {
            Elements.writeLong(t, ec, accL);
          }
        }
      }
    });
  }
}
