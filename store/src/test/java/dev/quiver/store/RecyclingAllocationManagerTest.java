package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RecyclingAllocationManagerTest {
  private static final long MIB = 1 << 20;
  private static final long CAPACITY = 40 * MIB;
  private static final long IDLE = TimeUnit.SECONDS.toNanos(10);

  private final AtomicLong now = new AtomicLong();
  private RecyclingAllocationManager.Pool pool;
  private RootAllocator root;

  @BeforeEach
  void open() {
    pool = new RecyclingAllocationManager.Pool(CAPACITY, IDLE, now::get);
    root = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(pool).build());
  }

  @AfterEach
  void close() {
    assertEquals(0, root.getAllocatedMemory(), "every buffer closed");
    root.close();
    pool.close();
    assertEquals(0, pool.keptBytes(), "closing the pool frees what it kept");
  }

  @Test
  void aFreedBlockServesTheNextRequestOfItsSize() {
    long first;
    try (ArrowBuf b = root.buffer(2 * MIB)) {
      first = b.memoryAddress();
      b.setLong(0, 42);
      assertEquals(2 * MIB, root.getAllocatedMemory(), "the allocator accounts the requested size");
    }
    assertEquals(2 * MIB, pool.keptBytes());
    assertEquals(0, root.getAllocatedMemory());
    try (ArrowBuf b = root.buffer(2 * MIB)) {
      assertEquals(first, b.memoryAddress(), "the kept block is handed out again");
      assertEquals(2 * MIB, b.capacity());
    }
    assertEquals(1, pool.reused());
  }

  @Test
  void sizesShareBlocksWithinTheirGranule() {
    long first;
    // Arrow rounds requests below 16 MiB to a power of two; above, these two both take a 17 MiB + 64 KiB block.
    try (ArrowBuf b = root.buffer(17 * MIB + 100)) {
      first = b.memoryAddress();
    }
    try (ArrowBuf b = root.buffer(17 * MIB + 5000)) {
      assertEquals(first, b.memoryAddress());
      assertEquals(17 * MIB + 5000, root.getAllocatedMemory());
    }
    try (ArrowBuf b = root.buffer(17 * MIB + 70_000)) {
      assertNotEquals(first, b.memoryAddress(), "another size gets its own block");
    }
  }

  @Test
  void keepsAtMostItsCapacity() {
    ArrowBuf a = root.buffer(16 * MIB);
    ArrowBuf b = root.buffer(16 * MIB);
    ArrowBuf c = root.buffer(16 * MIB);
    a.close();
    b.close();
    c.close(); // a third 16 MiB block would exceed the 40 MiB capacity: freed
    assertEquals(32 * MIB, pool.keptBytes());
  }

  @Test
  void smallRequestsAreNotKept() {
    try (ArrowBuf b = root.buffer(MIB / 2)) {
      b.setByte(0, 1);
    }
    assertEquals(0, pool.keptBytes());
  }

  @Test
  void idleBlocksGoBackToTheSystem() {
    root.buffer(2 * MIB).close();
    now.addAndGet(IDLE - 1);
    root.buffer(MIB / 2).close(); // activity before the idle time frees nothing
    assertEquals(2 * MIB, pool.keptBytes());
    now.addAndGet(1);
    root.buffer(4 * MIB).close(); // the 2 MiB block has idled out; the new 4 MiB one is kept
    assertEquals(4 * MIB, pool.keptBytes());
  }

  @Test
  void afterCloseReleasedBlocksAreFreed() {
    ArrowBuf b = root.buffer(2 * MIB);
    pool.close();
    b.close();
    assertEquals(0, pool.keptBytes());
  }

  @Test
  void concurrentUsersNeverShareABlock() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        long seed = t;
        done.add(threads.submit(() -> {
          Random r = new Random(seed);
          for (int i = 0; i < 200; i++) {
            long size = (1 + r.nextInt(3)) * MIB;
            long mark = seed * 1_000_000 + i;
            try (ArrowBuf b = root.buffer(size)) {
              for (long off = 0; off < size; off += 4096) {
                b.setLong(off, mark);
              }
              Thread.yield();
              for (long off = 0; off < size; off += 4096) {
                assertEquals(mark, b.getLong(off), "another user wrote into this block");
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertTrue(pool.reused() > 0, "blocks were recycled");
    assertTrue(pool.keptBytes() <= CAPACITY);
  }

  @Test
  void aStoreRecyclesWhatItFrees() {
    try (HandleStore store = HandleStore.builder().memoryBudget(64 * MIB).build()) {
      BufferAllocator a = store.allocator();
      String h;
      long address;
      try (Tensor t = Tensor.allocateUninitialized(a, DType.FLOAT32, Shape.of(512, 1024))) {
        address = t.dataBuffer().memoryAddress();
        h = store.put(t);
      }
      store.delete(h); // the 2 MiB block is free again, and kept
      try (Tensor t = Tensor.allocateUninitialized(a, DType.FLOAT32, Shape.of(512, 1024))) {
        assertEquals(address, t.dataBuffer().memoryAddress(), "the next tensor of that size reuses it");
      }
      assertEquals(0, a.getAllocatedMemory());
    }
  }
}
