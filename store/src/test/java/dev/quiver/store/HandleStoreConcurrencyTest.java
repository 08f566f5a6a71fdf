package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quiver.errors.NotFoundException;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreConcurrencyTest {
  private static final int THREADS = 8;
  private static final DType[] DTYPES = {DType.FLOAT32, DType.INT64, DType.STRING, DType.UINT8};

  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "worker threads hang");
  }

  @Test
  void eightThreadsPuttingReadingAndDeletingWithSpillsLoseNothingAndLeakNothing(BufferAllocator allocator)
      throws Exception {
    int opsPerThread = 800;
    try (HandleStore store = HandleStore.builder().memoryBudget(128 << 10).build()) {
      eightThreadsPuttingReadingAndDeleting(store, allocator, opsPerThread);
    }
  }

  private void eightThreadsPuttingReadingAndDeleting(HandleStore store, BufferAllocator allocator, int opsPerThread)
      throws Exception {
    BufferAllocator storeAllocator = store.allocator();
    Path spillDir = store.spillDirectory();
    AtomicReferenceArray<String> published = new AtomicReferenceArray<>(THREADS * opsPerThread);
    AtomicInteger count = new AtomicInteger();
    Map<String, Long> checksums = new ConcurrentHashMap<>();
    Map<String, Long> sizes = new ConcurrentHashMap<>();
    Set<String> deleted = ConcurrentHashMap.newKeySet();

    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < THREADS; w++) {
      int seed = w;
      workers.add(pool.submit(() -> {
        Random r = new Random(seed);
        List<Tensor> held = new ArrayList<>();
        List<Long> heldSums = new ArrayList<>();
        // Half the puts come from a session allocator under the store's root (moved), half from another root
        // (copied); the session allocator must be able to close at the end while the handles live on.
        try (BufferAllocator session = storeAllocator.newChildAllocator("session-" + seed, 0, Long.MAX_VALUE)) {
          for (int op = 0; op < opsPerThread; op++) {
            double p = r.nextDouble();
            int n = count.get();
            if (p < 0.4 || n == 0) {
              BufferAllocator from = r.nextBoolean() ? session : allocator;
              try (Tensor t = TestTensors.ofSize(from, DTYPES[r.nextInt(DTYPES.length)], 64 + r.nextInt(4096), r)) {
                String h = store.put("w" + seed, t);
                checksums.put(h, TestTensors.checksum(t));
                sizes.put(h, store.info(h).byteSize());
                published.set(count.getAndIncrement(), h);
              }
            } else if (p < 0.85) {
              String h = published.get(r.nextInt(n));
              if (h == null) {
                continue; // slot reserved, not yet written
              }
              Tensor t;
              try {
                t = store.get(h);
              } catch (NotFoundException e) {
                assertTrue(deleted.contains(h), "lost " + h);
                continue;
              }
              assertEquals(checksums.get(h), TestTensors.checksum(t), h);
              if (r.nextInt(10) == 0 && held.size() < 8) {
                held.add(t); // keep reading it later, across spills and deletes by others
                heldSums.add(checksums.get(h));
              } else {
                t.close();
              }
            } else {
              String h = published.get(r.nextInt(n));
              if (h != null && deleted.add(h)) {
                store.delete(h); // only this thread deletes h: it must be there
              }
            }
            if (!held.isEmpty() && r.nextInt(20) == 0) {
              Tensor t = held.remove(0);
              assertEquals(heldSums.remove(0), TestTensors.checksum(t));
              t.close();
            }
          }
          for (int i = 0; i < held.size(); i++) {
            assertEquals(heldSums.get(i), TestTensors.checksum(held.get(i)));
            held.get(i).close();
          }
          assertEquals(0, session.getAllocatedMemory());
        }
        return null;
      }));
    }
    for (Future<?> f : workers) {
      f.get(5, TimeUnit.MINUTES);
    }

    Set<String> live = new HashSet<>(checksums.keySet());
    live.removeAll(deleted);
    List<String> order = store.spillOrder();
    assertEquals(order.size(), Set.copyOf(order).size(), "no handle twice in the spill order");
    assertEquals(live.stream().filter(h -> store.info(h).inMemory()).collect(Collectors.toSet()), Set.copyOf(order),
        "the memory tier's cache holds exactly the handles in memory");
    long residentWeight = store.residentEviction().weightedSize().orElseThrow();
    assertEquals(store.stats().bytesInMemory(), residentWeight, "Caffeine weighs exactly the bytes in memory");
    long liveBytes = 0;
    for (String h : live) {
      try (Tensor t = store.get(h)) {
        assertEquals(checksums.get(h), TestTensors.checksum(t), h);
      }
      liveBytes += sizes.get(h);
    }
    StoreStats s = store.stats();
    assertEquals(live.size(), s.handles(), s.toString());
    assertEquals(liveBytes, s.bytes(), s.toString());
    assertTrue(s.bytesInMemory() <= 128 << 10, s.toString());
    assertEquals(deleted.size(), s.deletes());
    assertTrue(s.spills() > 100 && s.reloads() > 100 && s.hits() > 100, "the test must exercise spilling: " + s);
    assertEquals(live, new HashSet<>(store.handles("")));
    store.close();
    assertEquals(0, storeAllocator.getAllocatedMemory());
    assertFalse(Files.exists(spillDir));
  }

  @Test
  void aResidentGetAndAPutThatFitsDoNotWaitForAnotherThreadsSlowSpill(BufferAllocator allocator) throws Exception {
    SpillGate gate = new SpillGate();
    Random r = new Random(4);
    Map<String, Long> sums = new ConcurrentHashMap<>();
    try (HandleStore store = HandleStore.builder().memoryBudget(16 << 10).spillChannels(gate).build()) {
      String a;
      String x;
      try (Tensor ta = TestTensors.ofSize(allocator, DType.FLOAT32, 4 << 10, r);
          Tensor tx = TestTensors.ofSize(allocator, DType.FLOAT32, 8 << 10, r)) {
        a = store.put(ta);
        x = store.put(tx);
        sums.put(a, TestTensors.checksum(ta));
        sums.put(x, TestTensors.checksum(tx));
      } // 12 KiB in memory, 4 KiB free
      gate.stallNextWrite();
      Future<String> spilling = pool.submit(() -> {
        try (Tensor ty = TestTensors.ofSize(allocator, DType.FLOAT32, 8 << 10, r)) {
          String y = store.put(ty); // needs 4 KiB more than is free: spills a, whose write stalls
          sums.put(y, TestTensors.checksum(ty));
          return y;
        }
      });
      try {
        assertTrue(gate.awaitStalled(60), "the put spills");
        Future<?> meanwhile = pool.submit(() -> {
          for (String h : List.of(a, x)) { // a is the tensor being written: it is still served from memory
            try (Tensor back = store.get(h)) {
              assertEquals(sums.get(h), TestTensors.checksum(back));
            }
          }
          try (Tensor small = TestTensors.ofSize(allocator, DType.FLOAT32, 2 << 10, new Random(5))) {
            String h = store.put(small); // fits the free 4 KiB
            sums.put(h, TestTensors.checksum(small));
          }
          return null;
        });
        meanwhile.get(60, TimeUnit.SECONDS); // times out only if it waits for the stalled write
        assertTrue(store.info(a).inMemory(), "the spill is still under way");
      } finally {
        gate.release();
      }
      spilling.get(60, TimeUnit.SECONDS);
      StoreStats s = store.stats();
      assertTrue(s.bytesInMemory() <= 16 << 10, s.toString());
      assertEquals(4, s.handles(), s.toString());
      for (Map.Entry<String, Long> e : sums.entrySet()) {
        try (Tensor back = store.get(e.getKey())) {
          assertEquals(e.getValue(), TestTensors.checksum(back));
        }
      }
    }
  }

  @Test
  void readersOfOneSpilledHandleAllGetItAndItIsReadFromDiskOnce(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().memoryBudget(1 << 20).build()) {
      String h;
      long sum;
      try (Tensor t = TestTensors.ofSize(allocator, DType.FLOAT32, 600_000, new Random(1));
          Tensor filler = TestTensors.ofSize(allocator, DType.FLOAT32, 600_000, new Random(2))) {
        h = store.put(t);
        sum = TestTensors.checksum(t);
        store.put(filler);
      }
      assertFalse(store.info(h).inMemory());
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Future<Long>> readers = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        readers.add(pool.submit(() -> {
          start.await();
          try (Tensor t = store.get(h)) {
            return TestTensors.checksum(t);
          }
        }));
      }
      for (Future<Long> f : readers) {
        assertEquals(sum, f.get(1, TimeUnit.MINUTES));
      }
      assertEquals(1, store.stats().reloads());
      assertEquals(THREADS - 1, store.stats().hits());
    }
  }

  @Test
  void aHandleIsNeverMissingWhileItIsSpilledAndReloadedOverAndOver(BufferAllocator allocator) throws Exception {
    // The budget holds one tensor, so every put spills everything else and every read reloads.
    try (HandleStore store = HandleStore.builder().memoryBudget(4096).build()) {
      String hot;
      long sum;
      try (Tensor t = TestTensors.ofSize(allocator, DType.INT64, 4096, new Random(5))) {
        hot = store.put(t);
        sum = TestTensors.checksum(t);
      }
      CountDownLatch readersDone = new CountDownLatch(2);
      List<Future<?>> tasks = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int seed = w;
        tasks.add(pool.submit(() -> {
          Random r = new Random(seed);
          while (readersDone.getCount() > 0) {
            try (Tensor t = TestTensors.ofSize(allocator, DType.FLOAT32, 4096, r)) {
              store.delete(store.put(t));
            }
          }
          return null;
        }));
      }
      for (int i = 0; i < 2; i++) {
        tasks.add(pool.submit(() -> {
          try {
            while (store.stats().reloads() < 100) {
              try (Tensor t = store.get(hot)) {
                assertEquals(sum, TestTensors.checksum(t));
              }
            }
          } finally {
            readersDone.countDown();
          }
          return null;
        }));
      }
      for (Future<?> f : tasks) {
        f.get(5, TimeUnit.MINUTES);
      }
      StoreStats s = store.stats();
      assertEquals(0, s.misses(), s.toString());
      assertTrue(s.reloads() >= 100, s.toString());
      assertEquals(1, s.handles(), s.toString());
    }
  }

  @Test
  void aDeleteRacingWithReadsOfTheSameHandleGivesEachReaderTheTensorOrNotFound(BufferAllocator allocator)
      throws Exception {
    for (long memoryBudget : new long[] {0, 1 << 20}) { // read from disk, read from memory
      try (HandleStore store = HandleStore.builder().memoryBudget(memoryBudget).build();
          Tensor t = TestTensors.ofSize(allocator, DType.STRING, 2000, new Random(9))) {
        long sum = TestTensors.checksum(t);
        for (int round = 0; round < 100; round++) {
          String h = store.put(t);
          CyclicBarrier start = new CyclicBarrier(4);
          List<Future<Boolean>> readers = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            readers.add(pool.submit(() -> {
              start.await();
              try (Tensor back = store.get(h)) {
                assertEquals(sum, TestTensors.checksum(back));
                return true;
              } catch (NotFoundException e) {
                return false;
              }
            }));
          }
          start.await();
          store.delete(h);
          for (Future<Boolean> f : readers) {
            assertNotNull(f.get(1, TimeUnit.MINUTES));
          }
          assertEquals(0, store.stats().handles());
        }
        assertEquals(0, store.allocator().getAllocatedMemory());
      }
    }
  }

  @Test
  void closingWhileThreadsAreBusyNeitherHangsNorLeaks(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().memoryBudget(16 << 10).build()) {
      closingWhileThreadsAreBusy(store, allocator);
    } // a second close: frees what a failed assertion left behind
  }

  private void closingWhileThreadsAreBusy(HandleStore store, BufferAllocator allocator) throws Exception {
    BufferAllocator storeAllocator = store.allocator();
    Path spillDir = store.spillDirectory();
    CountDownLatch warmedUp = new CountDownLatch(THREADS * 20);
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < THREADS; w++) {
      int seed = w;
      workers.add(pool.submit(() -> {
        Random r = new Random(seed);
        List<String> mine = new ArrayList<>();
        try {
          while (true) {
            try (Tensor t = TestTensors.ofSize(allocator, DTYPES[r.nextInt(DTYPES.length)], 1024, r)) {
              mine.add(store.put(t));
            }
            try (Tensor back = store.get(mine.get(r.nextInt(mine.size())))) {
              back.numElements();
            }
            if (r.nextBoolean()) {
              store.delete(mine.remove(r.nextInt(mine.size())));
            }
            warmedUp.countDown();
          }
        } catch (IllegalStateException e) {
          assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
        return null;
      }));
    }
    assertTrue(warmedUp.await(5, TimeUnit.MINUTES));
    try {
      store.close();
    } catch (IllegalStateException e) {
      // A worker held a tensor from get() at that moment: the handles are freed, the allocator waits.
      assertTrue(e.getMessage().contains("still open"), e.getMessage());
    }
    for (Future<?> f : workers) {
      f.get(1, TimeUnit.MINUTES);
    }
    store.close(); // every reference is closed now: the allocator closes
    assertEquals(0, storeAllocator.getAllocatedMemory());
    assertFalse(Files.exists(spillDir));
    try {
      store.get("x");
      fail("closed");
    } catch (IllegalStateException expected) {
      // calls after close
    }
  }
}
