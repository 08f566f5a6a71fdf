package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The handle store a session makes for itself ({@code new Session(graph)}) and the handles a session remembers:
 * the store's allocator is closed once nothing taken from it is open, even when fetched results outlive the
 * session (TF: numpy results survive sess.close(), executor/src/test/python/session/tf_session_check.py
 * close-cancels-running-step), and a long-lived session forgets the handles that left the
 * store without it (expired, deleted over Flight).
 */
@ExtendWith(LeakCheckedAllocator.class)
class OwnStoreTest {
  @Test
  void anOwnStoreClosesWhenTheLastResultKeptPastTheSessionIsClosed(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Session s = new Session(g);
      BufferAllocator storeMemory = s.handleStore().allocator();
      Result kept = s.run(tf.math.multiply(tf.constant(new float[] {1, 2}), tf.constant(2f)));
      s.close();
      assertFalse(s.handles().isStoreClosed(), "the result still holds memory of the store");
      assertEquals(2f, kept.tensor().getFloat(0), "results stay valid after the session closed");
      kept.close();
      assertTrue(s.handles().isStoreClosed(), "closing the last result closed the store at once");
      assertEquals(0, storeMemory.getAllocatedMemory());
    }
  }

  @Test
  void anOwnStoreClosesOnceATensorSharedOutOfAResultIsClosed(BufferAllocator allocator) throws Exception {
    try (Graph g = new Graph(allocator)) {
      Ops tf = Ops.create(g);
      Session s = new Session(g);
      Tensor kept;
      try (var d = s.asDefault()) {
        kept = tf.math.multiply(tf.constant(new float[] {1, 2}), tf.constant(3f)).eval(); // no Result to close
      }
      s.close();
      assertFalse(s.handles().isStoreClosed());
      kept.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!s.handles().isStoreClosed() && System.nanoTime() < deadline) {
        Thread.sleep(OwnedStoreCloser.RETRY_MS / 4);
      }
      assertTrue(s.handles().isStoreClosed(), "the closer thread closed the store once the tensor was closed");
    }
  }

  @Test
  void aSessionForgetsTheHandlesDeletedBehindItsBack(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().build(); Graph g = new Graph(allocator);
         Session s = new Session(g, SessionConfig.builder().handleStore(store).build())) {
      Ops tf = Ops.create(g);
      Output h = tf.getSessionHandle(tf.constant(1f));
      for (int i = 0; i < 3000; i++) {
        try (Result r = s.run(h)) {
          store.delete(r.handle().handle()); // as a Flight client's delete action would
        }
      }
      assertTrue(s.handles().rememberedHandles() <= 1024, s.handles().rememberedHandles() + " handles remembered");
      assertEquals(0, store.stats().handlesInMemory());
    }
  }
}
