package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * the builders or a GraphDef import, as TensorFlow checks a NodeDef against its OpDef ("NodeDef missing attr
 * 'dtype' from Op&lt;name=Placeholder...&gt;", "NodeDef mentions attr 'foo' not in Op..."), and defaults are filled in
 * (TF's AddDefaultsToNodeDef: a placeholder built without a shape has shape unknown_rank).
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
  void everyCoreOpDeclaresItsAttributes() {
    for (String type : List.of("Const", "Placeholder", "PlaceholderWithDefault", "Identity", "NoOp",
        "GetSessionHandle", "GetSessionTensor", "DeleteSessionTensor")) {
      assertTrue(OpRegistry.global().get(type).declaresAttrs(), type);
    }
    assertEquals(List.of(AttrDef.required("dtype", AttrType.TYPE),
        AttrDef.withDefault("shape", AttrType.SHAPE, Shape.unknown())), OpRegistry.global().get("Placeholder").attrs());
  }

  @Test
  void anAttributeTheOpDoesNotDeclareIsInvalidArgumentNamingOpAndAttribute(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "x", Attrs.of("dtype", DType.FLOAT32, "foo", 1)),
          "Placeholder op 'x'", "attribute 'foo' is not declared", "dtype, shape");
      assertInvalid(() -> Scope.create(g).addOp("NoOp", "n", Attrs.of("foo", 1)), "NoOp op 'n'", "'foo'",
          "no attributes");
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
          "Placeholder op 'x'", "attribute 'dtype' must be a type, not a String");
      assertInvalid(() -> Scope.create(g).addOp("Placeholder", "y", Attrs.of("dtype", DType.FLOAT32, "shape", 3)),
          "attribute 'shape' must be a shape, not a Long");
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
      assertInvalid(() -> g.importGraphDef(wrong), "Placeholder op 'x'", "attribute 'dtype' must be a type");
      assertEquals(0, g.size(), "nothing of the refused nodes was added");
    }
  }

  @Test
  void anOpThatDeclaresNoAttributesTakesAnyUnchecked(BufferAllocator allocator) {
    OpRegistry r = new OpRegistry();
    r.register(OpDef.of("Free", 0, ctx -> List.of(new TensorSpec(DType.FLOAT32, Shape.scalar())), ctx -> { }));
    try (Graph g = new Graph(allocator, r)) {
      assertFalse(r.get("Free").declaresAttrs());
      Operation op = Scope.create(g).addOp("Free", "free", Attrs.of("anything", 1, "else", "x"));
      assertEquals(1L, op.attrs().getLong("anything"));
    }
  }

  @Test
  void aWholeNumberGivenForAFloatAttributeBecomesAFloat(BufferAllocator allocator) {
    OpRegistry r = new OpRegistry();
    r.register(OpDef.of("Scaled", 0, ctx -> List.of(new TensorSpec(DType.FLOAT32, Shape.scalar())), ctx -> { })
        .withAttrs(AttrDef.withDefault("alpha", AttrType.FLOAT, 0.5), AttrDef.optional("seed", AttrType.INT),
            AttrDef.withDefault("axes", AttrType.FLOAT_LIST, new double[] {1})));
    try (Graph g = new Graph(allocator, r)) {
      Operation op = Scope.create(g).addOp("Scaled", "s", Attrs.of("alpha", 2, "axes", new int[] {3, 4}));
      assertEquals(2.0, op.attrs().get("alpha"));
      assertArrayEquals(new double[] {3, 4}, (double[]) op.attrs().get("axes"));
      assertFalse(op.attrs().has("seed"), "an optional attribute without a default stays absent");
      Operation defaults = Scope.create(g).addOp("Scaled", "d", Attrs.empty());
      assertEquals(0.5, defaults.attrs().getDouble("alpha"));
    }
  }

  @Test
  void declarationsThemselvesAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> AttrDef.withDefault("dtype", AttrType.TYPE, 3));
    assertThrows(IllegalArgumentException.class, () -> new AttrDef("dtype", AttrType.TYPE, DType.FLOAT32, true));
    OpDef def = OpDef.of("Twice", 0, ctx -> List.of(), ctx -> { });
    assertThrows(IllegalArgumentException.class,
        () -> def.withAttrs(AttrDef.optional("a", AttrType.INT), AttrDef.optional("a", AttrType.FLOAT)));
  }
}
