package dev.quiver.executor.differential;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generated cases for the array ops (layout, slicing, gathers, concatenation, views, splits, fills, shape
 * queries), checked against numpy by {@code ops_array.py}: every dtype including strings, data with NaN, -0.0,
 * infinities and the integer extremes (moved bit-exactly), shapes with empty and size-1 dims, negative axes and
 * indices, int32 and int64 index arguments, and arguments TensorFlow rejects.
 */
class ArrayDifferentialTest extends DifferentialSuite {
  private static final DType[] ALL = {DType.FLOAT32, DType.FLOAT64, DType.INT8, DType.INT16, DType.INT32, DType.INT64,
      DType.UINT8, DType.BOOL, DType.STRING};

  private Gen g;
  private CaseSink sink;

  @Override
  protected void generate(Random random, CaseSink sink) {
    this.g = new Gen(random, sink.allocator());
    this.sink = sink;
    layouts();
    stridedSlices();
    joinsAndGathers();
    views();
    splits();
    fills();
    emptyGathersAndScatters();
    negativeBatchDims();
    rejectedArguments();
    identitiesAndStrings();
  }

  private DType anyType() {
    return ALL[g.random().nextInt(ALL.length)];
  }

  private Tensor data(long[] shape) {
    return g.tensor(anyType(), Shape.of(shape));
  }

  private int nextInt(int bound) {
    return g.random().nextInt(bound);
  }

  private void add(String op, Attrs attrs, Tensor... inputs) {
    sink.accept(new DifferentialCase(op, attrs, List.of(inputs)));
  }

  private void layouts() {
    for (int k = 0; k < 60; k++) {
      long[] s = g.dims(4);
      add("Transpose", Attrs.empty(), data(s), g.indices(g.permutation(s.length)));
      long[] m = new long[s.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = nextInt(3);
      }
      add("Tile", Attrs.empty(), data(s), g.indices(m));
      long[] p = new long[s.length * 2];
      for (int i = 0; i < p.length; i++) {
        p[i] = k % 20 == 0 && i == 0 ? -1 : nextInt(3);
      }
      Shape ps = Shape.of(s.length, 2);
      add("Pad", Attrs.empty(), data(s), g.indices(ps, p));
      DType t = anyType();
      add("PadV2", Attrs.empty(), g.tensor(t, Shape.of(s)), g.indices(ps, p), g.scalar(t));
      add("MirrorPad", Attrs.of("mode", g.random().nextBoolean() ? "REFLECT" : "SYMMETRIC"), data(s), g.indices(ps, p));
      long[] axes = Arrays.copyOf(g.permutation(s.length), nextInt(s.length + 1));
      for (int i = 0; i < axes.length; i++) {
        axes[i] = g.random().nextBoolean() ? axes[i] - s.length : axes[i];
      }
      add("ReverseV2", Attrs.empty(), data(s), g.indices(axes));
      long[] begin = new long[s.length];
      long[] size = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        begin[i] = nextInt((int) s[i] + 2);
        size[i] = nextInt(4) == 0 ? -1 : nextInt((int) s[i] + 1);
      }
      add("Slice", Attrs.empty(), data(s), g.indices(begin), g.indices(size));
      long[] target = new long[s.length + nextInt(2)];
      for (int i = 0; i < target.length; i++) {
        int src = i - (target.length - s.length);
        target[i] = src < 0 ? nextInt(3) : s[src] == 1 ? nextInt(3) : s[src];
      }
      add("BroadcastTo", Attrs.empty(), data(s), g.indices(target));
    }
  }

  private void stridedSlices() {
    for (int k = 0; k < 160; k++) {
      long[] s = g.dims(4);
      int n = nextInt(s.length + 2);
      long[] b = new long[n];
      long[] e = new long[n];
      long[] st = new long[n];
      for (int i = 0; i < n; i++) {
        int d = i < s.length ? (int) s[i] : 3;
        b[i] = nextInt(2 * d + 3) - d - 1;
        e[i] = nextInt(2 * d + 3) - d - 1;
        st[i] = new long[] {1, 1, 2, -1, -2, 3}[nextInt(6)];
      }
      int all = n == 0 ? 0 : (1 << n) - 1;
      Attrs attrs = Attrs.of("begin_mask", (long) nextInt(all + 1), "end_mask", (long) nextInt(all + 1),
          "ellipsis_mask", n == 0 || nextInt(3) > 0 ? 0L : 1L << nextInt(n),
          "new_axis_mask", nextInt(3) > 0 ? 0L : (long) nextInt(all + 1),
          "shrink_axis_mask", nextInt(3) > 0 ? 0L : (long) nextInt(all + 1));
      Tensor[] bes = {g.indices(b), null, null};
      // begin, end and strides share one index dtype
      bes[1] = bes[0].dtype() == DType.INT64 ? Tensor.of(sink.allocator(), e, n) : ints32(e);
      bes[2] = bes[0].dtype() == DType.INT64 ? Tensor.of(sink.allocator(), st, n) : ints32(st);
      add("StridedSlice", attrs, data(s), bes[0], bes[1], bes[2]);
    }
    // every value of each mask over a three-entry spec of a rank-3 input, the other masks clear
    for (String mask : new String[] {"begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask"}) {
      for (long v = 0; v < 8; v++) {
        add("StridedSlice", Attrs.of(mask, v), data(new long[] {3, 4, 2}), ints32(1, -1, 0), ints32(3, 0, 1),
            ints32(1, -2, 1));
      }
    }
  }

  private Tensor ints32(long... v) {
    return ints32(Shape.of(v.length), v);
  }

  private Tensor ints32(Shape shape, long... v) {
    return Tensor.of(sink.allocator(), Arrays.stream(v).mapToInt(Math::toIntExact).toArray(), shape);
  }

  private void joinsAndGathers() {
    for (int k = 0; k < 50; k++) {
      long[] s = g.dims(3);
      DType t = anyType();
      int n = 1 + nextInt(3);
      if (s.length > 0) {
        int axis = nextInt(s.length);
        List<Tensor> in = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          long[] si = s.clone();
          si[axis] = nextInt(3);
          in.add(g.tensor(t, Shape.of(si)));
        }
        in.add(g.int32(g.random().nextBoolean() ? axis : axis - s.length));
        if (n > 1) {
          sink.accept(new DifferentialCase("ConcatV2", Attrs.of("N", (long) n), in));
        } else {
          in.forEach(Tensor::close);
        }
        gather(s);
        gatherNd(s);
        scatterNd(s);
      }
      List<Tensor> same = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        same.add(g.tensor(t, Shape.of(s)));
      }
      sink.accept(new DifferentialCase("Pack", Attrs.of("N", (long) n, "axis", (long) (nextInt(s.length + 4) - 2)),
          same));
    }
    for (int k = 0; k < 10; k++) { // tf.gather_nd with batch dims
      long[] s = g.dims(3);
      if (s.length < 2) {
        s = new long[] {2, 3, 1 + nextInt(3)};
      }
      gatherNd(s, 1 + nextInt(s.length - 1));
    }
    for (int k = 0; k < 16; k++) {
      long[] s = g.dims(2);
      long[] ix = new long[(int) Shape.of(s).numElements()];
      for (int i = 0; i < ix.length; i++) {
        ix[i] = nextInt(6) - 1;
      }
      DType t = anyType();
      DType it = new DType[] {DType.INT32, DType.INT64, DType.UINT8}[nextInt(3)];
      Tensor indices = it == DType.UINT8 ? g.smallInts(DType.UINT8, Shape.of(s), 0, 5) : g.indices(Shape.of(s), ix);
      add("OneHot", Attrs.of("axis", g.random().nextBoolean() ? -1L : (long) nextInt(s.length + 1)), indices,
          g.int32(nextInt(5)), g.scalar(t), g.scalar(t));
    }
  }

  private void gather(long[] p) {
    int axis = nextInt(p.length);
    int bd = nextInt(axis + 1);
    long[] ixShape = new long[bd + nextInt(3)];
    for (int i = 0; i < ixShape.length; i++) {
      ixShape[i] = i < bd ? p[i] : nextInt(4);
    }
    long[] ix = new long[(int) Shape.of(ixShape).numElements()];
    for (int i = 0; i < ix.length; i++) {
      ix[i] = p[axis] == 0 ? 0 : nextInt((int) p[axis] + (nextInt(20) == 0 ? 1 : 0)) - (nextInt(8) == 0 ? 1 : 0);
    }
    // batch_dims counted from the end of the indices' dims (bd - rank) when it leaves some, as TF allows
    long batchDims = bd < ixShape.length && nextInt(3) == 0 ? bd - ixShape.length : bd;
    add("GatherV2", Attrs.of("batch_dims", batchDims), data(p), g.indices(Shape.of(ixShape), ix),
        g.int32(g.random().nextBoolean() ? axis : axis - p.length));
  }

  /**
   * One case for each way an argument of the array ops can be wrong that the random cases rarely or never reach,
   * so each of TF's messages is checked: arguments that disagree with the input's rank (caught when built), and
   * values TF's kernels reject (caught when run). Data of a random dtype; shapes fixed.
   */
  private void rejectedArguments() {
    long[] m = {2, 3};
    add("Transpose", Attrs.empty(), data(m), ints32(0, 0));
    add("Transpose", Attrs.empty(), data(m), ints32(2, 0));
    add("Transpose", Attrs.empty(), data(m), ints32(-3, 0));
    add("Transpose", Attrs.empty(), data(m), ints32(-1, 0)); // TF 2.21 counts negative entries from the end
    add("Transpose", Attrs.empty(), data(m), ints32(0));
    add("Tile", Attrs.empty(), data(m), ints32(2));
    add("Tile", Attrs.empty(), data(m), ints32(2, -1));
    add("ReverseV2", Attrs.empty(), data(m), ints32(0, -2));
    add("ReverseV2", Attrs.empty(), data(m), ints32(2));
    add("ReverseV2", Attrs.empty(), data(m), ints32(-3));
    add("Slice", Attrs.empty(), data(m), ints32(0), ints32(1));
    add("Slice", Attrs.empty(), data(m), ints32(-1, 0), ints32(1, 1));
    add("Slice", Attrs.empty(), data(m), ints32(0, 0), ints32(-2, 1));
    add("Slice", Attrs.empty(), data(m), ints32(0, 4), ints32(1, 1));
    add("Slice", Attrs.empty(), data(new long[] {0, 3}), ints32(1, 0), ints32(-1, 1));
    add("Slice", Attrs.empty(), data(new long[] {0, 3}), ints32(0, 0), ints32(-1, 1));
    add("StridedSlice", Attrs.empty(), data(m), ints32(0, 0), ints32(1, 1), ints32(1, 0));
    add("StridedSlice", Attrs.of("shrink_axis_mask", 1L), data(m), ints32(-4, 0), ints32(1, 1), ints32(1, 1));
    add("StridedSlice", Attrs.empty(), data(new long[0]), ints32(0), ints32(1), ints32(1));
    DType t = anyType();
    add("ConcatV2", Attrs.of("N", 2L), g.tensor(t, Shape.scalar()), g.tensor(t, Shape.scalar()), g.int32(0));
    add("ConcatV2", Attrs.of("N", 2L), g.tensor(t, Shape.of(m)), g.tensor(t, Shape.of(2, 4)), g.int32(0));
    add("ConcatV2", Attrs.of("N", 2L), g.tensor(t, Shape.of(m)), g.tensor(t, Shape.of(2)), g.int32(0));
    add("ConcatV2", Attrs.of("N", 2L), g.tensor(t, Shape.of(m)), g.tensor(t, Shape.of(m)), g.int32(2));
    add("ConcatV2", Attrs.of("N", 2L), g.tensor(t, Shape.of(m)), g.tensor(t, Shape.of(m)), g.int32(-3));
    add("Pack", Attrs.of("N", 2L, "axis", 0L), g.tensor(t, Shape.of(m)), g.tensor(t, Shape.of(3, 2)));
    add("GatherNd", Attrs.empty(), data(m), ints32(Shape.of(1, 2), 0, 3));
    add("GatherNd", Attrs.empty(), data(m), ints32(Shape.of(2, 2), 1, 0, -1, 0));
    add("GatherNd", Attrs.empty(), data(m), ints32(Shape.of(1, 3), 0, 0, 0));
    add("BroadcastTo", Attrs.empty(), data(m), ints32(4, 3, 2));
    add("BroadcastTo", Attrs.empty(), data(m), ints32(1, 3));
    add("BroadcastTo", Attrs.empty(), data(m), ints32(3));
    add("OneHot", Attrs.of("axis", -1L), ints32(0, 1), g.int32(-1), g.scalar(t), g.scalar(t));
    add("OneHot", Attrs.of("axis", 3L), ints32(0, 1), g.int32(2), g.scalar(t), g.scalar(t));
    add("OneHot", Attrs.of("axis", -2L), ints32(0, 1), g.int32(2), g.scalar(t), g.scalar(t));
    add("Reshape", Attrs.empty(), data(m), ints32(-1, -1));
    add("Reshape", Attrs.empty(), data(m), ints32(-2, -3));
    add("Unpack", Attrs.of("num", 3L, "axis", 0L), data(m));
    add("Unpack", Attrs.of("num", 2L, "axis", 2L), data(m));
    add("Unpack", Attrs.of("num", 2L, "axis", -3L), data(m));
    add("Split", Attrs.of("num_split", 2L), g.int32(2), data(m));
    add("Split", Attrs.of("num_split", 2L), g.int32(-3), data(m));
    add("SplitV", Attrs.of("num_split", 2L), data(m), ints32(1, 1, 1), g.int32(1));
    add("SplitV", Attrs.of("num_split", 2L), data(m), ints32(-1, -1), g.int32(1));
    add("SplitV", Attrs.of("num_split", 2L), data(m), ints32(-2, 5), g.int32(1));
    add("SplitV", Attrs.of("num_split", 2L), data(m), ints32(4, -1), g.int32(1));
    add("SplitV", Attrs.of("num_split", 2L), data(m), ints32(1, 2), g.int32(2));
    add("Squeeze", Attrs.of("squeeze_dims", new long[] {2}), data(new long[] {1, 3}));
    add("Squeeze", Attrs.of("squeeze_dims", new long[] {-3}), data(new long[] {1, 3}));
    add("Squeeze", Attrs.of("squeeze_dims", new long[] {0, 1}), data(new long[] {1, 3}));
    add("Pad", Attrs.empty(), data(m), ints32(Shape.of(1, 2), 1, 0));
    add("Range", Attrs.of("Tidx", DType.INT32), g.int32(1), g.int32(5), g.int32(-1));
  }

  /**
   * GatherV2 with negative batch_dims (counted from the end of the indices' dims) over params of rank 1 to 4:
   * valid ones, and ones TF rejects (out of [-rank, rank], past the axis, batch dims that differ).
   */
  private void negativeBatchDims() {
    for (int k = 0; k < 16; k++) {
      long[] p = g.dims(3);
      p = Arrays.copyOf(p, p.length + 1);
      p[p.length - 1] = 1 + nextInt(3);
      int axis = nextInt(p.length);
      int bd = nextInt(axis + 1);
      long[] ixShape = new long[bd + 1 + nextInt(2)];
      for (int i = 0; i < ixShape.length; i++) {
        ixShape[i] = i < bd ? p[i] : nextInt(3);
      }
      long batchDims = bd - ixShape.length;
      if (k % 4 == 3) {
        batchDims = -ixShape.length - 1; // below -rank
      } else if (k % 8 == 5 && axis + 1 < ixShape.length) {
        batchDims = axis + 1 - ixShape.length; // past the axis
      } else if (k % 8 == 1 && bd > 0 && p[0] > 0) {
        ixShape[0] = p[0] + 1; // a batch dim that differs from the params'
      }
      long[] ix = new long[(int) Shape.of(ixShape).numElements()];
      for (int i = 0; i < ix.length; i++) {
        ix[i] = p[axis] == 0 ? 0 : nextInt((int) p[axis]);
      }
      add("GatherV2", Attrs.of("batch_dims", batchDims), data(p), g.indices(Shape.of(ixShape), ix),
          g.int32(g.random().nextBoolean() ? axis : axis - p.length));
    }
  }

  private void gatherNd(long[] p) {
    gatherNd(p, nextInt(3) == 0 ? nextInt(p.length) : 0);
  }

  private void gatherNd(long[] p, int bd) {
    int k = 1 + nextInt(p.length - bd);
    boolean rowsDim = bd == 0 || g.random().nextBoolean();
    long[] ixShape = new long[bd + (rowsDim ? 2 : 1)];
    System.arraycopy(p, 0, ixShape, 0, bd);
    if (rowsDim) {
      ixShape[bd] = nextInt(4);
    }
    ixShape[ixShape.length - 1] = k;
    long[] ix = new long[(int) Shape.of(ixShape).numElements()];
    for (int i = 0; i < ix.length; i++) {
      long d = p[bd + i % k];
      ix[i] = d == 0 ? 0 : nextInt((int) d);
    }
    Tensor params = data(p);
    Tensor indices = g.indices(Shape.of(ixShape), ix);
    if (bd == 0) {
      add("GatherNd", Attrs.empty(), params, indices);
      return;
    }
    // TF's GatherNd has no batch_dims: tf.gather_nd composes it around GatherNd, from the runtime shapes
    int b = bd;
    sink.accept(new DifferentialCase("tf.gather_nd", Attrs.of("batch_dims", (long) bd), List.of(params, indices),
        (tf, in) -> List.of(tf.array.gatherNd(in.get(0), in.get(1), b)), nextInt(3) == 0));
  }

  /**
   * The empty-tensor rules of TF 2.21's gathers and scatters: GatherV2 returns an empty result without checking
   * its indices; GatherNd refuses any index row into empty params; ScatterNd refuses index rows when there is
   * nothing to scatter into. Bad indices are mixed in to show which check comes first.
   */
  private void emptyGathersAndScatters() {
    for (int k = 0; k < 12; k++) {
      DType t = anyType();
      long[] p = {nextInt(3), 0, 1 + nextInt(3)};
      if (k % 2 == 1) {
        p = new long[] {0, 1 + nextInt(3)};
      }
      long[] ixShape = {1 + nextInt(3)};
      long[] bad = new long[(int) ixShape[0]];
      for (int i = 0; i < bad.length; i++) {
        bad[i] = nextInt(3) == 0 ? -1 : nextInt(4);
      }
      add("GatherV2", Attrs.of("batch_dims", 0L), g.tensor(t, Shape.of(p)), g.indices(Shape.of(ixShape), bad),
          g.int32(nextInt(p.length)));
      long[] rows = {nextInt(3), 1};
      long[] ix = new long[(int) rows[0]];
      for (int i = 0; i < ix.length; i++) {
        ix[i] = nextInt(3);
      }
      add("GatherNd", Attrs.empty(), g.tensor(t, Shape.of(p)), g.indices(Shape.of(rows), ix));
      long[][] outs = {{0, 3}, {3, 0}, {2, 0, 3}, {3}, {0}};
      long[] out = outs[k % outs.length];
      int kk = k % 5 == 3 || k % 5 == 4 ? nextInt(2) : 1 + nextInt(out.length);
      int n = nextInt(3);
      long[] flat = new long[n * kk];
      for (int i = 0; i < flat.length; i++) {
        flat[i] = nextInt(9);
      }
      long[] upd = new long[1 + out.length - kk];
      upd[0] = n;
      System.arraycopy(out, kk, upd, 1, out.length - kk);
      Tensor idx = g.indices(Shape.of(n, kk), flat);
      Tensor shape = idx.dtype() == DType.INT64 ? Tensor.of(sink.allocator(), out, out.length) : ints32(out);
      add("ScatterNd", Attrs.empty(), idx, g.tensor(t, Shape.of(upd)), shape);
    }
  }

  /** Identity, concatenation and gathers of every dtype, strings (empty, multi-byte UTF-8) generated for each. */
  private void identitiesAndStrings() {
    for (DType t : ALL) {
      for (int k = 0; k < 3; k++) {
        add("Identity", Attrs.empty(), data2(t, g.dims(3)));
      }
    }
    for (int k = 0; k < 12; k++) {
      long[] s = g.dims(3);
      if (s.length == 0) {
        s = new long[] {1 + nextInt(3)};
      }
      int axis = nextInt(s.length);
      long[] s2 = s.clone();
      s2[axis] = nextInt(3);
      add("Identity", Attrs.empty(), g.strings(Shape.of(s)));
      add("ConcatV2", Attrs.of("N", 2L), g.strings(Shape.of(s)), g.strings(Shape.of(s2)), g.int32(axis));
      long[] ix = new long[1 + nextInt(4)];
      for (int i = 0; i < ix.length; i++) {
        ix[i] = s[axis] == 0 ? 0 : nextInt((int) s[axis]);
      }
      add("GatherV2", Attrs.of("batch_dims", 0L), g.strings(Shape.of(s)), g.indices(ix), g.int32(axis));
    }
  }

  private Tensor data2(DType t, long[] shape) {
    return g.tensor(t, Shape.of(shape));
  }

  /**
   * ScatterNd over every dtype: updates at duplicate indices add (integers wrap), OR (bools) or concatenate in
   * index order (strings), as TF 2.21 does; an index out of range fails.
   */
  private void scatterNd(long[] out) {
    int k = 1 + nextInt(out.length);
    int rows = nextInt(5);
    long[] ix = new long[rows * k];
    for (int i = 0; i < ix.length; i++) {
      long d = out[i % k];
      ix[i] = d == 0 || nextInt(25) == 0 ? d : nextInt((int) d);
    }
    long[] upd = new long[1 + out.length - k];
    upd[0] = rows;
    System.arraycopy(out, k, upd, 1, out.length - k);
    DType t = ALL[nextInt(ALL.length)];
    add("ScatterNd", Attrs.empty(), g.indices(Shape.of(rows, k), ix), g.tensor(t, Shape.of(upd)), g.indices(out));
  }

  private void views() {
    for (int k = 0; k < 40; k++) {
      long[] s = g.dims(4);
      long n = Shape.of(s).numElements();
      // a target of the same size (one dim maybe -1), sometimes of a different size
      List<Long> target = new ArrayList<>();
      long left = n;
      for (long d : g.permutation(s.length)) {
        target.add(s[(int) d]);
      }
      if (nextInt(3) == 0 && !target.isEmpty()) {
        target.set(nextInt(target.size()), -1L);
      }
      if (nextInt(10) == 0) {
        target.add(2L);
      }
      if (nextInt(4) == 0) {
        target.add(1L);
      }
      add("Reshape", Attrs.empty(), data(s), g.indices(target.stream().mapToLong(Long::longValue).toArray()));
      add("ExpandDims", Attrs.empty(), data(s), g.int32(nextInt(s.length + 4) - s.length - 2));
      long[] ones = s.clone();
      List<Long> squeeze = new ArrayList<>();
      for (int i = 0; i < ones.length; i++) {
        if (nextInt(3) == 0) {
          ones[i] = 1;
        }
        if (ones[i] == 1 && g.random().nextBoolean() || nextInt(15) == 0) {
          squeeze.add(g.random().nextBoolean() ? i : (long) i - ones.length);
        }
      }
      Attrs sq = nextInt(3) == 0 ? Attrs.empty()
          : Attrs.of("squeeze_dims", squeeze.stream().mapToLong(Long::longValue).toArray());
      add("Squeeze", sq, data(ones));
      DType out = g.random().nextBoolean() ? DType.INT32 : DType.INT64;
      add("Shape", Attrs.of("out_type", out), data(s));
      add("Size", Attrs.of("out_type", out), data(s));
      add("Rank", Attrs.empty(), data(s));
      add("ZerosLike", Attrs.empty(), data(s));
      add("OnesLike", Attrs.empty(), g.tensor(ALL[nextInt(ALL.length - 1)], Shape.of(s)));
    }
  }

  private void splits() {
    for (int k = 0; k < 40; k++) {
      long[] s = g.dims(3);
      if (s.length == 0) {
        s = new long[] {nextInt(5)};
      }
      int axis = nextInt(s.length);
      int signed = g.random().nextBoolean() ? axis : axis - s.length;
      add("Unpack", Attrs.of("num", s[axis], "axis", (long) signed), data(s));
      int num = 1 + nextInt(3);
      if (nextInt(6) > 0) {
        s[axis] = num * (long) nextInt(3);
      }
      add("Split", Attrs.of("num_split", (long) num), g.int32(signed), data(s));
      long[] sizes = new long[num];
      long rest = s[axis];
      for (int i = 0; i < num - 1; i++) {
        sizes[i] = rest == 0 ? 0 : nextInt((int) rest + 1);
        rest -= sizes[i];
      }
      sizes[num - 1] = nextInt(8) == 0 ? rest + 1 : rest;
      if (nextInt(3) == 0) {
        sizes[nextInt(num)] = -1;
      }
      Tensor ss = g.indices(sizes);
      add("SplitV", Attrs.of("num_split", (long) num), data(s), ss, g.int32(signed));
    }
  }

  private void fills() {
    for (int k = 0; k < 30; k++) {
      long[] s = g.dims(3);
      if (k % 15 == 0 && s.length > 0) {
        s[0] = -1;
      }
      add("Fill", Attrs.empty(), g.indices(s), g.scalar(anyType()));
      DType t = ALL[nextInt(ALL.length)];
      Shape shape = Shape.of(g.dims(3));
      sink.accept(new DifferentialCase("tf.zeros", Attrs.of("shape", shape.dims(), "dtype", t), List.of(),
          (tf, in) -> List.of(tf.array.zeros(shape, t))));
      if (t != DType.STRING) {
        sink.accept(new DifferentialCase("tf.ones", Attrs.of("shape", shape.dims(), "dtype", t), List.of(),
            (tf, in) -> List.of(tf.array.ones(shape, t))));
      }
    }
    for (int k = 0; k < 24; k++) {
      int start = nextInt(10) - 5;
      int limit = nextInt(10) - 5;
      int delta = nextInt(7) - 3;
      DType t = new DType[] {DType.INT32, DType.INT64, DType.FLOAT32, DType.FLOAT64}[k % 4];
      add("Range", Attrs.of("Tidx", t), number(t, start), number(t, limit), number(t, delta * (t.isInteger() ? 1 : 0.75)));
      DType f = k % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
      int num = nextInt(8) - (k % 6 == 0 ? 1 : 0);
      add("LinSpace", Attrs.empty(), g.tensor(f, Shape.scalar()), g.tensor(f, Shape.scalar()),
          g.random().nextBoolean() ? g.int32(num) : Tensor.scalar(sink.allocator(), (long) num));
    }
    // infinite and NaN ends: TF keeps start and stop exactly, NaN only in between
    double[] ends = {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN, 1.5};
    for (int k = 0; k < 8; k++) {
      double a = ends[k % 4];
      double b = k < 4 ? -2.0 : ends[(k + 1) % 4];
      boolean f32 = k % 2 == 0;
      add("LinSpace", Attrs.empty(), f32 ? Tensor.scalar(sink.allocator(), (float) a) : Tensor.scalar(sink.allocator(), a),
          f32 ? Tensor.scalar(sink.allocator(), (float) b) : Tensor.scalar(sink.allocator(), b), g.int32(2 + nextInt(4)));
    }
  }

  private Tensor number(DType t, double v) {
    switch (t) {
      case INT32: return Tensor.scalar(sink.allocator(), (int) v);
      case INT64: return Tensor.scalar(sink.allocator(), (long) v);
      case FLOAT32: return Tensor.scalar(sink.allocator(), (float) v);
      default: return Tensor.scalar(sink.allocator(), v);
    }
  }
}
