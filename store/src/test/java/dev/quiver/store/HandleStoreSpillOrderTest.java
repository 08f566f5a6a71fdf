package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory tier spills its least recently used tensors: those put, read back from disk or read longest ago,
 * however often they were read before, and however many reads came between two spills. Single-threaded, so the
 * order must be exact.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreSpillOrderTest {
  private static final int SLOTS = 4;
  private static final int BYTES = 100;

  @TempDir
  Path tmp;

  private HandleStore store(long memoryBudget) {
    return HandleStore.builder().memoryBudget(memoryBudget).spillDirectory(tmp.resolve("spill")).build();
  }

  @Test
  void aHandleReadOftenButLongAgoIsSpilledBeforeOnesReadOnceSince(BufferAllocator allocator) {
    try (HandleStore store = store(SLOTS * BYTES); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
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
      assertEquals(expected, store.spillOrder());
      for (int k = 0; k < 6; k++) {
        String fresh = store.put(t);
        expected.add(fresh);
        String spilled = expected.remove(0);
        assertEquals(Set.copyOf(expected), inMemory(store), "put " + k + " spills " + spilled);
      }
    }
  }

  @Test
  void everyReadCountsHoweverManyComeBetweenTwoSpills(BufferAllocator allocator) {
    // Caffeine's read buffer takes 16 reads per stripe before it drops some: the spill order must not depend on it.
    Random r = new Random(7);
    try (HandleStore store = store(SLOTS * BYTES); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
      List<String> h = new ArrayList<>();
      for (int i = 0; i < SLOTS; i++) {
        h.add(store.put(t));
      }
      LinkedHashSet<String> model = new LinkedHashSet<>(h);
      for (int i = 0; i < 500; i++) {
        String read = h.get(r.nextInt(SLOTS));
        store.get(read).close();
        use(model, read, SLOTS);
      }
      assertEquals(List.copyOf(model), store.spillOrder());
      String eldest = model.iterator().next();
      store.put(t);
      assertFalse(store.info(eldest).inMemory(), "the least recently read is spilled");
      assertEquals(SLOTS, inMemory(store).size());
    }
  }

  @Test
  void aTensorReadBackFromDiskIsTheMostRecentlyUsed(BufferAllocator allocator) {
    try (HandleStore store = store(SLOTS * BYTES); Tensor t = Tensor.of(allocator, new int[BYTES / 4])) {
      List<String> h = new ArrayList<>();
      for (int i = 0; i < SLOTS + 1; i++) {
        h.add(store.put(t)); // the last put spills h0
      }
      store.get(h.get(0)).close(); // read back, spilling h1
      assertEquals(List.of(h.get(2), h.get(3), h.get(4), h.get(0)), store.spillOrder());
      String fresh = store.put(t); // spills h2, not the reloaded h0
      assertEquals(Set.of(h.get(0), h.get(3), h.get(4), fresh), inMemory(store));
    }
  }

  @Test
  void whatIsSpilledFollowsTheOrderOfUseThroughRandomPutsReadsReloadsAndDeletes(BufferAllocator allocator) {
    randomUses(allocator, new Random(42), SLOTS * BYTES, () -> BYTES);
  }

  @Test
  void tensorsOfManySizesAreSpilledLeastRecentlyUsedFirstUntilTheNewOneFits(BufferAllocator allocator) {
    Random sizes = new Random(3);
    randomUses(allocator, new Random(43), 40 * BYTES, () -> 4 * (1 + sizes.nextInt(3 * BYTES / 4)));
  }

  /**
   * Two thousand random operations against a model: an LRU list of the in-memory handles that, past the budget,
   * drops its least recently used until what was just used fits.
   */
  private void randomUses(BufferAllocator allocator, Random r, long budget, IntSupplier bytes) {
    try (HandleStore store = store(budget)) {
      List<String> all = new ArrayList<>();
      Map<String, Integer> sizes = new HashMap<>();
      LinkedHashSet<String> model = new LinkedHashSet<>(); // in memory, least recently used first
      for (int step = 0; step < 2000; step++) {
        int op = all.size() < 8 ? 0 : r.nextInt(20);
        String h = all.isEmpty() ? null : all.get(r.nextInt(all.size()));
        if (op < 2) { // put: the least recently used make room
          int size = bytes.getAsInt();
          try (Tensor t = Tensor.of(allocator, new int[size / 4])) {
            String fresh = store.put(t);
            all.add(fresh);
            sizes.put(fresh, size);
            use(model, fresh, sizes, budget);
          }
        } else if (op < 11) { // get: a read, or a read back from disk that makes room
          store.get(h).close();
          use(model, h, sizes, budget);
        } else if (op < 16) { // getIfInMemory: a read if in memory, else nothing
          Tensor resident = store.getIfInMemory(h);
          if (model.contains(h)) {
            resident.close();
            use(model, h, sizes, budget);
          } else {
            assertNull(resident, h);
          }
        } else if (op < 19) { // neither info nor contains is a use
          store.info(h);
          store.contains(h);
        } else { // delete: gone from the order, its room free
          store.delete(h);
          all.remove(h);
          model.remove(h);
        }
        assertEquals(List.copyOf(model), store.spillOrder(), "step " + step);
        assertEquals(model, inMemory(store), "step " + step);
      }
      StoreStats s = store.stats();
      assertTrue(s.spills() > 200 && s.reloads() > 200, "the test must spill and read back often: " + s);
      assertEquals(model.size(), s.handlesInMemory(), s.toString());
    }
  }

  /** Makes {@code h} the most recently used, dropping the least recently used until the rest fits the budget. */
  private static void use(LinkedHashSet<String> model, String h, Map<String, Integer> sizes, long budget) {
    model.remove(h);
    long held = sizes.get(h);
    for (String m : model) {
      held += sizes.get(m);
    }
    while (held > budget) {
      String eldest = model.iterator().next();
      model.remove(eldest);
      held -= sizes.get(eldest);
    }
    model.add(h);
  }

  private static void use(LinkedHashSet<String> model, String h, int slots) {
    model.remove(h);
    model.add(h);
    while (model.size() > slots) {
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
