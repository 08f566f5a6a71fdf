package dev.quiver.executor.kernels;

import dev.quiver.store.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * numpy broadcasting, at build time ({@link #shapes}) and at run time (a plan of contiguous runs).
 *
 * <p>A plan aligns every input to the output's rank, drops size-1 output dims and merges neighbouring dims
 * that broadcast the same way in every input, so the common cases collapse to a single run (equal shapes),
 * a run against a scalar, or rows against a row vector. {@link #forEachRun} then visits the output range
 * {@code [start, end)} as runs along the innermost merged dim, where each input either advances one element
 * per output element (inner stride 1) or repeats one element (inner stride 0).
 *
 * <p>Plans are immutable and safe to share between the threads of one kernel.
 */
public final class Broadcast {
  /** One run: {@code len} output elements from flat index {@code out}; input {@code i} starts at {@code in[i]}. */
  @FunctionalInterface
  public interface RunVisitor {
    void run(long out, long[] in, long len);
  }

  private final long size;
  private final long[] dims; // merged output dims, outermost first; the last one is the run dim
  private final long[][] strides; // [input][dim], element strides, 0 where the input broadcasts
  private final int inputs;

  private Broadcast(long size, long[] dims, long[][] strides) {
    this.size = size;
    this.dims = dims;
    this.strides = strides;
    this.inputs = strides.length;
  }

  /**
   * The broadcast of static shapes, each possibly partial. An unknown dim against 1 stays unknown; an
   * unknown dim against n is n (the only size that could broadcast); unknown rank makes the result unknown.
   *
   * @throws IllegalArgumentException describing the two dims that cannot broadcast, in TF's build-time words
   *     ("Dimensions must be equal, but are 3 and 4, with input shapes: [2,3], [4]")
   */
  public static Shape shapes(Shape... shapes) {
    int rank = 0;
    for (Shape s : shapes) {
      if (s.hasUnknownRank()) {
        return Shape.unknown();
      }
      rank = Math.max(rank, s.rank());
    }
    long[] out = new long[rank];
    java.util.Arrays.fill(out, 1);
    boolean[] unknownOnly = new boolean[rank];
    for (Shape s : shapes) {
      int off = rank - s.rank();
      for (int i = 0; i < s.rank(); i++) {
        long d = s.dim(i);
        int k = off + i;
        if (d == 1) {
          continue;
        }
        if (d == Shape.UNKNOWN_DIM) {
          if (out[k] == 1) {
            out[k] = Shape.UNKNOWN_DIM;
          }
          continue;
        }
        if (out[k] == 1 || out[k] == Shape.UNKNOWN_DIM) {
          out[k] = d;
        } else if (out[k] != d) {
          throw new IllegalArgumentException("Dimensions must be equal, but are " + out[k] + " and " + d
              + ", with input shapes: " + describe(shapes));
        }
      }
    }
    return Shape.of(out);
  }

  private static String describe(Shape[] shapes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shapes.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(tfShape(shapes[i]));
    }
    return sb.toString();
  }

  /** A shape as TensorFlow prints it in errors: {@code [2,3]}, {@code [?,3]}. */
  public static String tfShape(Shape s) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < s.rank(); i++) {
      sb.append(i == 0 ? "" : ",").append(s.dim(i) < 0 ? "?" : Long.toString(s.dim(i)));
    }
    return sb.append(']').toString();
  }

  /** The plan for inputs of fully defined shapes broadcast to {@code out} (which {@link #shapes} returned). */
  public static Broadcast plan(Shape out, Shape... in) {
    int rank = out.rank();
    long size = out.numElements();
    List<long[]> mergedDims = new ArrayList<>();
    List<boolean[]> mergedBroadcast = new ArrayList<>();
    for (int d = 0; d < rank; d++) {
      long od = out.dim(d);
      if (od == 1) {
        continue;
      }
      boolean[] bc = new boolean[in.length];
      for (int i = 0; i < in.length; i++) {
        int k = d - (rank - in[i].rank());
        long id = k < 0 ? 1 : in[i].dim(k);
        bc[i] = id == 1;
      }
      int last = mergedDims.size() - 1;
      if (last >= 0 && java.util.Arrays.equals(mergedBroadcast.get(last), bc)) {
        mergedDims.get(last)[0] *= od;
      } else {
        mergedDims.add(new long[] {od});
        mergedBroadcast.add(bc);
      }
    }
    if (mergedDims.isEmpty()) {
      mergedDims.add(new long[] {1});
      mergedBroadcast.add(new boolean[in.length]);
    }
    int m = mergedDims.size();
    long[] dims = new long[m];
    for (int j = 0; j < m; j++) {
      dims[j] = mergedDims.get(j)[0];
    }
    long[][] strides = new long[in.length][m];
    for (int i = 0; i < in.length; i++) {
      long s = 1;
      for (int j = m - 1; j >= 0; j--) {
        if (!mergedBroadcast.get(j)[i]) {
          strides[i][j] = s;
          s *= dims[j];
        }
      }
    }
    return new Broadcast(size, dims, strides);
  }

  /** Output elements. */
  public long size() {
    return size;
  }

  /** The length of a full run (the innermost merged dim). */
  public long runLength() {
    return dims[dims.length - 1];
  }

  /** 1 if input {@code i} advances along a run, 0 if it repeats one element. */
  public int innerStride(int i) {
    return (int) strides[i][dims.length - 1];
  }

  /** True if every input has the output's shape: one flat run. */
  public boolean isElementwise() {
    if (dims.length != 1) {
      return false;
    }
    for (long[] s : strides) {
      if (s[0] != 1) {
        return false;
      }
    }
    return true;
  }

  /** Visits the output range {@code [start, end)} as runs, in order. The visitor's array is reused. */
  public void forEachRun(long start, long end, RunVisitor visitor) {
    int m = dims.length;
    long inner = dims[m - 1];
    long[] idx = new long[m];
    long rest = start;
    for (int j = m - 1; j >= 0; j--) {
      idx[j] = rest % dims[j];
      rest /= dims[j];
    }
    long[] off = new long[inputs];
    for (int i = 0; i < inputs; i++) {
      long o = 0;
      for (int j = 0; j < m; j++) {
        o += idx[j] * strides[i][j];
      }
      off[i] = o;
    }
    long pos = start;
    long[] in = new long[inputs];
    while (pos < end) {
      long len = Math.min(inner - idx[m - 1], end - pos);
      System.arraycopy(off, 0, in, 0, inputs);
      visitor.run(pos, in, len);
      pos += len;
      if (pos >= end) {
        break;
      }
      // advance the odometer past this run: the run dim wraps to 0, carry into the outer dims
      for (int i = 0; i < inputs; i++) {
        off[i] += (inner - idx[m - 1]) * strides[i][m - 1];
      }
      idx[m - 1] = inner;
      for (int j = m - 1; j > 0 && idx[j] == dims[j]; j--) {
        idx[j] = 0;
        idx[j - 1]++;
        for (int i = 0; i < inputs; i++) {
          off[i] += strides[i][j - 1] - dims[j] * strides[i][j];
        }
      }
    }
  }
}
