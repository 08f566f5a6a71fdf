package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What an upload costs the server in memory (docs/flight-protocol.md, "Copies"): a one-batch DoPut is stored as
 * the buffer its body was received into, so the store never holds a second body-sized allocation.
 */
@ExtendWith(LeakCheckedAllocator.class)
class UploadMemoryTest {
  /** Bytes besides the body an upload may allocate on the server: message headers, the handle answered. */
  private static final long SMALL = 64 << 10;

  private HandleStore store;
  private QuiverServer server;

  @BeforeEach
  void start() throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  @Test
  void aOneBatchUploadIsStoredInTheBufferItWasReceivedInto(BufferAllocator allocator) throws Exception {
    long bytes = 16L << 20;
    float[] values = new float[(int) (bytes / 4)];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    assertEquals(0, store.allocator().getPeakMemoryAllocation(), "a fresh store has allocated nothing");
    String handle;
    try (Tensor t = Tensor.of(allocator, values, 4096, 1024);
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      handle = FlightTensors.put(client, t, Long.MAX_VALUE); // one batch
      try (Tensor stored = store.get(handle)) {
        assertTrue(stored.contentEquals(t));
      }
    }
    // The body the server received: the elements, plus the validity bitmaps a Java Flight client sends (one bit
    // per element: Arrow Java's VectorLoader fills them in even without nulls), plus message headers.
    long body = server.allocator().getPeakMemoryAllocation();
    assertTrue(body >= bytes && body <= bytes + bytes / 32 + SMALL, "received " + body + " for " + bytes);
    // The store keeps that very buffer: after the call, exactly one body is held, and the store's root never held
    // more than the received body and its move into the store (Arrow accounts a buffer moved between two
    // allocators to both for the moment of the move). A copy would have added a third body.
    assertTrue(store.allocator().getAllocatedMemory() <= body && store.allocator().getAllocatedMemory() >= bytes,
        "held after the upload " + store.allocator().getAllocatedMemory());
    assertTrue(store.allocator().getPeakMemoryAllocation() <= 2 * body,
        "store peak " + store.allocator().getPeakMemoryAllocation() + " for a received body of " + body);
    assertEquals(bytes, store.stats().bytesInMemory());
  }
}
