package dev.quiver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.NotFoundException;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One client's mixed workload: each {@link #next} call is a put (40%), get (40%), delete (10%), list (5%) or
 * stats (5%) on handles of its own, every byte read back checked against what was put. A client keeps at most
 * {@code kept + 1} handles: past {@code kept} it deletes one first. Not thread-safe: one per client thread.
 */
final class MixedCalls {
  private final QuiverClient client;
  private final BufferAllocator allocator;
  private final Random random;
  private final int kept;
  private final int oneLargeIn;
  private final Map<String, Long> checksums = new HashMap<>();
  private final List<String> handles = new ArrayList<>();
  private int largePuts;

  /** Tensors come from {@code allocator}; one put in {@code oneLargeIn} is of several batches. */
  MixedCalls(QuiverClient client, BufferAllocator allocator, Random random, int kept, int oneLargeIn) {
    this.client = client;
    this.allocator = allocator;
    this.random = random;
    this.kept = kept;
    this.oneLargeIn = oneLargeIn;
  }

  /** Makes one call, asserting what it returns. */
  void next() {
    int op = handles.size() > kept ? 16 : random.nextInt(20);
    if (op < 8 || handles.isEmpty()) {
      try (Tensor t = RandomTensors.random(allocator, random, oneLargeIn)) {
        largePuts += t.byteSize() > 4 << 20 ? 1 : 0;
        String h = client.put(t);
        checksums.put(h, RandomTensors.crc(t));
        handles.add(h);
      }
    } else if (op < 16) {
      String h = handles.get(random.nextInt(handles.size()));
      try (Tensor back = client.get(h)) {
        assertEquals(checksums.get(h), RandomTensors.crc(back), h);
      }
    } else if (op < 18) {
      String h = handles.remove(random.nextInt(handles.size()));
      client.delete(h);
      checksums.remove(h);
      assertThrows(NotFoundException.class, () -> client.get(h).close());
    } else if (op < 19) {
      List<String> listed = client.list().stream().map(TensorListing::handle).toList();
      assertTrue(listed.containsAll(handles));
    } else {
      assertTrue(client.stats().handles() >= handles.size());
    }
  }

  /** Deletes every handle this client still holds. */
  void deleteAll() {
    for (String h : handles) {
      client.delete(h);
    }
    handles.clear();
    checksums.clear();
  }

  /** How many of the tensors put were larger than one 4 MiB batch. */
  int largePuts() {
    return largePuts;
  }
}
