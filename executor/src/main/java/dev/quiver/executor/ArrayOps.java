package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code tf.array} namespace of the {@link Ops} facade: shape and indexing ops (TensorFlow's
 * {@code array_ops}), built in {@link #scope} with TensorFlow's op types, attributes and default names.
 * Integer arguments given as Java arrays become int32 constants (int64 if a value does not fit in int32), as
 * Python lists do in TensorFlow, named under the op after TF's input ({@code Reshape/shape}, or {@code s/shape}
 * for an op named {@code s}).
 * Thread-safe as {@link Scope} is; bad static shapes fail here, at build time, naming the op.
 */
public final class ArrayOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public ArrayOps(Scope scope) {
    this.scope = scope;
  }

  // Constant arguments are named under their op ({@code op.name()/arg}), as TensorFlow converts an op's inputs.

  /**
   * The dtype TF gives a Python list of ints: int32, or int64 if a value does not fit in int32. Arguments of one
   * op that share a type attribute (Slice's begin and size) take the type of all their values.
   */
  static DType intsType(long[]... lists) {
    for (long[] values : lists) {
      for (long v : values) {
        if (v != (int) v) {
          return DType.INT64;
        }
      }
    }
    return DType.INT32;
  }

  /** {@code values} as the op's constant argument {@code arg}, of {@link #intsType}. */
  static Output ints(OpScope op, String arg, long... values) {
    return op.argument(arg).constant(values, intsType(values));
  }

  private static Output ints(OpScope op, String arg, int... values) {
    return op.argument(arg).constant(values, DType.INT32);
  }

  private static Output scalar(OpScope op, String arg, long value) {
    return op.argument(arg).constant(Math.toIntExact(value), DType.INT32);
  }

  private Output op(String type, String name, Attrs attrs, Output... inputs) {
    return scope.addOp(type, name, attrs, inputs).output(0);
  }

  // ---- shapes and views

  /** {@code tf.reshape}: the same elements in {@code shape} (one dim may be -1); never copies. */
  public Output reshape(Output tensor, Output shape) {
    return op("Reshape", "Reshape", Attrs.empty(), tensor, shape);
  }

  public Output reshape(Output tensor, long... shape) {
    OpScope op = scope.opScope("Reshape");
    return op.output("Reshape", Attrs.empty(), tensor, ints(op, "shape", shape));
  }

  /** {@code tf.transpose}: permutes the dims; no {@code perm} reverses them. */
  public Output transpose(Output x, int... perm) {
    if (perm.length == 0) {
      int rank = x.shape().rank();
      if (rank < 0) {
        throw new IllegalArgumentException("transpose without perm needs an input of known rank, got " + x);
      }
      perm = new int[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = rank - 1 - i;
      }
    }
    OpScope op = scope.opScope("transpose");
    return op.output("Transpose", Attrs.empty(), x, ints(op, "perm", perm));
  }

  public Output transpose(Output x, Output perm) {
    return op("Transpose", "transpose", Attrs.empty(), x, perm);
  }

  /** {@code tf.expand_dims}: inserts a dim of size 1 at {@code axis} (negative counts from the end). */
  public Output expandDims(Output input, int axis) {
    OpScope op = scope.opScope("ExpandDims");
    return op.output("ExpandDims", Attrs.empty(), input, scalar(op, "dim", axis));
  }

  /** {@code tf.squeeze}: removes the given size-1 dims, or every size-1 dim if none are given. */
  public Output squeeze(Output input, int... axes) {
    return op("Squeeze", "Squeeze", Attrs.of("squeeze_dims", axes), input);
  }

  /** {@code tf.shape} as int32. */
  public Output shape(Output input) {
    return shape(input, DType.INT32);
  }

  public Output shape(Output input, DType outType) {
    return op("Shape", "Shape", Attrs.of("out_type", outType), input);
  }

  /** {@code tf.size} as int32. */
  public Output size(Output input) {
    return op("Size", "Size", Attrs.of("out_type", DType.INT32), input);
  }

  /** {@code tf.rank}. */
  public Output rank(Output input) {
    return op("Rank", "Rank", Attrs.empty(), input);
  }

  /** {@code tf.broadcast_to}. */
  public Output broadcastTo(Output input, long... shape) {
    OpScope op = scope.opScope("BroadcastTo");
    return op.output("BroadcastTo", Attrs.empty(), input, ints(op, "shape", shape));
  }

  // ---- joins and cuts

  /** {@code tf.concat} along {@code axis}; a single value comes back as an identity. */
  public Output concat(List<Output> values, int axis) {
    requireNonEmpty(values, "concat");
    if (values.size() == 1) {
      return scope.addOp("Identity", "concat", Attrs.empty(), values.get(0)).output(0);
    }
    OpScope op = scope.opScope("concat");
    List<Output> in = new ArrayList<>(values);
    in.add(scalar(op, "axis", axis));
    return op.output("ConcatV2", Attrs.empty(), in);
  }

  /** {@code tf.stack}: joins equal-shaped values along a new axis. */
  public Output stack(List<Output> values, int axis) {
    requireNonEmpty(values, "stack");
    return scope.addOp("Pack", "stack", Attrs.of("axis", axis), values).output(0);
  }

  /** {@code tf.unstack}: the slices along {@code axis}, whose size must be known statically. */
  public List<Output> unstack(Output value, int axis) {
    Shape s = value.shape();
    if (s.hasUnknownRank()) {
      throw new IllegalArgumentException("cannot infer num from shape " + s);
    }
    int a = axis < 0 ? axis + s.rank() : axis;
    long num = a >= 0 && a < s.rank() ? s.dim(a) : -1;
    if (num < 0) {
      throw new IllegalArgumentException("cannot infer num from shape " + s + " along axis " + axis);
    }
    return scope.addOp("Unpack", "unstack", Attrs.of("num", num, "axis", axis), value).outputs();
  }

  /** {@code tf.split(value, numSplit, axis)}: equal pieces. */
  public List<Output> split(Output value, int numSplit, int axis) {
    OpScope op = scope.opScope("split");
    Output dim = scalar(op, "split_dim", axis);
    return op.add("Split", Attrs.of("num_split", numSplit), dim, value).outputs();
  }

  /**
   * {@code tf.split(value, sizes, axis)}: pieces of the given sizes (one may be -1). As in TF, the sizes become a
   * constant of default name ({@code Const}) before the op's name scope opens.
   */
  public List<Output> split(Output value, long[] sizes, int axis) {
    Output splits = scope.withoutName().constant(sizes, intsType(sizes));
    OpScope op = scope.opScope("split");
    Output dim = scalar(op, "split_dim", axis);
    return op.add("SplitV", Attrs.of("num_split", sizes.length), value, splits, dim).outputs();
  }

  // ---- slicing

  /** {@code tf.slice}: {@code size[i]} elements from {@code begin[i]} on each axis (-1 for the rest). */
  public Output slice(Output input, long[] begin, long[] size) {
    OpScope op = scope.opScope("Slice");
    DType index = intsType(begin, size);
    return op.output("Slice", Attrs.empty(), input, op.argument("begin").constant(begin, index),
        op.argument("size").constant(size, index));
  }

  public Output slice(Output input, Output begin, Output size) {
    return op("Slice", "Slice", Attrs.empty(), input, begin, size);
  }

  /** {@code tf.strided_slice} without masks. */
  public Output stridedSlice(Output input, long[] begin, long[] end, long[] strides) {
    return stridedSlice(input, begin, end, strides, 0, 0, 0, 0, 0);
  }

  /** {@code tf.strided_slice} with its five masks (bit i applies to entry i of the spec). */
  public Output stridedSlice(Output input, long[] begin, long[] end, long[] strides, int beginMask, int endMask,
                             int ellipsisMask, int newAxisMask, int shrinkAxisMask) {
    OpScope op = scope.opScope("strided_slice");
    DType index = intsType(begin, end, strides);
    return op.output("StridedSlice", Attrs.of("begin_mask", beginMask, "end_mask", endMask,
            "ellipsis_mask", ellipsisMask, "new_axis_mask", newAxisMask, "shrink_axis_mask", shrinkAxisMask),
        input, op.argument("begin").constant(begin, index), op.argument("end").constant(end, index),
        op.argument("strides").constant(strides, index));
  }

  /** {@code tf.gather(params, indices, axis)}. */
  public Output gather(Output params, Output indices, int axis) {
    return gather(params, indices, axis, 0);
  }

  /** {@code tf.gather(params, indices, axis, batch_dims)}. */
  public Output gather(Output params, Output indices, int axis, int batchDims) {
    OpScope op = scope.opScope("GatherV2");
    return op.output("GatherV2", Attrs.of("batch_dims", batchDims), params, indices, scalar(op, "axis", axis));
  }

  /** {@code tf.gather_nd}. */
  public Output gatherNd(Output params, Output indices) {
    return op("GatherNd", "GatherNd", Attrs.empty(), params, indices);
  }

  /**
   * {@code tf.gather_nd(params, indices, batch_dims)}: for each index {@code b} of the first {@code batchDims}
   * dims (which {@code params} and {@code indices} share), {@code gather_nd(params[b], indices[b])}. As in TF,
   * TensorFlow's GatherNd op has no batch_dims, so for {@code batchDims > 0} this builds the composite from the
   * runtime shapes: params and indices are flattened to one batch dim {@code B}, each index row gets its batch
   * number prepended, one GatherNd runs, and the result is reshaped to {@code params.shape[:batchDims] +}
   * {@code indices.shape[batchDims:-1] + params.shape[batchDims + k:]}. Works with unknown dims. The final
   * Reshape takes this scope's name (default {@code BatchGatherND}, TF's name scope for it); the other ops are
   * named under it.
   *
   * @throws IllegalArgumentException if {@code batchDims} is negative (TF's ValueError)
   * @throws dev.quiver.errors.InvalidArgumentException if it is not less than the known rank of {@code indices}
   */
  public Output gatherNd(Output params, Output indices, int batchDims) {
    if (batchDims < 0) {
      throw new IllegalArgumentException("tf.gather_nd does not allow negative batch_dims.");
    }
    if (batchDims == 0) {
      return gatherNd(params, indices);
    }
    int ri = indices.shape().rank();
    int rp = params.shape().rank();
    if (ri >= 0 && batchDims >= ri || rp >= 0 && batchDims > rp) {
      throw new dev.quiver.errors.InvalidArgumentException("gather_nd: batch_dims = " + batchDims
          + " must be less than rank(indices) = " + ri + " and at most rank(params) = " + rp);
    }
    boolean known = params.shape().isFullyDefined() && indices.shape().isFullyDefined();
    if (known) {
      checkBatchDims(params.shape().dims(), indices.shape().dims(), batchDims);
    }
    OpScope op = scope.opScope("BatchGatherND");
    ArrayOps a = new ArrayOps(op.helpers());
    if (known) {
      return a.staticBatchGatherNd(op, params, indices, batchDims);
    }
    DType it = indices.dtype();
    Output shapeP = a.shape(params, it);
    Output shapeI = a.shape(indices, it);
    Output batchShape = a.vectorPart(shapeP, 0, batchDims);
    Output batch = a.op("Prod", "Prod", Attrs.of("keep_dims", true), batchShape,
        a.scope.constant(new int[] {0}, DType.INT32)); // [B]
    Output rowsAndK = a.vectorPart(shapeI, batchDims, -1); // indices.shape[batchDims:] = [i1..iK, k]
    Output flatIndices = a.reshape(indices, a.concat(List.of(batch, rowsAndK), 0)); // [B, i1..iK, k]
    Output one = a.scope.constant(it == DType.INT64 ? (Object) 1L : (Object) 1, it);
    Output zero = a.scope.constant(it == DType.INT64 ? (Object) 0L : (Object) 0, it);
    Output batchIds = a.range(zero, a.reshape(batch, a.scope.constant(new int[0], DType.INT32)), one);
    Output ones = a.op("OnesLike", "OnesLike", Attrs.empty(), rowsAndK);
    Output column = a.reshape(batchIds, a.concat(List.of(batch, ones), 0)); // [B, 1, .., 1]
    Output columnShape = a.concat(List.of(a.vectorPart(a.shape(flatIndices, it), 0, -2),
        a.scope.constant(it == DType.INT64 ? (Object) new long[] {1} : (Object) new int[] {1}, it)), 0);
    Output columns = a.op("BroadcastTo", "BroadcastTo", Attrs.empty(), column, columnShape); // [B, i1..iK, 1]
    Output batched = a.concat(List.of(columns, flatIndices), -1); // [B, i1..iK, 1 + k]
    Output flatParams = a.reshape(params, a.concat(List.of(batch, a.vectorPart(shapeP, batchDims, -1)), 0));
    Output gathered = a.gatherNd(flatParams, batched); // [B, i1..iK, rest]
    return op.output("Reshape", Attrs.empty(), gathered,
        a.concat(List.of(batchShape, a.vectorPart(a.shape(gathered, it), 1, -1)), 0));
  }

  private static void checkBatchDims(long[] p, long[] ix, int bd) {
    for (int i = 0; i < bd; i++) {
      if (p[i] != ix[i]) {
        throw new dev.quiver.errors.InvalidArgumentException("gather_nd: params.shape[" + i + "]: " + p[i]
            + " should be equal to indices.shape[" + i + "]: " + ix[i]);
      }
    }
  }

  /**
   * The batch_dims composite when every dim is known: the same ops, with constant shapes (so shapes infer), in
   * {@code op}'s name scope, whose name the final Reshape takes.
   */
  private Output staticBatchGatherNd(OpScope op, Output params, Output indices, int bd) {
    long[] p = params.shape().dims();
    long[] ix = indices.shape().dims();
    long batch = 1;
    for (int i = 0; i < bd; i++) {
      batch *= p[i];
    }
    long[] flatIx = new long[ix.length - bd + 1]; // [B, i1..iK, k]
    flatIx[0] = batch;
    System.arraycopy(ix, bd, flatIx, 1, ix.length - bd);
    long[] columnShape = flatIx.clone();
    columnShape[columnShape.length - 1] = 1;
    long[] ones = new long[flatIx.length];
    java.util.Arrays.fill(ones, 1);
    ones[0] = batch;
    DType it = indices.dtype();
    Object ids;
    if (it == DType.INT64) {
      long[] v = new long[Math.toIntExact(batch)];
      for (int i = 0; i < v.length; i++) {
        v[i] = i;
      }
      ids = v;
    } else {
      int[] v = new int[Math.toIntExact(batch)];
      for (int i = 0; i < v.length; i++) {
        v[i] = i;
      }
      ids = v;
    }
    Output column = reshape(scope.constant(ids, it), ones);
    Output columns = broadcastTo(column, columnShape);
    Output batched = concat(List.of(columns, reshape(indices, flatIx)), -1);
    long[] flatP = new long[p.length - bd + 1];
    flatP[0] = batch;
    System.arraycopy(p, bd, flatP, 1, p.length - bd);
    Output gathered = gatherNd(reshape(params, flatP), batched);
    long[] g = gathered.shape().dims();
    long[] out = new long[bd + g.length - 1];
    System.arraycopy(p, 0, out, 0, bd);
    System.arraycopy(g, 1, out, bd, g.length - 1);
    return op.output("Reshape", Attrs.empty(), gathered, ints(op, "shape", out));
  }

  /**
   * Elements {@code [from, to)} of the 1-D {@code vector}; {@code to == -1} means to the end (a StridedSlice
   * with end_mask), {@code to == -2} means all but the last.
   */
  private Output vectorPart(Output vector, int from, int to) {
    long end = to == -2 ? -1 : to == -1 ? 0 : to;
    return op("StridedSlice", "strided_slice", Attrs.of("begin_mask", 0L, "end_mask", to == -1 ? 1L : 0L,
            "ellipsis_mask", 0L, "new_axis_mask", 0L, "shrink_axis_mask", 0L),
        vector, scope.constant(new int[] {from}, DType.INT32), scope.constant(new int[] {(int) end}, DType.INT32),
        scope.constant(new int[] {1}, DType.INT32));
  }

  /**
   * {@code tf.scatter_nd}: updates scattered into an empty tensor of {@code shape} (zeros, false or "");
   * updates for a repeated index are summed, ORed for bool, concatenated in index order for strings.
   */
  public Output scatterNd(Output indices, Output updates, long... shape) {
    OpScope op = scope.opScope("ScatterNd");
    return op.output("ScatterNd", Attrs.empty(), indices, updates, ints(op, "shape", shape));
  }

  // ---- layout

  /** {@code tf.tile}. */
  public Output tile(Output input, long... multiples) {
    OpScope op = scope.opScope("Tile");
    return op.output("Tile", Attrs.empty(), input, ints(op, "multiples", multiples));
  }

  /** {@code tf.pad} with zeros; {@code paddings[i]} is {before, after} for dim i. */
  public Output pad(Output input, long[][] paddings) {
    OpScope op = scope.opScope("Pad");
    return op.output("Pad", Attrs.empty(), input, paddingsOf(op, paddings));
  }

  /**
   * {@code tf.pad(input, paddings, mode, constant_values)}: mode CONSTANT (with {@code constantValue}, a Java
   * scalar of the input's kind), REFLECT or SYMMETRIC (case-insensitive, as TF).
   */
  public Output pad(Output input, long[][] paddings, String mode, Object constantValue) {
    String m = mode.toUpperCase(java.util.Locale.ROOT);
    if (m.equals("CONSTANT")) {
      if (constantValue == null) {
        return pad(input, paddings);
      }
      OpScope op = scope.opScope("Pad");
      Output pads = paddingsOf(op, paddings);
      return op.output("PadV2", Attrs.empty(), input, pads,
          op.argument("constant_values").constant(constantValue, input.dtype()));
    }
    if (!m.equals("REFLECT") && !m.equals("SYMMETRIC")) {
      throw new IllegalArgumentException("unknown padding mode: " + mode);
    }
    OpScope op = scope.opScope("MirrorPad");
    return op.output("MirrorPad", Attrs.of("mode", m), input, paddingsOf(op, paddings));
  }

  private static Output paddingsOf(OpScope op, long[][] paddings) {
    long[] flat = new long[paddings.length * 2];
    for (int i = 0; i < paddings.length; i++) {
      if (paddings[i].length != 2) {
        throw new IllegalArgumentException("paddings[" + i + "] must be {before, after}");
      }
      flat[2 * i] = paddings[i][0];
      flat[2 * i + 1] = paddings[i][1];
    }
    return reshapeConstant(op, flat, paddings.length, 2);
  }

  private static Output reshapeConstant(OpScope op, long[] flat, int rows, int cols) {
    int[][] m = new int[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = Math.toIntExact(flat[i * cols + j]);
      }
    }
    Scope s = op.argument("paddings");
    return rows == 0 ? s.constant(new int[0], DType.INT32) : s.constant(m, DType.INT32);
  }

  /** {@code tf.reverse}: flips the given axes. */
  public Output reverse(Output tensor, int... axes) {
    OpScope op = scope.opScope("ReverseV2");
    return op.output("ReverseV2", Attrs.empty(), tensor, ints(op, "axis", axes));
  }

  // ---- made from sizes and values

  /** {@code tf.fill}: {@code value} (a scalar) everywhere in a tensor of {@code dims}. */
  public Output fill(long[] dims, Output value) {
    OpScope op = scope.opScope("Fill");
    return op.output("Fill", Attrs.empty(), ints(op, "dims", dims), value);
  }

  /**
   * {@code tf.zeros}: zeros (or empty strings, or false) of {@code shape}, a Fill named as TF names the one it
   * builds for a large shape ({@code zeros/shape_as_tensor}, {@code zeros/Const}, {@code zeros}).
   */
  public Output zeros(Shape shape, DType dtype) {
    OpScope op = scope.opScope("zeros");
    Output dims = ints(op, "shape_as_tensor", shape.dims());
    return op.output("Fill", Attrs.empty(), dims, zero(op, dtype));
  }

  /** {@code tf.ones}. */
  public Output ones(Shape shape, DType dtype) {
    if (dtype == DType.STRING) {
      throw new IllegalArgumentException("tf.ones is not defined for strings");
    }
    OpScope op = scope.opScope("ones");
    Output dims = ints(op, "shape_as_tensor", shape.dims());
    Output one = op.helpers().constant(dtype == DType.BOOL ? (Object) Boolean.TRUE : (Object) 1, dtype);
    return op.output("Fill", Attrs.empty(), dims, one);
  }

  private static Output zero(OpScope op, DType dtype) {
    Scope s = op.helpers();
    switch (dtype) {
      case STRING: return s.constant("", DType.STRING);
      case BOOL: return s.constant(false, DType.BOOL);
      default: return s.constant(0, dtype);
    }
  }

  /** {@code tf.zeros_like}. */
  public Output zerosLike(Output x) {
    return op("ZerosLike", "zeros_like", Attrs.empty(), x);
  }

  /** {@code tf.ones_like}. */
  public Output onesLike(Output x) {
    return op("OnesLike", "ones_like", Attrs.empty(), x);
  }

  /** {@code tf.one_hot(indices, depth, on_value, off_value, axis)}; the values are Java scalars of one kind. */
  public Output oneHot(Output indices, int depth, Object onValue, Object offValue, int axis) {
    OpScope op = scope.opScope("one_hot");
    Output on = op.argument("on_value").constant(onValue, null);
    Output off = op.argument("off_value").constant(offValue, on.dtype());
    return op.output("OneHot", Attrs.of("axis", axis), indices, scalar(op, "depth", depth), on, off);
  }

  /** {@code tf.one_hot(indices, depth)}: float32 1/0 along a new last axis. */
  public Output oneHot(Output indices, int depth) {
    return oneHot(indices, depth, 1f, 0f, -1);
  }

  /** {@code tf.range(start, limit, delta)} over scalar outputs of one dtype. */
  public Output range(Output start, Output limit, Output delta) {
    return op("Range", "range", Attrs.empty(), start, limit, delta);
  }

  /** {@code tf.range(start, limit, delta)} as int32. */
  public Output range(int start, int limit, int delta) {
    OpScope op = scope.opScope("range");
    return op.output("Range", Attrs.empty(), scalar(op, "start", start), scalar(op, "limit", limit),
        scalar(op, "delta", delta));
  }

  /** {@code tf.linspace(start, stop, num)}. */
  public Output linspace(Output start, Output stop, int num) {
    OpScope op = scope.opScope("LinSpace");
    return op.output("LinSpace", Attrs.empty(), start, stop, scalar(op, "num", num));
  }

  private static void requireNonEmpty(List<Output> values, String what) {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      throw new IllegalArgumentException(what + " needs at least one value");
    }
  }
}
