package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Java snippets of docs/tensorflow-users.md, compiled and run (keep the two in step). */
@ExtendWith(LeakCheckedAllocator.class)
class TensorFlowUsersDocTest {
  @Test
  void sessionRun() {
    float printed;
    try (Graph g = new Graph(); Session sess = new Session(g)) {
      Ops tf = Ops.create(g);
      Output a = tf.constant(5.0f);
      Output b = tf.constant(6.0f);
      Output c = tf.math.multiply(a, b);
      try (Result r = sess.run(c)) {
        printed = r.tensor().getFloat(0); // prints 30.0
      }
    }
    assertEquals(30.0f, printed);
  }

  record MyData<A, B>(A a, B b) {
  }

  @Test
  void nestedFetches(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Output a = f.tf.constant(new int[] {10, 20});
      Output b = f.tf.constant(new float[] {1, 2});
      Map<String, Object> fetches = new LinkedHashMap<>();
      fetches.put("k1", new MyData<>(a, b));
      fetches.put("k2", List.of(b, a));
      try (Result r = sess.run(fetches)) {
        Map<?, ?> v = r.as(Map.class);
        MyData<?, ?> k1 = (MyData<?, ?>) v.get("k1"); // k1.a() is a Tensor [10, 20]
        assertArrayEquals(new int[] {10, 20}, ((Tensor) k1.a()).toIntArray());
      }
    }
  }

  @Test
  void feedsOptionsAndRunner(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(-1));
      Output y = f.tf.withName("y").identity(f.tf.math.multiply(a, f.tf.constant(2f)));
      try (Result r = sess.run(y, Map.of(a, new float[] {1, 2}))) {
        assertArrayEquals(new float[] {2, 4}, r.tensor().toFloatArray());
      }
      Map<Output, Object> feeds = Map.of(a, new float[] {1});
      RunOptions opts = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).timeoutInMs(500).build();
      RunMetadata md = new RunMetadata();
      sess.run(y, feeds, opts, md).close();
      Files.writeString(dir.resolve("step.json"), md.toChromeTrace()); // open in Perfetto or chrome://tracing
      assertFalse(md.stepStats().isEmpty());
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
  void partialRun(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Ops tf = f.tf;
      Output a = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output b = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output c = tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output r1 = tf.math.add(a, b);
      Output r2 = tf.math.multiply(r1, c);
      String h = sess.partialRunSetup(List.of(r1, r2), List.of(a, b, c));
      try (Result res = sess.partialRun(h, r1, Map.of(a, 1, b, 2));
           Result res2 = sess.partialRun(h, r2, Map.of(c, res.tensor()))) {
        assertEquals(9.0f, res2.tensor().getFloat(0)); // 9.0
      }
    }
  }

  @Test
  void persistentHandles(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Session sess = f.session;
      Ops tf = f.tf;
      Output a = tf.constant(5f);
      Output b = tf.constant(6f);
      Output c = tf.math.multiply(a, b);
      try (Result hr = sess.run(tf.getSessionHandle(c))) {
        TensorHandle h = hr.handle();

        SessionTensor st = tf.getSessionTensor(h.handle(), DType.FLOAT32); // (p, a) as a record
        Output b10 = tf.math.multiply(st.tensor(), tf.constant(10f));
        try (Result r = sess.run(b10, Map.of(st.placeholder(), h.handle()))) {
          assertEquals(300f, r.tensor().getFloat(0)); // c * 10
        }
        SessionTensorDeleter d = tf.deleteSessionTensor(h.handle());
        sess.run(d.deleter(), Map.of(d.placeholder(), h.handle())).close();
        assertFalse(h.isAlive());
      }
    }
  }
}
