package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.HandleId;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Persistent tensor handles: get_session_handle / get_session_tensor / delete_session_tensor and TensorHandle.
 * Expectations from the seed pages and TF 2.21's tf.compat.v1 (messages quoted where TF's are kept), each checked
 * by the check of executor/src/test/python/session/tf_session_check.py its comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class TensorHandleTest {
  @SessionMatrixTest
  void aHandleStringHasTensorFlowsShapeNameIdDevice(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result r = f.session.run(f.tf.getSessionHandle(f.tf.constant(new float[][] {{1, 2}, {3, 4}})))) {
      TensorHandle h = r.handle();
      // TF (tf_session_check.py handle-string): 'GetSessionHandle;0;/job:localhost/replica:0/task:0/device:CPU:0';
      // Quiver's id is the store's secret id
      HandleId id = HandleId.parse(h.handle());
      assertEquals("GetSessionHandle", id.name());
      assertEquals("/job:localhost/replica:0/task:0/device:CPU:0", id.device());
      assertEquals(f.store.id(), id.storeId());
      assertEquals(h.handle(), h.toString()); // TF: str(handle) is the handle string
      assertEquals(DType.FLOAT32, h.dtype());
      assertEquals(Shape.of(2, 2), h.shape());
    }
  }

  @SessionMatrixTest
  void evalGivesTheStoredTensorWithoutACopy(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output p = f.tf.placeholder(DType.FLOAT32);
      try (Tensor value = Tensor.of(f.store.allocator(), new float[] {1, 2, 3});
           Result r = f.session.run(f.tf.getSessionHandle(p), Map.of(p, value));
           Tensor back = r.handle().eval()) {
        assertArrayEquals(new float[] {1, 2, 3}, back.toFloatArray());
        assertEquals(value.address(), back.address());
      }
    }
  }

  @SessionMatrixTest
  void aStoredTensorReachesLaterKernelsAsTheSameBufferHoweverLarge(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output p = f.tf.placeholder(DType.FLOAT32);
      long n = 4L << 20; // 16 MiB of float32
      try (Tensor big = Tensor.allocate(f.store.allocator(), DType.FLOAT32, Shape.of(n));
           Result hr = f.session.run(f.tf.getSessionHandle(p), Map.of(p, big))) {
        TensorHandle h = hr.handle();
        SessionTensor st = f.tf.getSessionTensor(h, DType.FLOAT32);
        Output read = f.tf.identity(st.tensor());
        long before = f.store.allocator().getAllocatedMemory();
        try (Result r = f.session.run(read, Map.of(st.placeholder(), h))) {
          assertEquals(big.address(), r.tensor().address(), "the kernel saw the stored buffer itself");
          long grown = f.store.allocator().getAllocatedMemory() - before; // at most a block of small tensors
          assertTrue(grown <= 4096, "nothing was copied, yet the step allocated " + grown + " bytes");
        }
      }
    }
  }

  @SessionMatrixTest
  void aHandleFedWhereAValueIsExpectedFeedsTheStoredTensorInPlace(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.of(2));
      Output m = f.mul(a, f.tf.constant(3f));
      Output id = f.tf.identity(a);
      // TF 2.21 (tf_session_check.py handle-fed-as-value): sess.run(m, {a: handle}) feeds the handle's value:
      // [3., 6.] * 3 = [9., 18.]
      try (Result hr = f.session.run(f.tf.getSessionHandle(m), Map.of(a, new float[] {1, 2}));
           Tensor stored = hr.handle().eval();
           Result r = f.session.run(List.of(m, id), Map.of(a, hr.handle()))) {
        assertArrayEquals(new float[] {9, 18}, r.get(0).toFloatArray());
        assertEquals(stored.address(), r.get(1).address());
      }
    }
  }

  @SessionMatrixTest
  void readingADeletedHandleIsInvalidArgumentWithTensorFlowsMessage(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(1f)))) {
        TensorHandle h = hr.handle();
        SessionTensor st = f.tf.getSessionTensor(h, DType.FLOAT32);
        h.delete();
        assertFalse(h.isAlive());
        // TF 2.21 (tf_session_check.py handle-deleted): InvalidArgumentError: The tensor with handle '...' is not in
        // the session store.
        var e = assertThrows(InvalidArgumentException.class,
            () -> f.session.run(st.tensor(), Map.of(st.placeholder(), h.handle())));
        assertTrue(e.getMessage().contains("The tensor with handle '" + h.handle() + "' is not in the session store."),
            e.getMessage());
        assertThrows(InvalidArgumentException.class, h::eval);
        // TF 2.21 (tf_session_check.py handle-deleted): InvalidArgumentError: Failed to delete a tensor with handle
        // '...' in the session store.
        var again = assertThrows(InvalidArgumentException.class, h::delete);
        assertTrue(again.getMessage().contains("Failed to delete a tensor with handle"), again.getMessage());
      }
    }
  }

  @SessionMatrixTest
  void anUnknownHandleIsInvalidArgumentNamingIt(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      String made;
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(1f)))) {
        made = hr.handle().handle();
      }
      HandleId id = HandleId.parse(made);
      String unknown = new HandleId("x", id.storeId(), "A".repeat(id.secret().length()), id.device()).handle();
      SessionTensor st = f.tf.getSessionTensor(unknown, DType.FLOAT32);
      // TF 2.21 (tf_session_check.py unknown-handle): "The tensor with handle '...' is not in the session store."
      var e = assertThrows(InvalidArgumentException.class,
          () -> f.session.run(st.tensor(), Map.of(st.placeholder(), unknown)));
      assertTrue(e.getMessage().contains(unknown), e.getMessage());
    }
  }

  @SessionMatrixTest
  void readingAHandleAsAnotherDTypeIsInvalidArgumentNamingBoth(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(1f)))) {
      SessionTensor st = f.tf.getSessionTensor(hr.handle(), DType.INT32);
      // TF 2.21 reports this as InternalError ("Output 0 of type float does not match declared output type int32",
      // tf_session_check.py handle-other-dtype);
      // Quiver's brief asks for InvalidArgument naming both dtypes.
      var e = assertThrows(InvalidArgumentException.class,
          () -> f.session.run(st.tensor(), Map.of(st.placeholder(), hr.handle())));
      assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("int32"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void getSessionHandleOfANonTensorIsAnIllegalArgument(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      // seed: "Raises TypeError: if data is not a Tensor." (tf_session_check.py handle-builders)
      assertThrows(IllegalArgumentException.class, () -> f.tf.getSessionHandle((Object) 3));
      assertThrows(IllegalArgumentException.class, () -> f.tf.getSessionHandle((Object) f.tf.noOp()));
    }
  }

  @SessionMatrixTest
  void getSessionTensorAndDeleteSessionTensorBuildTensorFlowsPairs(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SessionTensor st = f.tf.getSessionTensor("ignored", DType.FLOAT32);
      // TF 2.21 (tf_session_check.py handle-builders): Placeholder:0 (string), GetSessionTensor:0 of unknown shape;
      // TF parses the handle's device here, Quiver takes any string until the pair runs
      assertEquals("Placeholder:0", st.placeholder().name());
      assertEquals(DType.STRING, st.placeholder().dtype());
      assertEquals("GetSessionTensor:0", st.tensor().name());
      assertTrue(st.tensor().shape().hasUnknownRank());
      SessionTensorDeleter d = f.tf.deleteSessionTensor("ignored");
      assertEquals("DeleteSessionTensor", d.deleter().type());
      assertEquals("Placeholder_1:0", d.placeholder().name());
    }
  }

  @SessionMatrixTest
  void aHandleFetchedTwiceIsOneObjectWhoseHandleLivesWhileAnyLeafIsReachable(SessionMatrix config,
      BufferAllocator allocator) throws InterruptedException {
    try (SessionFixture f = config.fixture(allocator)) {
      Output h = f.tf.getSessionHandle(f.tf.constant(new float[] {1, 2}));
      TensorHandle kept;
      // TF 2.21 (tf_session_check.py handle-fetched-twice): r = sess.run([h, h, {"x": h}]) gives r[0] is r[1] and
      // r[0] is r[2]["x"]
      try (Result r = f.session.run(List.of(h, h, Map.of("x", h)))) {
        assertSame(r.element(0), r.element(1));
        assertSame(r.element(0), ((Map<?, ?>) r.element(2)).get("x"));
        kept = (TensorHandle) r.element(1);
      }
      // With one object per leaf, the other leaves' Cleaners deleted the handle while `kept` was in use.
      for (int i = 0; i < 20; i++) {
        System.gc();
        Thread.sleep(10); // the Cleaner's thread runs the deleters of what the collector found
      }
      assertTrue(kept.isAlive());
      try (Tensor t = kept.eval()) {
        assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
      }
      java.lang.ref.Reference.reachabilityFence(kept);
    }
  }

  @SessionMatrixTest
  void closingTheSessionDeletesItsHandles(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      String h;
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(new float[] {1, 2})))) {
        h = hr.handle().handle();
      }
      assertTrue(f.store.contains(h));
      f.session.close();
      if (f.sharedStore) {
        assertFalse(f.store.contains(h));
      } else {
        assertTrue(f.session.handles().isStoreClosed(), "the session's own store closed, with every handle in it");
      }
    }
  }

  @SessionMatrixTest
  void aHandleNoLongerReachableIsDeleted(SessionMatrix config, BufferAllocator allocator) throws InterruptedException {
    try (SessionFixture f = config.fixture(allocator)) {
      String h;
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(new float[] {1, 2})))) {
        h = hr.handle().handle();
      }
      // TF deletes the handles of garbage-collected TensorHandle objects (in batches of 10, at the next run:
      // tf_session_check.py unreachable-handle-deleted); Quiver's Cleaner does the same.
      for (int i = 0; i < 500 && f.store.contains(h); i++) {
        System.gc();
        Thread.sleep(10);
      }
      assertFalse(f.store.contains(h), "the unreachable handle was deleted");
    }
  }

  @SessionMatrixTest
  void aFailedStepKeepsNoHandleItCreated(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(new float[] {1, 2});
      Output h = f.tf.getSessionHandle(c);
      Output bad = TestOps.fail(f.tf, f.tf.withControlDependencies(h).identity(c));
      assertThrows(InvalidArgumentException.class, () -> f.session.run(List.of(h, bad)));
      // TF saves a step's session tensors only when the step succeeds (tf_session_check.py
      // failed-step-keeps-no-handle)
      assertEquals(0, f.store.stats().handlesInMemory());
    }
  }

  @SessionMatrixTest
  void handlesFlowBetweenSessionsSharingAStore(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Session other = new Session(f.graph, SessionConfig.builder().handleStore(f.store).build())) {
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(5f)))) {
        SessionTensor st = f.tf.getSessionTensor(hr.handle(), DType.FLOAT32);
        try (Result r = other.run(st.tensor(), Map.of(st.placeholder(), hr.handle()))) {
          assertEquals(5f, r.tensor().getFloat(0));
        }
      }
    }
  }
}
