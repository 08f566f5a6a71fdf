package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.UnimplementedException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library ops' attribute declarations at work: representative ops of the math, array, linalg, random and
 * sparse libraries, built through the facade and then rebuilt, through the graph builder and through a GraphDef
 * import, with an attribute their definition lacks, one of the wrong type, a required one missing or an inferred one
 * that disagrees with the inputs. Each is InvalidArgument naming op and attribute, as TensorFlow 2.21 refuses such a
 * NodeDef ("AttrValue had value with type 'int' when 'bool' expected for attr 'transpose_a'", "NodeDef missing attr
 * 'dtype' from Op&lt;name=RandomUniform...&gt;", "NodeDef mentions attribute bogus which is not in the op definition",
 * "Input 0 of node m was passed float from a:0 incompatible with expected int32"). Defaults are TF's
 * ({@code op_def_registry.get(type)}; all of them: {@code OpDeclarationsTest}).
 */
@ExtendWith(LeakCheckedAllocator.class)
class LibraryOpAttributesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One op named "m", built by {@code build} in a fresh graph. */
  private static void withOp(BufferAllocator allocator, Function<Ops, Output> build, Consumer<Operation> test) {
    try (Graph g = new Graph(allocator)) {
      Output m = build.apply(Ops.create(g).withName("m"));
      test.accept(m.op());
    }
  }

  /** Rebuilding {@code op} with {@code attrs} through the graph builder fails naming op and attribute. */
  private static void assertBuildRefuses(Operation op, Attrs attrs, String... expected) {
    var e = assertThrows(InvalidArgumentException.class,
        () -> Scope.create(op.graph()).addOp(op.type(), "m2", attrs, op.inputs()));
    assertTrue(e.getMessage().contains(op.type() + " op 'm2'"), e.getMessage());
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
  }

  /** Importing {@code op}'s graph with {@code change} made to the node's "attr" fails naming op and attribute. */
  private static void assertImportRefuses(BufferAllocator allocator, Operation op, Consumer<ObjectNode> change,
                                          String... expected) {
    ObjectNode root;
    try {
      root = (ObjectNode) JSON.readTree(op.graph().graphDef().toJson());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    root.withArray("node").forEach(n -> {
      if (n.path("name").asText().equals(op.name())) {
        change.accept((ObjectNode) n.get("attr"));
      }
    });
    GraphDef def = GraphDef.fromJson(root.toString());
    try (Graph copy = new Graph(allocator)) {
      var e = assertThrows(InvalidArgumentException.class, () -> copy.importGraphDef(def));
      assertTrue(e.getMessage().contains(op.type() + " op '" + op.name() + "'"), e.getMessage());
      for (String s : expected) {
        assertTrue(e.getMessage().contains(s), e.getMessage());
      }
    }
  }

  private static Attrs without(Attrs attrs, String name) {
    Map<String, Object> m = new LinkedHashMap<>(attrs.asMap());
    m.remove(name);
    return Attrs.of(m);
  }

  private static Output matrix(Ops tf) {
    return tf.withName("x").constant(new float[][] {{1, 2}, {3, 4}});
  }

  @Test
  void matMul(BufferAllocator allocator) {
    withOp(allocator, tf -> tf.linalg.matMul(matrix(tf), matrix(tf)), op -> {
      assertEquals(Map.of("transpose_a", false, "transpose_b", false, "T", DType.FLOAT32, "grad_a", false,
          "grad_b", false), op.attrs().asMap(), "TF's defaults, and T from the inputs");
      assertBuildRefuses(op, op.attrs().with("transpose_a", 1), "attribute 'transpose_a' had a value of type 'int'",
          "when 'bool' expected");
      assertBuildRefuses(op, op.attrs().with("bogus", 1), "attribute 'bogus' is not in the op definition of MatMul",
          "which takes transpose_a, transpose_b, T, grad_a, grad_b");
      assertBuildRefuses(op, op.attrs().with("T", DType.INT32), "input 0 was passed float32, incompatible with "
          + "attribute 'T' = int32");
      assertImportRefuses(allocator, op, a -> a.putObject("transpose_a").put("i", 1),
          "attribute 'transpose_a' had a value of type 'int' (1) when 'bool' expected");
      assertImportRefuses(allocator, op, a -> a.putObject("bogus").put("i", 1), "attribute 'bogus' is not in the op");
      assertImportRefuses(allocator, op, a -> a.putObject("T").put("type", "int32"),
          "incompatible with attribute 'T' = int32");
    });
  }

  @Test
  void stridedSlice(BufferAllocator allocator) {
    withOp(allocator, tf -> tf.array.stridedSlice(matrix(tf), new long[] {0}, new long[] {1}, new long[] {1}), op -> {
      for (String mask : List.of("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")) {
        assertEquals(0L, op.attrs().getLong(mask), mask);
      }
      assertEquals(DType.INT32, op.attrs().getDType("Index"), "the dtype of begin, end and strides");
      assertBuildRefuses(op, op.attrs().with("begin_mask", true),
          "attribute 'begin_mask' had a value of type 'bool' (true) when 'int' expected");
      assertBuildRefuses(op, op.attrs().with("mask", 1L), "attribute 'mask' is not in the op definition");
      assertImportRefuses(allocator, op, a -> a.putObject("shrink_axis_mask").put("f", 1.5),
          "attribute 'shrink_axis_mask' had a value of type 'float' (1.5) when 'int' expected");
      assertImportRefuses(allocator, op, a -> a.putObject("Index").put("type", "int64"),
          "input 1 was passed int32, incompatible with attribute 'Index' = int64");
    });
  }

  @Test
  void sum(BufferAllocator allocator) {
    withOp(allocator, tf -> tf.math.reduceSum(matrix(tf), 0), op -> {
      assertEquals(false, op.attrs().getBool("keep_dims"));
      assertEquals(DType.INT32, op.attrs().getDType("Tidx"));
      assertBuildRefuses(op, op.attrs().with("keep_dims", "yes"),
          "attribute 'keep_dims' had a value of type 'string' (yes) when 'bool' expected");
      assertBuildRefuses(op, op.attrs().with("keepdims", true), "attribute 'keepdims' is not in the op definition",
          "which takes keep_dims, T, Tidx");
      assertImportRefuses(allocator, op, a -> a.putObject("keep_dims").put("i", 0),
          "attribute 'keep_dims' had a value of type 'int' (0) when 'bool' expected");
      assertImportRefuses(allocator, op, a -> a.putObject("Tidx").put("type", "int64"),
          "input 1 was passed int32, incompatible with attribute 'Tidx' = int64");
    });
  }

  @Test
  void randomUniform(BufferAllocator allocator) {
    withOp(allocator, tf -> tf.random.uniform(Shape.of(2), DType.FLOAT32, null), op -> {
      assertEquals("RandomUniform", op.type());
      assertEquals(DType.INT32, op.attrs().getDType("T"), "the shape argument's dtype");
      assertBuildRefuses(op, without(op.attrs(), "dtype"), "missing the required attribute 'dtype' (type)");
      assertBuildRefuses(op, op.attrs().with("seed", 1.5), "attribute 'seed' had a value of type 'float' (1.5) "
          + "when 'int' expected");
      assertImportRefuses(allocator, op, a -> a.remove("dtype"), "missing the required attribute 'dtype'");
      assertImportRefuses(allocator, op, a -> a.putObject("seed3").put("i", 1), "attribute 'seed3' is not in the op",
          "which takes seed, seed2, dtype, T");
    });
  }

  @Test
  void sparseToDense(BufferAllocator allocator) {
    withOp(allocator, tf -> tf.sparse.toDense(tf.constant(new long[][] {{0}, {2}}), tf.constant(new float[] {1, 2}),
        tf.constant(new long[] {3})), op -> {
      assertEquals(true, op.attrs().getBool("validate_indices"), "TF's default");
      assertEquals(DType.INT64, op.attrs().getDType("Tindices"));
      assertEquals(DType.FLOAT32, op.attrs().getDType("T"), "the values' dtype (input 2)");
      assertBuildRefuses(op, op.attrs().with("validate_indices", 1),
          "attribute 'validate_indices' had a value of type 'int' (1) when 'bool' expected");
      assertBuildRefuses(op, op.attrs().with("default_value", 0f),
          "attribute 'default_value' is not in the op definition");
      assertImportRefuses(allocator, op, a -> a.putObject("validate_indices").put("s", "true"),
          "attribute 'validate_indices' had a value of type 'string' (true) when 'bool' expected");
      assertImportRefuses(allocator, op, a -> a.putObject("T").put("type", "float64"),
          "input 2 was passed float32, incompatible with attribute 'T' = float64");
    });
  }

  /**
   * TF attributes whose default alone Quiver implements fail when the op is built (Unimplemented), and values TF
   * does not allow fail as TF's do: TF 2.21 takes bad_indices_policy "IGNORE" (zeros / skipped updates), and says
   * "Unknown bad indices handling attribute: bogus" and "Value for attr 'mode' of \"CONSTANT\" is not in the list
   * of allowed values: \"REFLECT\", \"SYMMETRIC\"".
   */
  @Test
  void attributeValuesQuiverDoesNotImplementFailWhenBuilt(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Scope scope = Scope.create(g);
      Output v = tf.constant(new float[] {1, 2, 3});
      Output ix = tf.constant(new int[][] {{1}});
      var e = assertThrows(UnimplementedException.class,
          () -> scope.addOp("Equal", "eq", Attrs.of("incompatible_shape_error", false), v, v));
      assertTrue(e.getMessage().contains("Equal op 'eq': attribute 'incompatible_shape_error' = false"),
          e.getMessage());
      e = assertThrows(UnimplementedException.class,
          () -> scope.addOp("GatherNd", "g", Attrs.of("bad_indices_policy", "IGNORE"), v, ix));
      assertTrue(e.getMessage().contains("GatherNd op 'g': attribute 'bad_indices_policy' = \"IGNORE\""),
          e.getMessage());
      var invalid = assertThrows(InvalidArgumentException.class,
          () -> scope.addOp("ScatterNd", "s", Attrs.of("bad_indices_policy", "bogus"), ix, tf.constant(new float[] {1}),
              tf.constant(new int[] {3})));
      assertTrue(invalid.getMessage().contains("Unknown bad indices handling attribute: bogus"), invalid.getMessage());
      assertEquals(Shape.of(1), scope.addOp("GatherNd", "ok", Attrs.of("bad_indices_policy", "ERROR"), v, ix)
          .output(0).shape(), "TF's CPU default, named");
      invalid = assertThrows(InvalidArgumentException.class, () -> scope.addOp("MirrorPad", "p",
          Attrs.of("mode", "CONSTANT"), v, tf.constant(new int[][] {{1, 1}})));
      assertTrue(invalid.getMessage().contains("Value for attr 'mode' of \"CONSTANT\" is not in the list of allowed "
          + "values"), invalid.getMessage());
    }
  }

  /**
   * A graph using ops of every library exports each op with TF's attributes (inferred ones included), and the
   * imported copy re-exports the same JSON and computes the same values, a seeded random op's too.
   */
  @Test
  void aGraphOfEveryLibrarySurvivesTheRoundTrip(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Output x = tf.withName("x").placeholder(DType.FLOAT32, Shape.of(2, 2));                  // core
      Output sum = tf.math.reduceSum(tf.math.add(x, tf.math.cast(tf.constant(1), DType.FLOAT32)), 1); // math
      Output prod = tf.linalg.matMul(x, x, false, true);                                        // linalg
      Output soft = tf.nn.softmax(prod);                                                        // nn
      Output joined = tf.array.concat(List.of(tf.array.reshape(sum, 1, 2), tf.array.stridedSlice(soft,
          new long[] {0, 0}, new long[] {1, 2}, new long[] {1, 1})), 0);                       // array
      Output random = tf.random.uniform(Shape.of(3), DType.FLOAT64, 7L);                        // random
      Output dense = tf.sparse.toDense(tf.constant(new long[][] {{1}}), tf.constant(new float[] {5}),
          tf.constant(new long[] {2}));                                                         // sparse
      List<String> fetches = List.of(joined.name(), random.name(), dense.name());
      String json = g.graphDef().toJson();
      assertTrue(json.contains("\"op\":\"MatMul\",\"input\":[\"x\",\"x\"],\"attr\":{\"transpose_a\":{\"b\":false},"
          + "\"transpose_b\":{\"b\":true},\"T\":{\"type\":\"float32\"},\"grad_a\":{\"b\":false},"
          + "\"grad_b\":{\"b\":false}}"), json);
      try (Graph copy = new Graph(allocator)) {
        copy.importGraphDef(GraphDef.fromJson(json));
        assertEquals(json, copy.graphDef().toJson(), "re-exporting the import gives the same JSON");
        float[][] feed = {{1, 2}, {3, 4}};
        try (HandleStore store = HandleStore.builder().build();
             Session s1 = new Session(g, SessionConfig.builder().handleStore(store).build());
             Session s2 = new Session(copy, SessionConfig.builder().handleStore(store).build());
             Result r1 = s1.run(fetches, Map.of("x:0", feed));
             Result r2 = s2.run(fetches, Map.of("x:0", feed))) {
          for (int i = 0; i < fetches.size(); i++) {
            assertEquals(r1.get(i).dtype(), r2.get(i).dtype(), fetches.get(i));
            assertEquals(r1.get(i).shape(), r2.get(i).shape(), fetches.get(i));
          }
          assertArrayEquals((float[][]) r1.get(0).toArray(), (float[][]) r2.get(0).toArray());
          assertArrayEquals(new float[] {5, 9}, ((float[][]) r2.get(0).toArray())[0], "the row sums of x + 1");
          assertArrayEquals((double[]) r1.get(1).toArray(), (double[]) r2.get(1).toArray(), "the same seeds");
          assertArrayEquals(new float[] {0, 5}, (float[]) r2.get(2).toArray());
        }
      }
    }
  }
}
