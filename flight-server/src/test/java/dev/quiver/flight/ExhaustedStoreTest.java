package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * A DoPut into a store whose memory and disk budgets are both full, or whose allocator cannot hold the upload while
 * it is received, fails with RESOURCE_EXHAUSTED naming what was refused (docs/flight-protocol.md, "Errors"), and
 * every tensor stored before, in memory or spilled, stays readable.
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
  void anUploadLargerThanTheStoresAllocatorLimitIsResourceExhaustedAndTheStoreIsIntact(BufferAllocator allocator)
      throws Exception {
    try (HandleStore small = HandleStore.builder().memoryBudget(64 << 10).allocatorLimit(1 << 20).build();
         QuiverServer limited = QuiverServer.builder(small).port(0).start();
         FlightClient client = FlightClient.builder(allocator, limited.location()).build();
         Tensor big = Tensor.of(allocator, new float[1 << 19], 1 << 10, 1 << 9)) { // 2 MiB
      String kept = FlightTensors.put(client, inMemory);
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> FlightTensors.put(client, big, big.byteSize())); // one batch: its body alone exceeds the limit
      assertEquals(FlightStatusCode.RESOURCE_EXHAUSTED, e.status().code(), e.toString());
      assertTrue(e.getMessage().contains(small.id()), e.getMessage());
      assertTrue(e.getMessage().contains("allocator limit of 1048576 bytes"), e.getMessage());
      Matcher refused = Pattern.compile("no memory to receive a FlightData body of (\\d+) bytes").matcher(e.getMessage());
      assertTrue(refused.find(), "names what was refused: " + e.getMessage());
      assertTrue(Long.parseLong(refused.group(1)) >= big.byteSize(), e.getMessage()); // elements and empty bitmap

      assertEquals(List.of(kept), small.handles(""), "nothing more is stored");
      try (Tensor back = FlightTensors.get(client, allocator, kept)) {
        assertTrue(back.contentEquals(inMemory));
      }
      assertEquals(0, limited.allocator().getAllocatedMemory(), "the refused upload left nothing behind");
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
