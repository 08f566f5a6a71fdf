package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.store.HandleStore;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A graph, a session and the handle store it shares, for session tests. {@link #close()} closes the session
 * and then checks the leak contract: no step tensor and no handle is left in the store's allocator.
 */
final class SessionFixture implements AutoCloseable {
  final HandleStore store;
  final Graph graph;
  final Ops tf;
  final Session session;

  SessionFixture(BufferAllocator allocator) {
    this(allocator, SessionConfig.builder());
  }

  SessionFixture(BufferAllocator allocator, SessionConfig.Builder config) {
    this.store = HandleStore.builder().build();
    this.graph = new Graph(allocator, TestOps.registry());
    this.tf = Ops.create(graph);
    this.session = new Session(graph, config.handleStore(store).build());
  }

  Output mul(Output x, Output y) {
    return mul(tf, x, y);
  }

  Output add(Output x, Output y) {
    return add(tf, x, y);
  }

  static Output mul(Ops tf, Output x, Output y) {
    return tf.math.multiply(x, y);
  }

  static Output add(Ops tf, Output x, Output y) {
    return tf.math.add(x, y);
  }

  @Override
  public void close() {
    session.close();
    try {
      assertEquals(0, store.stats().handlesInMemory() + store.stats().handlesOnDisk(), "handles left after close");
      assertEquals(0, store.allocator().getAllocatedMemory(), "bytes left in the session store after close");
    } finally {
      store.close();
      graph.close();
    }
  }
}
