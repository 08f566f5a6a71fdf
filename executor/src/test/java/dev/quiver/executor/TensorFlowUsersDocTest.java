package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Java code blocks of docs/tensorflow-users.md, compiled and run. {@link #everyJavaBlockOfThePageIsRunHere}
 * reads the page and fails if one of its blocks is not, word for word, in this file: edit both together.
 */
@ExtendWith(LeakCheckedAllocator.class)
class TensorFlowUsersDocTest {
  private static final String PAGE = "docs/tensorflow-users.md";
  private static final String THIS_FILE = "executor/src/test/java/dev/quiver/executor/TensorFlowUsersDocTest.java";

  @Test
  void everyJavaBlockOfThePageIsRunHere() {
    DocSnippets.assertEveryJavaBlockIsIn(PAGE, THIS_FILE);
  }

  @Test
  void sessionRun() {
    String printed = DocSnippets.printedBy(() -> {
      try (Graph g = new Graph(); Session sess = new Session(g)) {
        Ops tf = Ops.create(g);
        Output a = tf.constant(5.0f);
        Output b = tf.constant(6.0f);
        Output c = tf.math.multiply(a, b);
        try (Result r = sess.run(c)) {
          System.out.println(r.tensor().getFloat(0)); // prints 30.0
        }
      }
    });
    assertEquals("30.0", printed.strip());
  }

  record MyData<A, B>(A a, B b) {}

  @Test
  void nestedFetches(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Output a = f.tf.constant(new int[] {10, 20});
      Output b = f.tf.constant(new float[] {1, 2});
      String printed = DocSnippets.printedBy(() -> {
        Map<String, Object> fetches = new LinkedHashMap<>();
        fetches.put("k1", new MyData<>(a, b));
        fetches.put("k2", List.of(b, a));
        try (Result r = sess.run(fetches)) {
          Map<?, ?> v = r.as(Map.class);
          MyData<?, ?> k1 = (MyData<?, ?>) v.get("k1");
          System.out.println(k1.a()); // Tensor(int32, shape=(2,), [10, 20])
        }
      });
      assertEquals("Tensor(int32, shape=(2,), [10, 20])", printed.strip());
    }
  }

  @Test
  void feedsOptionsAndRunner(BufferAllocator allocator) throws IOException {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(-1));
      Output y = f.tf.withName("y").identity(f.tf.math.multiply(a, f.tf.constant(2f)));
      try (Result r = sess.run(y, Map.of(a, new float[] {1, 2}))) {
        assertEquals(4f, r.tensor().getFloat(1));
      }
      Map<Output, Object> feeds = Map.of(a, new float[] {1});
      RunOptions opts = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).timeoutInMs(500).build();
      RunMetadata md = new RunMetadata();
      sess.run(y, feeds, opts, md).close();
      Path trace = Files.createTempFile("step", ".json");
      Files.writeString(trace, md.toChromeTrace()); // open in Perfetto or chrome://tracing
      try {
        assertTrue(Files.readString(trace).contains("\"traceEvents\""));
        assertFalse(md.stepStats().isEmpty());
      } finally {
        Files.delete(trace);
      }
      try (Result r = sess.runner().feed("a", new float[] {3f}).fetch("y").run()) {
        assertEquals(6f, r.get(0).getFloat(0));
      }
    }
  }

  @Test
  void callablesAndDefaults(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.tf.math.add(f.tf.math.multiply(a, f.tf.constant(2f)), f.tf.constant(1f));
      SessionCallable call = sess.makeCallable(y, List.of(a));
      try (Result r = call.call(3f)) {
        assertEquals(7f, r.tensor().getFloat(0));
      }
      RunOptions opts = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      RunMetadata md = new RunMetadata();
      try (Result r = sess.makeCallable(y, List.of(a), true).call(opts, md, 3f)) {
        assertEquals(7f, r.tensor().getFloat(0));
      }
      Output c = f.tf.constant(4f);
      try (var s = sess.asDefault(); Tensor t = c.eval()) {
        assertEquals(4f, t.getFloat(0));
      }
      assertEquals(1, sess.listDevices().size());
    }
  }

  @Test
  void withSessionIsASessionAndItsDefaultScope(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Output c = Ops.create(g).withName("c").constant(3f);
      String printed = DocSnippets.printedBy(() -> {
        try (Session sess = new Session(g); var asDefault = sess.asDefault()) {
          try (Tensor t = c.eval()) {
            System.out.println(t.getFloat(0)); // 3.0
          }
        }
      });
      assertEquals("3.0", printed.strip());
      assertEquals(null, Session.getDefaultSession());

      String logged = DocSnippets.loggedBy(() -> {
        SessionConfig config = SessionConfig.builder().allowSoftPlacement(true).logDevicePlacement(true).build();
        try (Session sess = new Session(g, config)) {
          sess.run(c).close(); // logs "c: (Const): /job:localhost/replica:0/task:0/device:CPU:0"
        }
      });
      // TF 2.21 prints "c: (Const): /job:localhost/replica:0/task:0/device:CPU:0" (tf_session_check.py
      // log-device-placement)
      assertTrue(logged.contains("c: (Const): /job:localhost/replica:0/task:0/device:CPU:0"), logged);
    }
  }

  @Test
  void sparseTensors(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Ops tf = f.tf;
      String printed = DocSnippets.printedBy(() -> {
        SparseTensor st = new SparseTensor(tf.constant(new long[][] {{0, 0}, {1, 2}}), tf.constant(new float[] {1, 2}),
            tf.constant(new long[] {3, 4}));
        try (Result r = sess.run(st)) {
          SparseTensorValue v = r.as(SparseTensorValue.class);
          System.out.println(v.values()); // Tensor(float32, shape=(2,), [1.0, 2.0])
        }
      });
      assertEquals("Tensor(float32, shape=(2,), [1.0, 2.0])", printed.strip());
    }
  }

  @Test
  void sessionAttributes(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      f.tf.withName("c").constant(1f);
      Graph launched = sess.graph();
      String target = sess.sessStr(); // "" for the in-process engine
      GraphDef def = sess.graphDef(); // JSON: def.toJson()
      // TF 2.21 (tf_session_check.py session-attributes): sess.sess_str == b'', sess.graph is the graph
      assertEquals(f.graph, launched);
      assertEquals("", target);
      assertEquals(List.of("c"), GraphDef.fromJson(def.toJson()).nodeNames());
    }
  }

  @Test
  void partialRun(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Ops tf = f.tf;
      Output a = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output b = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output c = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output r1 = tf.math.add(a, b);
      Output r2 = tf.math.multiply(r1, c);
      String printed = DocSnippets.printedBy(() -> {
        String h = sess.partialRunSetup(List.of(r1, r2), List.of(a, b, c));
        try (Result res = sess.partialRun(h, r1, Map.of(a, 1, b, 2));
             Result res2 = sess.partialRun(h, r2, Map.of(c, res.tensor()))) {
          System.out.println(res2.tensor().getFloat(0)); // 9.0
        }
      });
      assertEquals("9.0", printed.strip());
    }
  }

  @Test
  void persistentHandles(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Ops tf = f.tf;
      Output a = tf.constant(5f);
      Output b = tf.constant(6f);
      String printed = DocSnippets.printedBy(() -> {
        Output c = tf.math.multiply(a, b);
        try (Result hr = sess.run(tf.getSessionHandle(c))) {
          TensorHandle h = hr.handle();

          SessionTensor st = tf.getSessionTensor(h.handle(), DType.FLOAT32); // (p, a) as a record
          Output b10 = tf.math.multiply(st.tensor(), tf.constant(10f));
          try (Result r = sess.run(b10, Map.of(st.placeholder(), h.handle()))) {
            System.out.println(r.tensor().getFloat(0)); // c * 10
          }
        }
      });
      assertEquals("300.0", printed.strip());
      String described = DocSnippets.printedBy(() -> {
        try (Result hr = sess.run(tf.getSessionHandle(tf.constant(new float[][] {{1, 2}, {3, 4}})))) {
          TensorHandle h = hr.handle();
          System.out.println(h.dtype() + " " + h.shape()); // float32 (2, 2)
        }
      });
      assertEquals("float32 (2, 2)", described.strip());
      try (Result hr = sess.run(tf.getSessionHandle(tf.math.multiply(a, b)))) {
        TensorHandle h = hr.handle();
        SessionTensorDeleter d = tf.deleteSessionTensor(h.handle());
        sess.run(d.deleter(), Map.of(d.placeholder(), h.handle())).close();
        assertFalse(h.isAlive());
      }
    }
  }
}
