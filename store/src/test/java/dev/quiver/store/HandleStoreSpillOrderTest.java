package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory tier spills its least recently used tensors: those put, read back from disk or read longest ago,
 * however often they were read before. Tensors here are 100 bytes under a budget of {@value #SLOTS} of them.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreSpillOrderTest {
  private static final int SLOTS = 4;
  private static final int BYTES = 100;

  @TempDir
  Path tmp;

  private HandleStore store() {
    return HandleStore.builder().memoryBudget(SLOTS * BYTES).spillDirectory(tmp.resolve("spill")).build();
  }

  @Test
  void aHandleReadOftenButLongAgoIsSpilledBeforeOnesReadOnceSince(BufferAllocator allocator) {
    try (HandleStore store = store(); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
      List<String> h = new ArrayList<>();
      for (int i = 0; i < SLOTS; i++) {
        h.add(store.put(t));
      }
      for (int i = 0; i < 10; i++) {
        store.get(h.get(0)).close();
      }
      for (int i : new int[] {3, 1, 2}) {
        store.get(h.get(i)).close();
      }
      // Least recently used first: 0, 3, 1, 2, then the new ones in the order they were put.
      List<String> expected = new ArrayList<>(List.of(h.get(0), h.get(3), h.get(1), h.get(2)));
      for (int k = 0; k < 6; k++) {
        String fresh = store.put(t);
        expected.add(fresh);
        String spilled = expected.remove(0);
        assertEquals(Set.copyOf(expected), inMemory(store), "put " + k + " spills " + spilled);
      }
    }
  }

  @Test
  void aTensorReadBackFromDiskIsTheMostRecentlyUsed(BufferAllocator allocator) {
    try (HandleStore store = store(); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
      List<String> h = new ArrayList<>();
      for (int i = 0; i < SLOTS + 1; i++) {
        h.add(store.put(t)); // the last put spills h0
      }
      store.get(h.get(0)).close(); // read back, spilling h1
      assertEquals(Set.of(h.get(0), h.get(2), h.get(3), h.get(4)), inMemory(store));
      String fresh = store.put(t); // spills h2, not the reloaded h0
      assertEquals(Set.of(h.get(0), h.get(3), h.get(4), fresh), inMemory(store));
    }
  }

  @Test
  void whatIsSpilledFollowsTheOrderOfUseThroughRandomReadsReloadsAndPuts(BufferAllocator allocator) {
    Random r = new Random(42);
    try (HandleStore store = store(); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
      List<String> all = new ArrayList<>();
      LinkedHashSet<String> model = new LinkedHashSet<>(); // in memory, least recently used first
      for (int step = 0; step < 2000; step++) {
        int op = all.size() < 2 * SLOTS ? 0 : r.nextInt(10);
        String h = all.isEmpty() ? null : all.get(r.nextInt(all.size()));
        if (op == 0) { // put: the least recently used makes room
          String fresh = store.put(t);
          all.add(fresh);
          use(model, fresh);
        } else if (op <= 5) { // get: a read, or a read back from disk that makes room
          store.get(h).close();
          use(model, h);
        } else if (op <= 7) { // getIfInMemory: a read if in memory, else nothing
          Tensor resident = store.getIfInMemory(h);
          if (model.contains(h)) {
            resident.close();
            use(model, h);
          } else {
            assertNull(resident, h);
          }
        } else { // neither info nor contains is a use
          store.info(h);
          store.contains(h);
        }
        assertEquals(List.copyOf(model), store.spillOrder(), "step " + step);
        assertEquals(model, inMemory(store), "step " + step);
      }
      StoreStats s = store.stats();
      assertEquals(SLOTS, s.handlesInMemory());
      assertEquals(s.spills() - all.size() + SLOTS, s.reloads(), s.toString());
    }
  }

  /** Makes {@code h} the most recently used in {@code model}, dropping the least recently used past the budget. */
  private static void use(LinkedHashSet<String> model, String h) {
    model.remove(h);
    model.add(h);
    while (model.size() > SLOTS) {
      model.remove(model.iterator().next());
    }
  }

  private static Set<String> inMemory(HandleStore store) {
    Set<String> in = new LinkedHashSet<>();
    for (String h : store.handles("")) {
      if (store.info(h).inMemory()) {
        in.add(h);
      }
    }
    return in;
  }
}
