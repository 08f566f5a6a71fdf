package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How facade calls name the ops they build. A call that needs helper ops (constants for its arguments, the inner ops
 * of a composite) opens a name scope for its op, as TensorFlow's op wrappers do: the op takes the name asked for
 * ({@code withName}) or its default, made unique, exactly, and the helpers go under it. Helpers that TF builds before
 * the op's scope opens (a reduction's all-axes constant, the ops inside {@code logical_xor}, the first transpose of
 * a softmax over another axis) keep their own names beside it.
 *
 * <p>Each row lists the ops one call adds in a fresh graph, {@code {op}} standing for the op's name. Where TF
 * builds the same ops, the names are TF 2.21's, as tf_session_check.py facade-names checks them; the rows for
 * composites whose inside differs from TF's (batch gather_nd, tensordot of unknown dims) only require the helpers
 * to be under the op's name.
 */
@ExtendWith(LeakCheckedAllocator.class)
class FacadeNamingTest {
  /** The inputs calls take, placeholders named after themselves, built before each call. */
  record In(Ops tf, Output x, Output xi, Output xu, Output flags, Output idx, Output axes, Output a3, Output m45,
            Output c325, Output au, Output nd, Output ndu, Output start, Output stop, Output value, SparseTensor sp) {
    static In of(Ops tf) {
      return new In(tf, p(tf, "x", DType.FLOAT32, 2, 3), p(tf, "xi", DType.INT32, 2, 3),
          tf.withName("xu").placeholder(DType.FLOAT32), p(tf, "flags", DType.BOOL, 2, 3),
          p(tf, "idx", DType.INT32, 2, 1),
          p(tf, "axes", DType.INT32, 1), p(tf, "a3", DType.FLOAT32, 2, 3, 4), p(tf, "m45", DType.FLOAT32, 4, 5),
          p(tf, "c325", DType.FLOAT32, 3, 2, 5), p(tf, "au", DType.FLOAT32, -1, 3, 4),
          p(tf, "nd", DType.INT32, 2, 1, 1), p(tf, "ndu", DType.INT32, -1, 1, 1), p(tf, "start", DType.FLOAT32),
          p(tf, "stop", DType.FLOAT32), p(tf, "value", DType.FLOAT32, 2),
          new SparseTensor(p(tf, "spi", DType.INT64, 1, 2), p(tf, "spv", DType.FLOAT32, 1),
              p(tf, "sps", DType.INT64, 2)));
    }

    private static Output p(Ops tf, String name, DType dtype, long... dims) {
      return tf.withName(name).placeholder(dtype, Shape.of(dims));
    }

    /** The same inputs, calls built with {@code other}. */
    In with(Ops other) {
      return new In(other, x, xi, xu, flags, idx, axes, a3, m45, c325, au, nd, ndu, start, stop, value, sp);
    }
  }

  /**
   * One facade call: the op it returns is named {@code defaultName} in a fresh graph and {@code secondName} when
   * called again; {@code helpers} are the other ops it adds, in order ({@code {op}} for the op's name), or null
   * when only their being under {@code {op}/} is required.
   */
  record Call(String call, String defaultName, String secondName, Function<In, Object> build, List<String> helpers) {
    @Override
    public String toString() {
      return call;
    }
  }

  private static Call call(String call, String defaultName, Function<In, Object> build, String... helpers) {
    return new Call(call, defaultName, defaultName + "_1", build, List.of(helpers));
  }

  private static Call composite(String call, String defaultName, Function<In, Object> build) {
    return new Call(call, defaultName, defaultName + "_1", build, null);
  }

  static Stream<Call> calls() {
    return Stream.of(
        // tf.math: Python numbers become the op's argument y; reductions' axes its reduction_indices
        call("math.add(x, 2.0)", "add", in -> in.tf.math.add(in.x, 2.0), "{op}/y"),
        call("math.subtract(x, 2.0)", "sub", in -> in.tf.math.subtract(in.x, 2.0), "{op}/y"),
        call("math.multiply(x, 2.0)", "mul", in -> in.tf.math.multiply(in.x, 2.0), "{op}/y"),
        call("math.divide(x, 2.0)", "truediv", in -> in.tf.math.divide(in.x, 2.0), "{op}/y"),
        call("math.pow(x, 2.0)", "pow", in -> in.tf.math.pow(in.x, 2.0), "{op}/y"),
        call("math.maximum(x, 1.0)", "Maximum", in -> in.tf.math.maximum(in.x, 1.0), "{op}/y"),
        call("math.minimum(x, 1.0)", "Minimum", in -> in.tf.math.minimum(in.x, 1.0), "{op}/y"),
        call("math.less(x, 1.0)", "Less", in -> in.tf.math.less(in.x, 1.0), "{op}/y"),
        call("math.greater(x, 1.0)", "Greater", in -> in.tf.math.greater(in.x, 1.0), "{op}/y"),
        call("math.truediv(xi, xi)", "truediv", in -> in.tf.math.truediv(in.xi, in.xi), "{op}/Cast", "{op}/Cast_1"),
        call("math.divide(xi, 2)", "truediv", in -> in.tf.math.divide(in.xi, 2), "{op}/y", "{op}/Cast",
            "{op}/Cast_1"),
        call("math.logicalXor(flags, flags)", "LogicalXor", in -> in.tf.math.logicalXor(in.flags, in.flags),
            "LogicalOr", "LogicalAnd", "LogicalNot"),
        call("math.reduceSum(x, 0)", "Sum", in -> in.tf.math.reduceSum(in.x, 0), "{op}/reduction_indices"),
        call("math.reduceMean(x, 0)", "Mean", in -> in.tf.math.reduceMean(in.x, 0), "{op}/reduction_indices"),
        call("math.reduceMax(x, 1)", "Max", in -> in.tf.math.reduceMax(in.x, 1), "{op}/reduction_indices"),
        call("math.reduceMin(x, 1)", "Min", in -> in.tf.math.reduceMin(in.x, 1), "{op}/reduction_indices"),
        call("math.reduceProd(x, 1)", "Prod", in -> in.tf.math.reduceProd(in.x, 1), "{op}/reduction_indices"),
        call("math.reduceAll(flags, 1)", "All", in -> in.tf.math.reduceAll(in.flags, 1), "{op}/reduction_indices"),
        call("math.reduceAny(flags, 1)", "Any", in -> in.tf.math.reduceAny(in.flags, 1), "{op}/reduction_indices"),
        call("math.reduceSum(x) of known rank", "Sum", in -> in.tf.math.reduceSum(in.x), "Const"),
        call("math.reduceMean(x) of known rank", "Mean", in -> in.tf.math.reduceMean(in.x), "Const"),
        call("math.reduceSum(xu) of unknown rank", "Sum", in -> in.tf.math.reduceSum(in.xu), "Rank", "range/start",
            "range/delta", "range"),
        call("math.argMax(x, 1)", "ArgMax", in -> in.tf.math.argMax(in.x, 1), "{op}/dimension"),
        call("math.argMin(x, 1)", "ArgMin", in -> in.tf.math.argMin(in.x, 1), "{op}/dimension"),
        call("math.cumsum(x, 1)", "Cumsum", in -> in.tf.math.cumsum(in.x, 1), "{op}/axis"),
        call("math.cumprod(x, 1)", "Cumprod", in -> in.tf.math.cumprod(in.x, 1, false, false), "{op}/axis"),
        // single ops, for comparison
        call("math.add(x, x)", "add", in -> in.tf.math.add(in.x, in.x)),
        call("math.negative(x)", "Neg", in -> in.tf.math.negative(in.x)),
        call("math.cast(x, INT32)", "Cast", in -> in.tf.math.cast(in.x, DType.INT32)),
        call("math.reduceSum(x, axes, false)", "Sum", in -> in.tf.math.reduceSum(in.x, in.axes, false)),
        call("identity(x)", "Identity", in -> in.tf.identity(in.x)),
        // tf.array: constant arguments under the op, named as TF's op definitions name the inputs
        call("array.reshape(x, 3, 2)", "Reshape", in -> in.tf.array.reshape(in.x, 3, 2), "{op}/shape"),
        call("array.transpose(x)", "transpose", in -> in.tf.array.transpose(in.x), "{op}/perm"),
        call("array.expandDims(x, 0)", "ExpandDims", in -> in.tf.array.expandDims(in.x, 0), "{op}/dim"),
        call("array.broadcastTo(x, 4, 2, 3)", "BroadcastTo", in -> in.tf.array.broadcastTo(in.x, 4, 2, 3),
            "{op}/shape"),
        call("array.concat([x, x], 0)", "concat", in -> in.tf.array.concat(List.of(in.x, in.x), 0), "{op}/axis"),
        call("array.concat([x], 0)", "concat", in -> in.tf.array.concat(List.of(in.x), 0)),
        call("array.split(x, 3, 1)", "split", in -> in.tf.array.split(in.x, 3, 1), "{op}/split_dim"),
        call("array.split(x, [1, 2], 1)", "split", in -> in.tf.array.split(in.x, new long[] {1, 2}, 1), "Const",
            "{op}/split_dim"),
        call("array.slice(x, [0, 0], [1, 2])", "Slice",
            in -> in.tf.array.slice(in.x, new long[] {0, 0}, new long[] {1, 2}), "{op}/begin", "{op}/size"),
        call("array.stridedSlice(x, ...)", "strided_slice",
            in -> in.tf.array.stridedSlice(in.x, new long[] {0, 0}, new long[] {1, 2}, new long[] {1, 1}),
            "{op}/begin", "{op}/end", "{op}/strides"),
        call("array.gather(x, idx, 1)", "GatherV2", in -> in.tf.array.gather(in.x, in.idx, 1), "{op}/axis"),
        call("array.scatterNd(idx, value, 4)", "ScatterNd", in -> in.tf.array.scatterNd(in.idx, in.value, 4),
            "{op}/shape"),
        call("array.tile(x, 2, 1)", "Tile", in -> in.tf.array.tile(in.x, 2, 1), "{op}/multiples"),
        call("array.pad(x, paddings)", "Pad", in -> in.tf.array.pad(in.x, new long[][] {{1, 1}, {0, 0}}),
            "{op}/paddings"),
        call("array.pad(x, paddings, CONSTANT, 1f)", "Pad",
            in -> in.tf.array.pad(in.x, new long[][] {{1, 1}, {0, 0}}, "CONSTANT", 1f), "{op}/paddings",
            "{op}/constant_values"),
        call("array.pad(x, paddings, REFLECT)", "MirrorPad",
            in -> in.tf.array.pad(in.x, new long[][] {{1, 1}, {0, 0}}, "REFLECT", null), "{op}/paddings"),
        call("array.reverse(x, 1)", "ReverseV2", in -> in.tf.array.reverse(in.x, 1), "{op}/axis"),
        call("array.fill([2, 2], start)", "Fill", in -> in.tf.array.fill(new long[] {2, 2}, in.start), "{op}/dims"),
        call("array.zeros([2000], FLOAT32)", "zeros", in -> in.tf.array.zeros(Shape.of(2000), DType.FLOAT32),
            "{op}/shape_as_tensor", "{op}/Const"),
        call("array.ones([2000], FLOAT32)", "ones", in -> in.tf.array.ones(Shape.of(2000), DType.FLOAT32),
            "{op}/shape_as_tensor", "{op}/Const"),
        call("array.oneHot(xi, 4)", "one_hot", in -> in.tf.array.oneHot(in.xi, 4), "{op}/on_value",
            "{op}/off_value", "{op}/depth"),
        call("array.range(0, 5, 1)", "range", in -> in.tf.array.range(0, 5, 1), "{op}/start", "{op}/limit",
            "{op}/delta"),
        call("array.linspace(start, stop, 5)", "LinSpace", in -> in.tf.array.linspace(in.start, in.stop, 5),
            "{op}/num"),
        call("array.shape(x)", "Shape", in -> in.tf.array.shape(in.x)),
        call("array.stack([x, x], 0)", "stack", in -> in.tf.array.stack(List.of(in.x, in.x), 0)),
        composite("array.gatherNd(a3, nd, 1)", "BatchGatherND", in -> in.tf.array.gatherNd(in.a3, in.nd, 1)),
        composite("array.gatherNd(a3, ndu, 1) of unknown dims", "BatchGatherND",
            in -> in.tf.array.gatherNd(in.a3, in.ndu, 1)),
        // tf.linalg
        call("linalg.tensordot(a3, m45, 1)", "Tensordot", in -> in.tf.linalg.tensordot(in.a3, in.m45, 1),
            "{op}/Reshape/shape", "{op}/Reshape", "{op}/MatMul", "{op}/shape"),
        call("linalg.tensordot(a3, c325, [0, 1], [1, 0])", "Tensordot",
            in -> in.tf.linalg.tensordot(in.a3, in.c325, new int[] {0, 1}, new int[] {1, 0}),
            "{op}/transpose/perm", "{op}/transpose", "{op}/Reshape/shape", "{op}/Reshape", "{op}/transpose_1/perm",
            "{op}/transpose_1", "{op}/Reshape_1/shape", "{op}/Reshape_1"),
        composite("linalg.tensordot(au, m45, 1) of unknown dims", "Tensordot",
            in -> in.tf.linalg.tensordot(in.au, in.m45, 1)),
        call("linalg.matMul(m45, m45 transposed)", "MatMul", in -> in.tf.linalg.matMul(in.m45, in.m45, false, true)),
        // tf.nn: softmax over another axis keeps TF's default for its last transpose
        new Call("nn.softmax(x, 0)", "transpose_1", "transpose_3", in -> in.tf.nn.softmax(in.x, 0),
            List.of("transpose/perm", "transpose", "Softmax", "{op}/perm")),
        new Call("nn.logSoftmax(x, 0)", "transpose_1", "transpose_3", in -> in.tf.nn.logSoftmax(in.x, 0),
            List.of("transpose/perm", "transpose", "LogSoftmax", "{op}/perm")),
        call("nn.softmax(x, -1)", "Softmax", in -> in.tf.nn.softmax(in.x, -1)),
        call("nn.relu(x)", "Relu", in -> in.tf.nn.relu(in.x)),
        // tf.random: the composite's name scope holds its arguments and inner ops
        call("random.uniform([2], 1.0, 3.0)", "random_uniform",
            in -> in.tf.random.uniform(Shape.of(2), 1.0, 3.0, DType.FLOAT32, 1L), "{op}/shape", "{op}/min",
            "{op}/max", "{op}/RandomUniform", "{op}/sub", "{op}/mul"),
        call("random.uniform([2]) in [0, 1)", "random_uniform",
            in -> in.tf.random.uniform(Shape.of(2), DType.FLOAT32, 1L), "{op}/shape"),
        call("random.uniform([2], 0, 5) of floats", "random_uniform",
            in -> in.tf.random.uniform(Shape.of(2), 0L, 5L, DType.FLOAT32, 1L), "{op}/shape", "{op}/min", "{op}/max",
            "{op}/RandomUniform"),
        call("random.uniform([2], 1, 10) of int32", "random_uniform",
            in -> in.tf.random.uniform(Shape.of(2), 1L, 10L, DType.INT32, 1L), "{op}/shape", "{op}/min", "{op}/max"),
        call("random.normal([2], 1.0, 2.0)", "random_normal",
            in -> in.tf.random.normal(Shape.of(2), 1.0, 2.0, DType.FLOAT32, 1L), "{op}/shape", "{op}/mean",
            "{op}/stddev", "{op}/RandomStandardNormal", "{op}/mul"),
        call("random.truncatedNormal([2])", "truncated_normal",
            in -> in.tf.random.truncatedNormal(Shape.of(2), DType.FLOAT32, 1L), "{op}/shape", "{op}/mean",
            "{op}/stddev", "{op}/TruncatedNormal", "{op}/mul"),
        call("random.shuffle(x)", "RandomShuffle", in -> in.tf.random.shuffle(in.x, 1L)),
        // tf.sparse
        call("sparse.toDense(indices, values, shape)", "SparseToDense",
            in -> in.tf.sparse.toDense(in.sp.indices(), in.sp.values(), in.sp.denseShape()), "{op}/default_value"),
        call("sparse.toDense(sp)", "SparseToDense", in -> in.tf.sparse.toDense(in.sp), "zeros"),
        call("sparse.reduceSum(sp, [1])", "SparseReduceSum",
            in -> in.tf.sparse.reduceSum(in.sp, new int[] {1}, false), "{op}/reduction_axes"),
        // session handles: the handle's placeholder is built first under its own default name
        call("getSessionTensor", "GetSessionTensor", in -> in.tf.getSessionTensor("h", DType.FLOAT32), "Placeholder"),
        call("deleteSessionTensor", "DeleteSessionTensor", in -> in.tf.deleteSessionTensor("h"), "Placeholder"));
  }

  private static Operation opOf(Object result) {
    if (result instanceof Output o) {
      return o.op();
    }
    if (result instanceof Operation op) {
      return op;
    }
    if (result instanceof List<?> l) {
      return ((Output) l.get(0)).op();
    }
    if (result instanceof SessionTensor st) {
      return st.tensor().op();
    }
    return ((SessionTensorDeleter) result).deleter();
  }

  /** Builds {@code c} with {@code tf} and returns the names of the ops it added; the last is the op returned. */
  private static List<String> build(Call c, Ops tf, In in) {
    Graph g = tf.graph();
    int before = g.operations().size();
    Operation op = opOf(c.build().apply(in.with(tf)));
    List<String> added = new ArrayList<>(g.operations().subList(before, g.operations().size()).stream()
        .map(Operation::name).toList());
    assertEquals(op.name(), added.get(added.size() - 1), c + ": the op returned is the last op built");
    return added;
  }

  /** The names {@code c} should add in a fresh scope {@code prefix} when its op is named {@code name}. */
  private static void assertAdded(Call c, String prefix, String name, List<String> added) {
    String full = prefix + name;
    assertEquals(full, added.get(added.size() - 1), c + ": the op has exactly the name asked for");
    List<String> helpers = added.subList(0, added.size() - 1);
    if (c.helpers() == null) {
      assertTrue(!helpers.isEmpty() && helpers.stream().allMatch(h -> h.startsWith(full + "/")),
          c + ": every helper under " + full + "/: " + helpers);
      return;
    }
    assertEquals(c.helpers().stream().map(h -> prefix + h.replace("{op}", name)).toList(), helpers, c.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void theOpTakesTheNameAskedForAndItsHelpersGoUnderIt(Call c, BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertAdded(c, "", "n", build(c, tf.withName("n"), in));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void withoutANameTheOpHasItsDefault(Call c, BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertAdded(c, "", c.defaultName(), build(c, tf, in));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void aSecondCallIsMadeUniqueAndItsHelpersFollowIt(Call c, BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      build(c, tf, in);
      List<String> second = build(c, tf, in);
      String name = c.secondName();
      List<String> underIt = second.stream().filter(n -> n.equals(name) || n.startsWith(name + "/")).toList();
      assertEquals(name, second.get(second.size() - 1), c + ": made unique as TF makes it");
      if (c.helpers() == null) {
        assertEquals(second, underIt, c + ": every helper under " + name + "/");
      } else {
        List<String> expected = new ArrayList<>(c.helpers().stream().filter(h -> h.contains("{op}"))
            .map(h -> h.replace("{op}", name)).toList());
        expected.add(name);
        assertEquals(expected, underIt, c.toString());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void inANameScopeEveryNameIsPrefixed(Call c, BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertAdded(c, "layer/", "n", build(c, tf.withSubScope("layer").withName("n"), in));
      assertAdded(c, "block/", c.defaultName(), build(c, tf.withSubScope("block"), in));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("calls")
  void theNamesSurviveAGraphDefRoundTrip(Call c, BufferAllocator allocator) {
    try (Graph src = new Graph(allocator); Graph dst = new Graph(allocator)) {
      Ops tf = Ops.create(src);
      In in = In.of(tf);
      build(c, tf.withName("n"), in);
      build(c, tf, in);
      build(c, tf.withSubScope("layer"), in);
      GraphDef def = GraphDef.fromJson(src.graphDef().toJson());
      dst.importGraphDef(def);
      assertEquals(src.graphDef(), dst.graphDef(), c + ": the same nodes, names and attributes");
      assertTrue(def.nodeNames().containsAll(List.of("n", c.defaultName(), "layer/" + c.defaultName())),
          def.nodeNames().toString());
    }
  }

  @Test
  void tensorFlowsOwnExamples(BufferAllocator allocator) {
    // TF 2.21 (tf_session_check.py facade-names), graph mode, each from a fresh graph:
    // tf.reduce_sum(x, 0, name="s") -> s/reduction_indices, s; tf.reduce_sum(x, 0) twice -> Sum/reduction_indices,
    // Sum, Sum_1/reduction_indices, Sum_1; tf.reduce_sum(x) -> Const, Sum; tf.reduce_mean(x, name="m") -> Const, m;
    // tf.reduce_sum(xu, name="su") of unknown rank -> Rank, range/start, range/delta, range, su;
    // tf.add(x, 2.0, name="z") -> z/y, z; tf.maximum(x, 1.0, name="mx") -> mx/y, mx;
    // tf.argmax(x, 1, name="am") -> am/dimension, am; tf.cumsum(x, 1, name="cs") -> cs/axis, cs;
    // tf.reshape(x, [3, 2], name="rs") -> rs/shape, rs; tf.multiply(x, x) then x * 2.0 -> Mul, mul_1/y, mul_1
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertEquals(List.of("s/reduction_indices", "s"), added(g, () -> tf.withName("s").math.reduceSum(in.x, 0)));
      assertEquals(List.of("Sum/reduction_indices", "Sum", "Sum_1/reduction_indices", "Sum_1"), added(g, () -> {
        tf.math.reduceSum(in.x, 0);
        tf.math.reduceSum(in.x, 0);
      }));
    }
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertEquals(List.of("Const", "Sum"), added(g, () -> tf.math.reduceSum(in.x)));
    }
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertEquals(List.of("Const", "m"), added(g, () -> tf.withName("m").math.reduceMean(in.x)));
    }
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertEquals(List.of("Rank", "range/start", "range/delta", "range", "su"),
          added(g, () -> tf.withName("su").math.reduceSum(in.xu)));
      assertEquals(List.of("z/y", "z"), added(g, () -> tf.withName("z").math.add(in.x, 2.0)));
      assertEquals(List.of("mx/y", "mx"), added(g, () -> tf.withName("mx").math.maximum(in.x, 1.0)));
      assertEquals(List.of("am/dimension", "am"), added(g, () -> tf.withName("am").math.argMax(in.x, 1)));
      assertEquals(List.of("cs/axis", "cs"), added(g, () -> tf.withName("cs").math.cumsum(in.x, 1)));
      assertEquals(List.of("rs/shape", "rs"), added(g, () -> tf.withName("rs").array.reshape(in.x, 3, 2)));
      // Quiver's multiply is named as Python's operator (mul); TF's tf.multiply is Mul, and names ignore case
      assertEquals(List.of("Mul", "mul_1/y", "mul_1"), added(g, () -> {
        tf.withName("Mul").math.multiply(in.x, in.x);
        tf.math.multiply(in.x, 2.0);
      }));
    }
  }

  @Test
  void aRefusedNumberTakesNoName(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      In in = In.of(tf);
      assertThrows(IllegalArgumentException.class, () -> tf.math.add(in.xi, 2.5));
      assertEquals(List.of("add/y", "add"), added(g, () -> tf.math.add(in.xi, 2.0)));
    }
  }

  private static List<String> added(Graph g, Runnable build) {
    int before = g.operations().size();
    build.run();
    return g.operations().subList(before, g.operations().size()).stream().map(Operation::name).toList();
  }
}
