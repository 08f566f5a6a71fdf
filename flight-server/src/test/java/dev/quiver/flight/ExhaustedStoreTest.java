package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DoPut into a store whose memory and disk budgets are both full fails with RESOURCE_EXHAUSTED naming the
 * budgets (docs/flight-protocol.md, "Errors"), and every tensor stored before, in memory or spilled, stays readable.
 */
@ExtendWith(LeakCheckedAllocator.class)
class ExhaustedStoreTest {
  private HandleStore store;
  private QuiverServer server;
  private Tensor inMemory;
  private Tensor spilled;
  private String inMemoryHandle;
  private String spilledHandle;

  @BeforeEach
  void start(BufferAllocator allocator, @TempDir Path spill) throws Exception {
    store = HandleStore.builder().memoryBudget(64).diskBudget(64).spillDirectory(spill).build();
    server = QuiverServer.builder(store).port(0).start();
    inMemory = Tensor.of(allocator, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4); // 48 bytes
    spilled = Tensor.of(allocator, new long[] {-1, 2, -3, 4, -5, 6}); // 48 bytes
    spilledHandle = store.put(spilled);
    inMemoryHandle = store.put(inMemory); // the first one no longer fits in memory: it goes to disk
    assertEquals(1, store.stats().handlesOnDisk());
  }

  @AfterEach
  void stop() {
    inMemory.close();
    spilled.close();
    server.close();
    store.close();
  }

  @Test
  void anUploadThatFitsNeitherBudgetIsResourceExhaustedNamingBothBudgets(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         Tensor big = Tensor.of(allocator, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class, () -> FlightTensors.put(client, big));
      assertEquals(FlightStatusCode.RESOURCE_EXHAUSTED, e.status().code());
      assertTrue(e.getMessage().contains("memory budget of 64 bytes"), e.getMessage());
      assertTrue(e.getMessage().contains("disk budget of 64 bytes"), e.getMessage());
      assertTrue(e.getMessage().contains(store.id()), e.getMessage());

      assertEquals(List.of(inMemoryHandle, spilledHandle).stream().sorted().toList(),
          store.handles("").stream().sorted().toList(), "nothing more, nothing less is stored");
      try (Tensor a = FlightTensors.get(client, allocator, inMemoryHandle);
           Tensor b = FlightTensors.get(client, allocator, spilledHandle)) {
        assertTrue(a.contentEquals(inMemory));
        assertTrue(b.contentEquals(spilled));
      }
    }
  }

  @Test
  void theStoreStillTakesWhatFitsAfterAnExhaustedUpload(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         Tensor big = Tensor.of(allocator, new double[64]);
         Tensor small = Tensor.of(allocator, new byte[] {1, 2, 3})) {
      assertEquals(FlightStatusCode.RESOURCE_EXHAUSTED,
          assertThrows(FlightRuntimeException.class, () -> FlightTensors.put(client, big)).status().code());
      String handle = FlightTensors.put(client, small);
      try (Tensor back = FlightTensors.get(client, allocator, handle)) {
        assertTrue(back.contentEquals(small));
      }
    }
  }
}
