package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * Attribute declarations of ops (the OpDef's attrs): an op is checked against them whenever it is built, through
 * the builders or a GraphDef import, as TensorFlow checks a NodeDef against its OpDef (TF 2.21: "NodeDef missing
 * attr 'dtype' from Op&lt;name=Placeholder...&gt;", "NodeDef mentions attribute foo which is not in the op
 * definition", "AttrValue had value with type 'int' when 'bool' expected for attr 'transpose_a'", "Input 0 of
 * node m was passed float from a:0 incompatible with expected int32"); defaults are filled in (TF's
 * AddDefaultsToNodeDef: a placeholder built without a shape has shape unknown_rank), and so are the attributes
 * TF infers from the inputs (tf.raw_ops.Identity(input=x) has T = x's dtype).
 */
@ExtendWith(LeakCheckedAllocator.class)
class OpAttributesTest {
  private static void assertInvalid(Executable build, String... expected) {
    var e = assertThrows(InvalidArgumentException.class, build);
    for (String s : expected) {
      assertTrue(e.getMessage().contains(s), e.getMessage());
    }
  }

  @Test
  void placeholderDeclaresTensorFlowsAttributes() {
    assertEquals(List.of(AttrDef.required("dtype", AttrType.TYPE),
        AttrDef.withDefault("shape", AttrType.SHAPE, Shape.unknown())), OpRegistry.global().get("Placeholder").attrs());
  }

  @Test
  void anAttributeTheOpDoesNotDeclareIsInvalidArgumentNamingOpAndAttribute(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "x", Attrs.of("dtype", DType.FLOAT32, "foo", 1)),
          "Placeholder op 'x'", "attribute 'foo' is not in the op definition of Placeholder", "takes dtype, shape");
      assertInvalid(() -> Scope.create(g).addOp("NoOp", "n", Attrs.of("foo", 1)), "NoOp op 'n'", "'foo'",
          "takes no attributes");
    }
  }

  @Test
  void aMissingRequiredAttributeIsInvalidArgument(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "x", Attrs.empty()),
          "Placeholder op 'x'", "missing the required attribute 'dtype' (type)");
    }
  }

  @Test
  void anAttributeOfTheWrongTypeIsInvalidArgument(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "x", Attrs.of("dtype", "float32")),
          "Placeholder op 'x'", "attribute 'dtype' had a value of type 'string' (float32) when 'type' expected");
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "y", Attrs.of("dtype", DType.FLOAT32, "shape", 3)),
          "attribute 'shape' had a value of type 'int' (3) when 'shape' expected");
    }
  }

  @Test
  void defaultsAreFilledInAndExported(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Operation p = Scope.create(g).addOp("Placeholder", "p", Attrs.of("dtype", DType.FLOAT32));
      assertEquals(Shape.unknown(), p.attrs().getShape("shape"));
      assertTrue(p.output(0).shape().hasUnknownRank());
      assertTrue(g.graphDef().toJson().contains("\"shape\":{\"shape\":{\"unknown_rank\":true}}"), g.graphDef().toJson());
    }
  }

  @Test
  void aGraphDefImportChecksAttributesAsBuildingDoes(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      GraphDef extra = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": [{\"name\": \"x\", "
          + "\"op\": \"Placeholder\", \"attr\": {\"dtype\": {\"type\": \"float32\"}, \"foo\": {\"i\": 1}}}]}");
      assertInvalid(() -> g.importGraphDef(extra), "Placeholder op 'x'", "'foo'");
      GraphDef missing = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": [{\"name\": \"x\", "
          + "\"op\": \"Placeholder\", \"attr\": {}}]}");
      assertInvalid(() -> g.importGraphDef(missing), "Placeholder op 'x'", "'dtype'");
      GraphDef wrong = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": [{\"name\": \"x\", "
          + "\"op\": \"Placeholder\", \"attr\": {\"dtype\": {\"i\": 1}}}]}");
      assertInvalid(() -> g.importGraphDef(wrong), "Placeholder op 'x'", "attribute 'dtype' had a value of type 'int'");
      assertEquals(0, g.size(), "nothing of the refused nodes was added");
    }
  }

  @Test
  void aTypeAttributeIsInferredFromItsInputAndMustAgreeWithIt(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Scope scope = Scope.create(g);
      Output x = Ops.create(g).constant(1f);
      assertEquals(DType.FLOAT32, scope.addOp("Identity", "id", Attrs.empty(), x).attrs().getDType("T"));
      assertEquals(DType.FLOAT32, scope.addOp("Identity", "same", Attrs.of("T", DType.FLOAT32), x).attrs()
          .getDType("T"), "given, an inferred attribute that agrees with the input is kept");
      assertInvalid(() -> scope.addOp("Identity", "other", Attrs.of("T", DType.INT32), x), "Identity op 'other'",
          "input 0 was passed float32, incompatible with attribute 'T' = int32");
      assertInvalid(() -> scope.addOp("Identity", "bad", Attrs.of("T", 1), x),
          "attribute 'T' had a value of type 'int' (1) when 'type' expected");
    }
  }

  @Test
  void aListLengthIsInferredFromTheInputsAndMustAgreeWithThem(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Scope scope = Scope.create(g);
      Output x = Ops.create(g).constant(new float[] {1});
      Operation concat = scope.addOp("ConcatV2", "c", Attrs.empty(), x, x, x, Ops.create(g).constant(0));
      assertEquals(3L, concat.attrs().getLong("N"), "ConcatV2's list is all inputs but the axis");
      assertEquals(DType.INT32, concat.attrs().getDType("Tidx"), "the dtype of the last input, the axis");
      assertEquals(2L, scope.addOp("AddN", "n", Attrs.of("N", 2), x, x).attrs().getLong("N"));
      // TF 2.21: "NodeDef expected inputs 'float, float, float' do not match 2 inputs specified"
      assertInvalid(() -> scope.addOp("AddN", "m", Attrs.of("N", 3), x, x), "AddN op 'm'",
          "attribute 'N' = 3 does not match the 2 inputs of its list");
    }
  }

  @Test
  void aWholeNumberGivenForAFloatAttributeBecomesAFloat(BufferAllocator allocator) {
    OpRegistry r = new OpRegistry();
    r.register(OpDef.of("Scaled", 0, ctx -> List.of(new TensorSpec(DType.FLOAT32, Shape.scalar())), ctx -> { })
        .withAttrs(AttrDef.withDefault("alpha", AttrType.FLOAT, 0.5),
            AttrDef.withDefault("axes", AttrType.FLOAT_LIST, new double[] {1})));
    try (Graph g = new Graph(allocator, r)) {
      Operation op = Scope.create(g).addOp("Scaled", "s", Attrs.of("alpha", 2, "axes", new int[] {3, 4}));
      assertEquals(2.0, op.attrs().get("alpha"));
      assertArrayEquals(new double[] {3, 4}, (double[]) op.attrs().get("axes"));
      Operation defaults = Scope.create(g).addOp("Scaled", "d", Attrs.empty());
      assertEquals(0.5, defaults.attrs().getDouble("alpha"));
    }
  }

  @Test
  void declarationsThemselvesAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> AttrDef.withDefault("dtype", AttrType.TYPE, 3));
    assertThrows(IllegalArgumentException.class,
        () -> new AttrDef("dtype", AttrType.TYPE, DType.FLOAT32, true, null), "required with a default");
    assertThrows(IllegalArgumentException.class, () -> new AttrDef("dtype", AttrType.TYPE, null, false, null),
        "neither required, defaulted nor inferred");
    assertThrows(IllegalArgumentException.class,
        () -> new AttrDef("N", AttrType.TYPE, null, false, new AttrDef.Inferred(true, 0)), "a list length is an int");
    OpDef.Builder def = OpDef.of("Twice", 1, ctx -> List.of(), ctx -> { });
    assertThrows(IllegalArgumentException.class,
        () -> def.withAttrs(AttrDef.required("a", AttrType.INT), AttrDef.required("a", AttrType.FLOAT)));
    assertThrows(IllegalArgumentException.class, () -> def.withAttrs(AttrDef.typeOfInput("T", 1)),
        "inferred from an input the op may not have");
    assertThrows(NullPointerException.class,
        () -> new OpDef("Undeclared", 0, 0, ctx -> List.of(), ctx -> { }, false, null),
        "every op declares its attributes (an empty list for none)");
  }
}
