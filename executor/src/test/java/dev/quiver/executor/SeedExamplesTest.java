package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every example of the three seed pages, with the results the pages give. */
@ExtendWith(LeakCheckedAllocator.class)
class SeedExamplesTest {
  /** tf.compat.v1.Session: c = a * b with a = 5.0, b = 6.0; sess.run(c) prints 30.0. */
  @SessionMatrixTest
  void sessionRunPrints30(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(5.0f);
      Output b = f.tf.constant(6.0f);
      Output c = f.tf.math.multiply(a, b);
      try (Result r = f.session.run(c)) {
        assertEquals(30.0f, r.tensor().getFloat(0));
      }
    }
  }

  /** Session.run: fetches may be a singleton ([10, 20]) or a list of 2 arrays. */
  @SessionMatrixTest
  void runFetchesASingletonOrAList(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(new int[] {10, 20});
      Output b = f.tf.constant(new float[] {1.0f, 2.0f});
      try (Result v = f.session.run(a)) {
        assertArrayEquals(new int[] {10, 20}, v.tensor().toIntArray());
      }
      try (Result v = f.session.run(List.of(a, b))) {
        assertArrayEquals(new int[] {10, 20}, v.get(0).toIntArray());
        assertArrayEquals(new float[] {1.0f, 2.0f}, v.get(1).toFloatArray());
      }
    }
  }

  /** The namedtuple MyData(a, b) of the seed, as a Java record whose components hold graph elements or values. */
  record MyData<A, B>(A a, B b) {
  }

  /** Session.run: v = session.run({'k1': MyData(a, b), 'k2': [b, a]}). */
  @SessionMatrixTest
  void runFetchesANestedDictOfANamedTupleAndAList(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(new int[] {10, 20});
      Output b = f.tf.constant(new float[] {1.0f, 2.0f});
      Map<String, Object> fetches = new LinkedHashMap<>();
      fetches.put("k1", new MyData<>(a, b));
      fetches.put("k2", List.of(b, a));
      try (Result r = f.session.run(fetches)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> v = r.as(Map.class);
        assertEquals(List.of("k1", "k2"), List.copyOf(v.keySet()));
        MyData<?, ?> k1 = assertInstanceOf(MyData.class, v.get("k1"));
        assertArrayEquals(new int[] {10, 20}, ((Tensor) k1.a()).toIntArray());
        assertArrayEquals(new float[] {1.0f, 2.0f}, ((Tensor) k1.b()).toFloatArray());
        List<?> k2 = assertInstanceOf(List.class, v.get("k2"));
        assertArrayEquals(new float[] {1.0f, 2.0f}, ((Tensor) k2.get(0)).toFloatArray());
        assertArrayEquals(new int[] {10, 20}, ((Tensor) k2.get(1)).toIntArray());
      }
    }
  }

  /** Session.as_default: inside the block get_default_session() is sess and c.eval() uses it. */
  @SessionMatrixTest
  void asDefaultMakesEvalUseTheSession(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(7.0f);
      try (var scope = f.session.asDefault()) {
        assertSame(f.session, Session.getDefaultSession());
        try (Tensor t = c.eval()) {
          assertEquals(7.0f, t.getFloat(0));
        }
      }
      // The seed's second example: as_default twice, then close explicitly; exiting does not close the session.
      try (var scope = f.session.asDefault()) {
        try (Tensor t = c.eval()) {
          assertEquals(7.0f, t.getFloat(0));
        }
      }
      assertNull(Session.getDefaultSession());
      assertEquals(false, f.session.isClosed());
    }
  }

  /** Session.list_devices: each device has a name, a device type and a memory limit. */
  @SessionMatrixTest
  void listDevicesNamesTheLocalCpu(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      List<DeviceAttributes> devices = f.session.listDevices();
      assertEquals(1, devices.size());
      assertEquals("/job:localhost/replica:0/task:0/device:CPU:0", devices.get(0).name());
      assertEquals("CPU", devices.get(0).deviceType());
      assertTrue(devices.get(0).memoryLimit() > 0);
    }
  }

  /** Session.partial_run: r1 = a + b fed 1 and 2 gives 3; r2 = r1 * c fed c = res gives 9. */
  @SessionMatrixTest
  void partialRunExample(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output b = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output c = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output r1 = f.tf.math.add(a, b);
      Output r2 = f.tf.math.multiply(r1, c);
      String h = f.session.partialRunSetup(List.of(r1, r2), List.of(a, b, c));
      try (Result res = f.session.partialRun(h, r1, Map.of(a, 1, b, 2))) {
        assertEquals(3.0f, res.tensor().getFloat(0));
        try (Result res2 = f.session.partialRun(h, r2, Map.of(c, res.tensor()))) {
          assertEquals(9.0f, res2.tensor().getFloat(0));
        }
      }
    }
  }

  /**
   * get_session_handle / get_session_tensor: c = a * b; h = run(get_session_handle(c)); p, a =
   * get_session_tensor(h.handle, float32); b = a * 10; run(b, {p: h.handle}) is c * 10.
   */
  @SessionMatrixTest
  void sessionHandleChain(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.constant(5.0f);
      Output b = f.tf.constant(6.0f);
      Output c = f.tf.math.multiply(a, b);
      Output hOut = f.tf.getSessionHandle(c);
      try (Result hr = f.session.run(hOut)) {
        TensorHandle h = hr.handle();
        SessionTensor st = f.tf.getSessionTensor(h.handle(), DType.FLOAT32);
        Output b2 = f.tf.math.multiply(st.tensor(), f.tf.constant(10.0f));
        try (Result r = f.session.run(b2, Map.of(st.placeholder(), h.handle()))) {
          assertEquals(300.0f, r.tensor().getFloat(0));
        }
        // The TensorHandle object itself can be fed for the placeholder as well.
        try (Result r = f.session.run(b2, Map.of(st.placeholder(), h))) {
          assertEquals(300.0f, r.tensor().getFloat(0));
        }
      }
    }
  }

  /** delete_session_tensor: the pair (placeholder, deletion op); after running it the handle is gone. */
  @SessionMatrixTest
  void deleteSessionTensorRemovesTheHandle(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output hOut = f.tf.getSessionHandle(f.tf.constant(new float[] {1, 2, 3}));
      try (Result hr = f.session.run(hOut)) {
        TensorHandle h = hr.handle();
        assertTrue(h.isAlive());
        SessionTensorDeleter d = f.tf.deleteSessionTensor(h.handle());
        try (Result r = f.session.run(d.deleter(), Map.of(d.placeholder(), h.handle()))) {
          assertNull(r.value());
        }
        assertEquals(false, h.isAlive());
      }
    }
  }
}
