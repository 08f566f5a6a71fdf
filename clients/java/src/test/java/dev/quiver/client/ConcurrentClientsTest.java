package dev.quiver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.NotFoundException;
import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 16 clients x 200 mixed calls at once, on handles picked at random, with tensors of one batch and of several
 * (past the 4 MiB batch bound, so backpressure is met under concurrency), of float32, bool and string: every
 * byte checked, no errors, and the server's and the store's memory back where they started.
 */
@ExtendWith(LeakCheckedAllocator.class)
class ConcurrentClientsTest {
  private static final int CLIENTS = 16;
  private static final int CALLS = 200;
  /** Handles a client keeps at most, so the store stays well inside its budget. */
  private static final int KEPT = 6;

  @Test
  void sixteenClientsMixingPutGetDeleteAndListSeeEveryByteRight(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().build();
         QuiverServer server = QuiverServer.builder(store).port(0).start()) {
      long storeBaseline = store.allocator().getAllocatedMemory();
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int seed = c;
        results.add(pool.submit(() -> {
          Random random = new Random(seed);
          Map<String, Long> mine = new HashMap<>(); // handle -> checksum of what was put
          List<String> handles = new ArrayList<>();
          int large = 0;
          try (QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build()) {
            for (int i = 0; i < CALLS; i++) {
              int op = random.nextInt(10);
              if (handles.size() > KEPT) {
                op = 8; // delete one first, so a client keeps at most KEPT + 1
              }
              if (op < 4 || handles.isEmpty()) {
                try (Tensor t = RandomTensors.random(allocator, random, 40)) {
                  large += t.byteSize() > 4 << 20 ? 1 : 0;
                  String h = client.put(t);
                  mine.put(h, RandomTensors.crc(t));
                  handles.add(h);
                }
              } else if (op < 8) {
                String h = handles.get(random.nextInt(handles.size()));
                try (Tensor back = client.get(h)) {
                  assertEquals(mine.get(h), RandomTensors.crc(back), h);
                }
              } else if (op < 9) {
                String h = handles.remove(random.nextInt(handles.size()));
                client.delete(h);
                mine.remove(h);
                assertThrows(NotFoundException.class, () -> client.get(h).close());
              } else {
                List<String> listed = client.list().stream().map(TensorListing::handle).toList();
                assertTrue(listed.containsAll(handles));
              }
            }
            for (String h : handles) {
              client.delete(h);
            }
          }
          return large;
        }));
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES));
      int large = 0;
      for (Future<Integer> f : results) {
        large += f.get(); // rethrows any failed assertion of a client
      }
      assertTrue(large >= CLIENTS, "only " + large + " tensors of several batches were sent");
      assertEquals(List.of(), store.handles(""));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((server.allocator().getAllocatedMemory() != 0 || store.allocator().getAllocatedMemory() != storeBaseline)
          && System.nanoTime() < deadline) {
        Thread.sleep(10); // Netty frees the last written batches on its own threads
      }
      assertEquals(0, server.allocator().getAllocatedMemory());
      assertEquals(storeBaseline, store.allocator().getAllocatedMemory(), "the store's memory after every delete");
    }
  }
}
