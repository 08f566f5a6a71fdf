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
import java.util.zip.CRC32;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** 16 clients x 200 mixed calls at once: every byte checked, no errors, no leaks. */
@ExtendWith(LeakCheckedAllocator.class)
class ConcurrentClientsTest {
  private static final int CLIENTS = 16;
  private static final int CALLS = 200;

  /** Checksum of the element bytes (a buffer's capacity may be rounded up past them). */
  private static long crc(Tensor t) {
    CRC32 crc = new CRC32();
    crc.update(t.asByteBuffer().limit((int) (t.numElements() * t.dtype().byteWidth())));
    return crc.getValue();
  }

  @Test
  void sixteenClientsMixingPutGetDeleteAndListSeeEveryByteRight(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().build();
         QuiverServer server = QuiverServer.builder(store).port(0).start()) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int seed = c;
        results.add(pool.submit(() -> {
          Random random = new Random(seed);
          Map<String, Long> mine = new HashMap<>(); // handle -> checksum of what was put
          try (QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build()) {
            for (int i = 0; i < CALLS; i++) {
              int op = random.nextInt(10);
              if (op < 4 || mine.isEmpty()) {
                float[] values = new float[1 + random.nextInt(2000)];
                for (int k = 0; k < values.length; k++) {
                  values[k] = random.nextFloat();
                }
                try (Tensor t = Tensor.of(allocator, values)) {
                  mine.put(client.put(t), crc(t));
                }
              } else if (op < 8) {
                String h = mine.keySet().iterator().next();
                try (Tensor back = client.get(h)) {
                  assertEquals(mine.get(h), crc(back), h);
                }
              } else if (op < 9) {
                String h = mine.keySet().iterator().next();
                client.delete(h);
                mine.remove(h);
                assertThrows(NotFoundException.class, () -> client.get(h).close());
              } else {
                List<String> listed = client.list().stream().map(TensorListing::handle).toList();
                assertTrue(listed.containsAll(mine.keySet()));
              }
            }
            for (String h : mine.keySet()) {
              client.delete(h);
            }
          }
          return mine.size();
        }));
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES));
      for (Future<Integer> f : results) {
        f.get(); // rethrows any failed assertion of a client
      }
      assertEquals(List.of(), store.handles(""));
      assertEquals(0, server.allocator().getAllocatedMemory());
    }
  }
}
