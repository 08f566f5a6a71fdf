package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Graph -> GraphDef (JSON) -> Graph keeps names, inputs, control inputs, attributes and constants' values. */
@ExtendWith(LeakCheckedAllocator.class)
class GraphDefTest {
  @Test
  void aGraphSurvivesTheRoundTripThroughJson(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(-1, 2));
      Output c = f.tf.withName("c").constant(new float[][] {{1, Float.NaN}, {3, 4}});
      Operation init = f.tf.withName("init").noOp();
      f.tf.withControlDependencies(init).withName("y").identity(f.add(f.mul(a, c), c));
      f.tf.withName("strings").constant(new String[] {"x", "yz"});
      String json = f.graph.graphDef().toJson();
      try (Graph copy = new Graph(allocator, TestOps.registry())) {
        copy.importGraphDef(GraphDef.fromJson(json));
        assertEquals(json, copy.graphDef().toJson(), "re-exporting the import gives the same JSON");
        assertEquals(f.graph.graphDef(), copy.graphDef());
        assertEquals(List.of(copy.operation("init")), copy.operation("y").controlInputs());
        assertEquals(Shape.of(-1, 2), copy.outputByName("a:0").shape());
        try (HandleStore store = HandleStore.builder().build();
             Session s = new Session(copy, SessionConfig.builder().handleStore(store).build());
             Result r = s.run(List.of("y:0", "strings:0"), Map.of("a:0", new float[][] {{1, 1}, {1, 1}}))) {
          float[][] y = (float[][]) r.get(0).toArray();
          assertArrayEquals(new float[] {2, Float.NaN}, y[0]);
          assertArrayEquals(new float[] {6, 8}, y[1]);
          assertArrayEquals(new String[] {"x", "yz"}, r.get(1).toStringArray());
        }
      }
    }
  }

  @Test
  void importingRefusesMalformedDefinitions(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      assertThrows(InvalidArgumentException.class, () -> GraphDef.fromJson("not json"));
      assertThrows(InvalidArgumentException.class, () -> GraphDef.fromJson("{\"node\": []}"));
      GraphDef dangling = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": "
          + "[{\"name\": \"y\", \"op\": \"Identity\", \"input\": [\"x\"], \"attr\": {}}]}");
      assertThrows(InvalidArgumentException.class, () -> g.importGraphDef(dangling));
      GraphDef unknownOp = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": "
          + "[{\"name\": \"n\", \"op\": \"NoSuchOp\"}]}");
      assertTrue(assertThrows(NotFoundException.class, () -> g.importGraphDef(unknownOp)).getMessage()
          .contains("NoSuchOp"));
      for (String input : new String[] {"c:1", "c:-1", "c:x", "c:"}) {
        GraphDef bad = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": [{\"name\": \"c\", "
            + "\"op\": \"NoOp\"}, {\"name\": \"y\", \"op\": \"Identity\", \"input\": [\"" + input + "\"]}]}");
        try (Graph fresh = new Graph(allocator)) {
          var e = assertThrows(InvalidArgumentException.class, () -> fresh.importGraphDef(bad));
          assertTrue(e.getMessage().contains("input '" + input + "' of node 'y' names a missing output"),
              e.getMessage());
        }
      }
    }
  }

  @Test
  void importedNamesAreReservedForLaterOps(BufferAllocator allocator) {
    try (Graph src = new Graph(allocator); Graph dst = new Graph(allocator)) {
      Ops.create(src).constant(1f);
      dst.importGraphDef(src.graphDef());
      assertEquals("Const_1", Ops.create(dst).constant(2f).op().name());
    }
  }

  @Test
  void theHandleFeedersOfSessionTensorPairsSurviveTheRoundTrip(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      SessionTensor st = f.tf.withName("read").getSessionTensor("ignored", DType.FLOAT32);
      f.tf.withName("y").identity(f.mul(st.tensor(), f.tf.constant(10f)));
      SessionTensorDeleter d = f.tf.withName("drop").deleteSessionTensor("ignored");
      f.tf.withName("h").getSessionHandle(f.tf.withName("c").constant(3f));
      String json = f.graph.graphDef().toJson();
      assertTrue(json.contains("\"handle_feeder\":true"), json);
      try (Graph copy = new Graph(allocator, TestOps.registry());
           Session s = new Session(copy, SessionConfig.builder().handleStore(f.store).build())) {
        copy.importGraphDef(GraphDef.fromJson(json));
        assertEquals(json, copy.graphDef().toJson());
        try (Result hr = s.run("h:0")) {
          TensorHandle h = hr.handle();
          // a TensorHandle fed to an imported handle placeholder still feeds its handle string
          try (Result r = s.run("y:0", Map.of(st.placeholder().name(), h))) {
            assertEquals(30f, r.tensor().getFloat(0));
          }
          s.run(copy.operationByName(d.deleter().name()), Map.of(d.placeholder().name(), h)).close();
          assertFalse(h.isAlive());
        }
      }
    }
  }

  @Test
  void onlyAStringPlaceholderCanBeMarkedAHandleFeeder(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      GraphDef marked = GraphDef.fromJson("{\"format\": \"quiver.graphdef/1\", \"node\": [{\"name\": \"x\", "
          + "\"op\": \"Placeholder\", \"attr\": {\"dtype\": {\"type\": \"float32\"}}, \"handle_feeder\": true}]}");
      var e = assertThrows(InvalidArgumentException.class, () -> g.importGraphDef(marked));
      assertTrue(e.getMessage().contains("node 'x'"), e.getMessage());
    }
  }
}
