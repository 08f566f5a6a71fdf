package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Policy;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory and disk budgets hold at every moment, also while spills fail or the disk budget is nearly full, and
 * no in-memory tensor ever stops being a spill candidate. Tensors here are 1 KiB of int32 from the test's own
 * root: the store copies them into exact 1 KiB buffers, so its allocator holds exactly their bytes.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreBudgetTest {
  private static final int KIB = 1024;

  @TempDir
  Path tmp;

  private final SpillGate gate = new SpillGate();
  private final Random random = new Random(11);
  /** The test's own root, not the store's: tensors from it are copied into the store. */
  private BufferAllocator allocator;

  private HandleStore store(long memoryBudget, long diskBudget) {
    return HandleStore.builder().memoryBudget(memoryBudget).diskBudget(diskBudget)
        .spillDirectory(tmp.resolve("spill")).spillChannels(gate).build();
  }

  /** Puts a fresh 1 KiB tensor and remembers its checksum. */
  private String put(HandleStore store, Map<String, Long> sums) {
    try (Tensor t = TestTensors.random(allocator, DType.INT32, Shape.of(KIB / 4), random)) {
      String h = store.put(t);
      sums.put(h, TestTensors.checksum(t));
      return h;
    }
  }


  private static void assertReadable(HandleStore store, Map<String, Long> sums) {
    for (Map.Entry<String, Long> e : sums.entrySet()) {
      try (Tensor back = store.get(e.getKey())) {
        assertEquals(e.getValue(), TestTensors.checksum(back), e.getKey());
      }
    }
  }

  private long spillFiles() {
    try (Stream<Path> s = Files.list(tmp.resolve("spill"))) {
      return s.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aReloadSpillsItsVictimsBeforeItLoads(BufferAllocator allocator) {
    this.allocator = allocator;
    Map<String, Long> sums = new LinkedHashMap<>();
    try (HandleStore store = store(2 * KIB, Long.MAX_VALUE)) {
      BufferAllocator memory = store.allocator();
      String a = put(store, sums);
      put(store, sums);
      put(store, sums); // spills a
      assertFalse(store.info(a).inMemory());
      AtomicLong most = new AtomicLong();
      gate.onWrite(() -> most.accumulateAndGet(memory.getAllocatedMemory(), Math::max));
      try (Tensor back = store.get(a)) { // spills b, then loads a
        assertEquals(sums.get(a), TestTensors.checksum(back));
      }
      assertTrue(store.info(a).inMemory());
      assertEquals(2 * KIB, most.get(), "while the victim is written, the reloaded tensor is not in memory yet");
      assertEquals(2 * KIB, memory.getAllocatedMemory());
      assertEquals(2 * KIB, store.stats().bytesInMemory());
    }
  }

  @Test
  void aReloadWhoseSpillFailsIsServedWithoutKeepingItAndNoHandleIsStrandedInMemory(BufferAllocator allocator) {
    this.allocator = allocator;
    Map<String, Long> sums = new LinkedHashMap<>();
    try (HandleStore store = store(2 * KIB, Long.MAX_VALUE)) {
      String a = put(store, sums);
      String b = put(store, sums);
      String c = put(store, sums); // spills a
      gate.failing.set(true);
      try (Tensor back = store.get(a)) { // cannot spill b: a is read for the caller only
        assertEquals(sums.get(a), TestTensors.checksum(back));
      }
      assertFalse(store.info(a).inMemory());
      assertTrue(store.info(b).inMemory() && store.info(c).inMemory());
      StoreStats s = store.stats();
      assertEquals(2 * KIB, s.bytesInMemory(), s.toString());
      assertEquals(KIB, s.bytesOnDisk(), s.toString());
      assertEquals(1, spillFiles());

      gate.failing.set(false);
      store.get(a).close(); // spills b now
      String e = put(store, sums); // spills c
      String f = put(store, sums); // spills a
      for (String h : List.of(a, b, c)) {
        assertFalse(store.info(h).inMemory(), "every tensor kept in memory through the failure was spilled later");
      }
      assertTrue(store.info(e).inMemory() && store.info(f).inMemory());
      assertEquals(2 * KIB, store.allocator().getAllocatedMemory());
      assertReadable(store, sums);
    }
  }

  @Test
  void aPutWhoseSpillFailsIsResourceExhaustedAndNamesNoOtherHandle(BufferAllocator allocator) {
    this.allocator = allocator;
    Map<String, Long> sums = new LinkedHashMap<>();
    try (HandleStore store = store(2 * KIB, Long.MAX_VALUE)) {
      put(store, sums);
      put(store, sums);
      StoreStats before = store.stats();
      gate.failing.set(true);
      ResourceExhaustedException e = assertThrows(ResourceExhaustedException.class, () -> put(store, sums));
      assertTrue(e.getMessage().contains("memory has no room because spilling"), e.getMessage());
      assertTrue(e.getMessage().contains("no space left on device"), e.getMessage());
      for (String h : sums.keySet()) {
        // A handle is a capability: the error goes to whoever put, who must not learn other handles.
        assertFalse(e.getMessage().contains(HandleId.parse(h).secret()), e.getMessage());
      }
      assertEquals(before, store.stats());
      assertEquals(0, spillFiles(), "the failed spill file is removed");
      assertEquals(2 * KIB, store.allocator().getAllocatedMemory());
      gate.failing.set(false);
      put(store, sums);
      assertReadable(store, sums);
    }
  }

  @Test
  void aNearlyFullDiskBudgetIsNeverExceededNotEvenWhileAFileIsWritten(BufferAllocator allocator) {
    this.allocator = allocator;
    Map<String, Long> sums = new LinkedHashMap<>();
    long diskBudget = 3 * KIB;
    try (HandleStore store = store(2 * KIB, diskBudget)) {
      BufferAllocator memory = store.allocator();
      List<String> violations = new ArrayList<>();
      gate.onWrite(() -> {
        // The file being written exists already: every spill file on disk counts.
        if (spillFiles() * KIB > diskBudget) {
          violations.add(spillFiles() + " files on disk");
        }
        if (memory.getAllocatedMemory() > 2 * KIB) {
          violations.add(memory.getAllocatedMemory() + " bytes in memory");
        }
      });
      int exhausted = 0;
      List<String> handles = new ArrayList<>();
      for (int op = 0; op < 300; op++) {
        if (handles.isEmpty() || random.nextInt(3) == 0) {
          try {
            handles.add(put(store, sums));
          } catch (ResourceExhaustedException e) {
            exhausted++;
          }
        } else {
          String h = handles.get(random.nextInt(handles.size()));
          try (Tensor back = store.get(h)) {
            assertEquals(sums.get(h), TestTensors.checksum(back), h);
          }
        }
        StoreStats s = store.stats();
        assertTrue(s.bytesOnDisk() <= diskBudget && s.bytesInMemory() <= 2 * KIB, s.toString());
        assertTrue(spillFiles() * KIB <= diskBudget);
      }
      assertEquals(List.of(), violations);
      assertEquals(5, handles.size(), "both budgets full: 2 in memory, 3 on disk");
      assertTrue(exhausted > 0 && store.stats().reloads() > 50, store.stats().toString());
      assertReadable(store, sums);
    }
  }

  @Test
  void aTensorCaffeineEvictsOnItsOwnStaysInMemoryAndIsTheNextSpilled(BufferAllocator allocator) {
    this.allocator = allocator;
    Map<String, Long> sums = new LinkedHashMap<>();
    try (HandleStore store = store(4 * KIB, Long.MAX_VALUE)) {
      List<String> first = List.of(put(store, sums), put(store, sums), put(store, sums));
      Policy.Eviction<String, StoredTensor> caffeine = store.residentEviction();
      caffeine.setMaximum(2 * KIB); // Caffeine evicts a tensor by itself, as it must never have to
      caffeine.setMaximum(4 * KIB);
      List<String> evicted = first.stream().filter(h -> caffeine.weightOf(h).isEmpty()).toList();
      assertEquals(1, evicted.size(), evicted.toString());
      String displaced = evicted.get(0);
      for (String h : first) {
        assertTrue(store.info(h).inMemory(), "evicted by Caffeine is not spilled, let alone lost");
      }
      put(store, sums); // fits: nothing spilled
      assertEquals(0, store.stats().spills());
      put(store, sums); // needs 1 KiB: the displaced tensor goes first
      assertEquals(1, store.stats().spills());
      assertFalse(store.info(displaced).inMemory());
      store.get(displaced).close();
      assertTrue(store.info(displaced).inMemory());
      assertTrue(caffeine.weightOf(displaced).isPresent(), "reloaded, it is in Caffeine's order again");
      assertEquals(4 * KIB, store.stats().bytesInMemory());
      assertReadable(store, sums);
    }
  }
}
