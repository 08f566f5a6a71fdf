package dev.quiver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.ArrayList;
import java.util.List;
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
  /** Past this many handles a client deletes one first, so the store stays well inside its budget. */
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
          try (QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build()) {
            MixedCalls calls = new MixedCalls(client, allocator, new Random(seed), KEPT, 40);
            for (int i = 0; i < CALLS; i++) {
              calls.next();
            }
            calls.deleteAll();
            return calls.largePuts();
          }
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
