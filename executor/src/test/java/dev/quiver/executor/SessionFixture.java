package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A graph and a session for session tests, with either a handle store the test shares with the session or the
 * store the session makes for itself ({@code new Session(graph)}'s default). {@link #close()} closes the session
 * and then checks the leak contract: no step tensor and no handle is left. A shared store must hold no handle and
 * no byte; an own store must have closed, which its root allocator refuses while anything taken from it is open.
 */
final class SessionFixture implements AutoCloseable {
  /** The store that holds the session's handles and step tensors: the shared one, or the session's own. */
  final HandleStore store;
  final boolean sharedStore;
  final Graph graph;
  final Ops tf;
  final Session session;
  private final BufferAllocator storeMemory;

  SessionFixture(BufferAllocator allocator) {
    this(allocator, SessionConfig.builder());
  }

  SessionFixture(BufferAllocator allocator, SessionConfig.Builder config) {
    this(allocator, config, true);
  }

  SessionFixture(BufferAllocator allocator, SessionConfig.Builder config, boolean sharedStore) {
    this.sharedStore = sharedStore;
    TestOps.COUNTS.clear(); // a test run once per configuration counts its ops afresh each time
    this.graph = new Graph(allocator, TestOps.registry());
    this.tf = Ops.create(graph);
    if (sharedStore) {
      HandleStore shared = HandleStore.builder().build();
      this.session = new Session(graph, config.handleStore(shared).build());
    } else {
      this.session = new Session(graph, config.build());
    }
    this.store = session.handleStore();
    this.storeMemory = store.allocator();
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
      if (sharedStore) {
        assertEquals(0, store.stats().handlesInMemory() + store.stats().handlesOnDisk(), "handles left after close");
        assertEquals(0, storeMemory.getAllocatedMemory(), "bytes left in the session store after close");
      } else {
        // A tensor the test kept past the session's close and then closed lets the store close a moment later.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!session.handles().isStoreClosed() && System.nanoTime() < deadline) {
          sleep();
        }
        assertEquals(0, storeMemory.getAllocatedMemory(), "bytes left in the session's own store after close");
        assertTrue(session.handles().isStoreClosed(), "the session's own store did not close: "
            + storeMemory.toVerboseString());
      }
    } finally {
      if (sharedStore) {
        store.close();
      }
      graph.close();
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the session's own store to close", e);
    }
  }
}
