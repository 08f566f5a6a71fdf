package dev.quiver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.errors.UnauthenticatedException;
import dev.quiver.errors.UnavailableException;
import dev.quiver.flight.QuiverServer;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckedAllocator.class)
class QuiverClientTest {
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

  private QuiverClient client(BufferAllocator allocator) {
    return QuiverClient.builder(server.location()).allocator(allocator).build();
  }

  @Test
  void putThenGetRoundTripsATensor(BufferAllocator allocator) {
    try (QuiverClient client = client(allocator);
         Tensor t = Tensor.of(allocator, new double[] {1, 2, 3, 4, 5, 6}, 3, 2)) {
      String handle = client.put(t);
      try (Tensor back = client.get(handle)) {
        assertTrue(back.contentEquals(t));
      }
    }
  }

  @Test
  void aFetchedTensorOutlivesTheClientInTheCallersAllocator(BufferAllocator allocator) {
    Tensor back;
    try (QuiverClient client = client(allocator); Tensor t = Tensor.of(allocator, new int[] {7, 8, 9})) {
      back = client.get(client.put(t));
    }
    try (back) {
      assertEquals(List.of(7, 8, 9), List.of(back.getInt(0), back.getInt(1), back.getInt(2)));
      assertTrue(back.allocator().getRoot() == allocator.getRoot());
    }
  }

  @Test
  void aLargeTensorTravelsInSeveralBatchesWithProgress(BufferAllocator allocator) {
    float[] values = new float[3 << 20]; // 12 MiB
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 1000;
    }
    long[] seen = new long[2];
    try (QuiverClient client = client(allocator); Tensor t = Tensor.of(allocator, values, 3072, 1024)) {
      String handle = client.put(t, sent -> seen[0] = sent);
      try (Tensor back = client.get(handle, received -> seen[1] = received)) {
        assertTrue(back.contentEquals(t));
      }
    }
    assertEquals(12L << 20, seen[0]);
    assertTrue(seen[1] >= 12L << 20, "received " + seen[1]);
  }

  @Test
  void serverErrorsArriveAsTheQuiverExceptionOfTheirCode(BufferAllocator allocator) {
    try (QuiverClient client = client(allocator); Tensor t = Tensor.scalar(allocator, 1f)) {
      String handle = client.put(t);
      client.delete(handle);
      NotFoundException nf = assertThrows(NotFoundException.class, () -> client.get(handle));
      assertTrue(nf.getMessage().contains(handle), nf.getMessage());
      assertThrows(NotFoundException.class, () -> client.delete(handle));
      assertThrows(InvalidArgumentException.class, () -> client.get("garbage"));
    }
  }

  @Test
  void listInfoAndStatsDescribeTheStore(BufferAllocator allocator) {
    try (QuiverClient client = client(allocator); Tensor t = Tensor.of(allocator, new short[6], 2, 3)) {
      String handle = client.put(t);
      TensorListing expected = new TensorListing(handle, DType.INT16, Shape.of(2, 3), 12);
      assertEquals(List.of(expected), client.list());
      assertEquals(expected, client.info(handle));
      assertEquals(List.of(), client.list("Other;"));
      assertEquals(1, client.stats().handlesInMemory());
      assertEquals("SERVING", client.health());
    }
  }

  @Test
  void aServerWithATokenRefusesAClientWithoutOne(BufferAllocator allocator) throws Exception {
    try (QuiverServer secured = QuiverServer.builder(store).port(0).authToken("tok").start();
         QuiverClient anonymous = QuiverClient.builder(secured.location()).allocator(allocator).build();
         QuiverClient right = QuiverClient.builder(secured.location()).allocator(allocator).token("tok").build()) {
      assertThrows(UnauthenticatedException.class, anonymous::list);
      assertFalse(right.health().isEmpty());
    }
  }

  @Test
  void anUploadPastBothBudgetsIsResourceExhaustedAndKeepsWhatIsStored(BufferAllocator allocator,
      @TempDir Path spill) throws Exception {
    try (HandleStore tiny = HandleStore.builder().memoryBudget(32).diskBudget(32).spillDirectory(spill).build();
         QuiverServer small = QuiverServer.builder(tiny).port(0).start();
         QuiverClient client = QuiverClient.builder(small.location()).allocator(allocator).build();
         Tensor first = Tensor.of(allocator, new int[] {1, 2, 3, 4, 5, 6});
         Tensor second = Tensor.of(allocator, new double[] {0.5, 1.5, 2.5});
         Tensor tooBig = Tensor.of(allocator, new float[16])) {
      String spilled = client.put(first); // 24 bytes: in memory, then spilled when the second comes
      String kept = client.put(second);
      assertEquals(1, client.stats().handlesOnDisk());
      ResourceExhaustedException e = assertThrows(ResourceExhaustedException.class, () -> client.put(tooBig));
      assertTrue(e.getMessage().contains("memory budget of 32 bytes"), e.getMessage());
      assertTrue(e.getMessage().contains("disk budget of 32 bytes"), e.getMessage());
      assertEquals(2, client.list().size());
      try (Tensor a = client.get(spilled); Tensor b = client.get(kept)) {
        assertTrue(a.contentEquals(first));
        assertTrue(b.contentEquals(second));
      }
    }
  }

  @Test
  void anUnreachableServerIsUnavailable(BufferAllocator allocator) {
    try (QuiverClient client = QuiverClient.builder("grpc+tcp://127.0.0.1:1").allocator(allocator).build()) {
      assertThrows(UnavailableException.class, client::list);
    }
  }
}
