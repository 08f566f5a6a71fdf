package dev.quiver.executor.kernels.array;

import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;

/**
 * The copy engine behind transpose, slicing, tiling, padding, reversing, broadcasting and axis gathers: an
 * output whose element at {@code (i0, ..., ik)} is source element {@code offsets[0][i0] + ... + offsets[k][ik]},
 * or the fill value where any term is {@link #FILL}.
 *
 * <p>Trailing axes whose offsets step through the source contiguously merge into one block, and along the
 * next axis out, neighbouring entries that continue each other merge into longer runs; each run is one
 * bulk copy. When the whole output is a single run, {@link #singleRun} lets the op return a view instead.
 */
public final class AxisGather implements RunSource {
  /** An offset entry meaning "the fill value here". */
  public static final long FILL = Long.MIN_VALUE;

  private final Tensor src;
  private final long[] dims;
  private final long[][] offsets;
  private final int axis; // innermost axis not merged into the block, or -1 if every axis merged
  private final long block; // elements of the merged trailing axes
  private final long base; // source offset the merged axes contribute
  private final long[] runSrc; // runs along `axis`: source offset (FILL for fill) and length in entries
  private final long[] runLen;
  private final int runs;
  private final long outer; // product of dims before `axis`
  private final long total;

  /**
   * @param src the source tensor (borrowed)
   * @param dims the output dims
   * @param offsets per output axis, one source element offset per index along it (or {@link #FILL})
   */
  public AxisGather(Tensor src, long[] dims, long[][] offsets) {
    this.src = src;
    this.dims = dims;
    this.offsets = offsets;
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    this.total = n;
    long b = 1;
    long shift = 0;
    int k = dims.length - 1;
    while (k >= 0 && n > 0) {
      long[] off = offsets[k];
      if (!steps(off, (int) dims[k], b)) {
        break;
      }
      shift += off[0];
      b *= dims[k];
      k--;
    }
    this.axis = n == 0 ? -1 : k;
    this.block = b;
    this.base = shift;
    long o = 1;
    for (int i = 0; i < k; i++) {
      o *= dims[i];
    }
    this.outer = o;
    if (axis >= 0) {
      long[] off = offsets[axis];
      int d = (int) dims[axis];
      long[] rs = new long[d];
      long[] rl = new long[d];
      int r = 0;
      for (int j = 0; j < d; ) {
        int e = j + 1;
        if (off[j] == FILL) {
          while (e < d && off[e] == FILL) {
            e++;
          }
          rs[r] = FILL;
        } else {
          while (e < d && off[e] != FILL && off[e] == off[e - 1] + b) {
            e++;
          }
          rs[r] = off[j] + shift;
        }
        rl[r++] = e - j;
        j = e;
      }
      this.runSrc = rs;
      this.runLen = rl;
      this.runs = r;
    } else {
      this.runSrc = null;
      this.runLen = null;
      this.runs = 0;
    }
  }

  /** Offsets {@code i * stride} for {@code i} in {@code [0, n)}: an axis read in order. */
  public static long[] stepping(long start, long stride, long n) {
    long[] r = new long[(int) n];
    for (int i = 0; i < n; i++) {
      r[i] = start + i * stride;
    }
    return r;
  }

  /** Row-major element strides of a shape. */
  public static long[] strides(Shape shape) {
    long[] d = shape.dims();
    long[] s = new long[d.length];
    long acc = 1;
    for (int i = d.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= d[i];
    }
    return s;
  }

  private static boolean steps(long[] off, int d, long b) {
    if (off[0] == FILL) {
      return false;
    }
    for (int i = 1; i < d; i++) {
      if (off[i] != off[0] + i * b) {
        return false;
      }
    }
    return true;
  }

  /** True if the output is one contiguous range of the source (see {@link #singleRunStart}). */
  public boolean singleRun() {
    return total > 0 && axis < 0;
  }

  /** The source element where the single run starts. */
  public long singleRunStart() {
    return base;
  }

  public long numElements() {
    return total;
  }

  @Override
  public void emit(RunWriter w) {
    emitRange(0, axis < 0 ? 1 : outer, w);
  }

  /** Emits the output for outer positions {@code [start, end)} (products of the dims before the run axis). */
  private void emitRange(long start, long end, RunWriter w) {
    if (total == 0) {
      return;
    }
    if (axis < 0) {
      w.copy(src, base, block);
      return;
    }
    int k = axis;
    long[] idx = new long[k];
    long rem = start;
    for (int i = k - 1; i >= 0; i--) {
      idx[i] = rem % dims[i];
      rem /= dims[i];
    }
    long rowElements = dims[axis] * block;
    for (long o = start; o < end; o++) {
      long at = 0;
      for (int i = 0; i < k; i++) {
        long v = offsets[i][(int) idx[i]];
        if (v == FILL) {
          at = FILL;
          break;
        }
        at += v;
      }
      if (at == FILL) {
        w.fill(rowElements);
      } else {
        for (int r = 0; r < runs; r++) {
          long len = runLen[r] * block;
          if (runSrc[r] == FILL) {
            w.fill(len);
          } else {
            w.copy(src, at + runSrc[r], len);
          }
        }
      }
      for (int i = k - 1; i >= 0; i--) {
        if (++idx[i] < dims[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
  }

  /**
   * Sets output {@code index} of {@code ctx}: a view of the source when the output is one run of it, else a
   * copy (parallel for fixed-width dtypes).
   *
   * @param fill the pad value (a scalar of the source dtype), or null for zero / the empty string
   */
  public void writeTo(dev.quiver.executor.ops.KernelContext ctx, int index, Shape shape, Tensor fill) {
    if (singleRun() && fill == null) {
      ctx.setOutput(index, RunOutputs.view(src, base, total, shape));
    } else if (src.dtype().isFixedWidth()) {
      writeFixed(ctx.allocateOutput(index, src.dtype(), shape), fill, ctx.intraOp());
    } else {
      RunOutputs.write(ctx, index, src.dtype(), shape, this, fill);
    }
  }

  /**
   * Writes a fixed-width output (freshly allocated, zero-filled) over the intra-op pool, each thread a
   * contiguous band of the output.
   */
  public void writeFixed(Tensor out, Tensor fill, IntraOpPool pool) {
    if (total == 0) {
      return;
    }
    if (axis < 0) {
      FixedRunWriter w = new FixedRunWriter(out, 0, fill);
      emit(w);
      w.flush();
      return;
    }
    long rowElements = dims[axis] * block;
    long rowBytes = Math.max(1, rowElements * out.dtype().byteWidth());
    long minRows = Math.max(1, RunOutputs.MIN_PARALLEL_BYTES / rowBytes);
    pool.parallelFor(outer, minRows, (s, e) -> {
      FixedRunWriter w = new FixedRunWriter(out, s * rowElements, fill);
      emitRange(s, e, w);
      w.flush();
    });
  }
}
