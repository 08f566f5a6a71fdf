package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.NotFoundException;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Expire-after-access, driven by a clock the test advances: no sleeping. */
@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreExpiryTest {
  private static final Duration TTL = Duration.ofMinutes(10);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private HandleStore store;
  private BufferAllocator storeAllocator;

  @TempDir
  Path tmp;

  private HandleStore open(long memoryBudget) {
    store = HandleStore.builder().memoryBudget(memoryBudget).expireAfterAccess(TTL).ticker(nanos::get)
        .spillDirectory(tmp.resolve("spill")).build();
    storeAllocator = store.allocator();
    return store;
  }

  @AfterEach
  void closeAndCheckNothingIsLeft() {
    store.close();
    assertEquals(0, storeAllocator.getAllocatedMemory());
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aHandleNotReadForTheTtlIsFreed(BufferAllocator allocator) {
    open(1 << 20);
    String h;
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3})) {
      h = store.put(t);
    }
    advance(TTL.minusSeconds(1));
    assertTrue(store.contains(h));
    advance(Duration.ofSeconds(2));
    NotFoundException e = assertThrows(NotFoundException.class, () -> store.get(h));
    assertEquals("The tensor with handle '" + h + "' is not in the session store.", e.getMessage());
    StoreStats s = store.stats();
    assertEquals(1, s.expiries());
    assertEquals(0, s.handles());
    assertEquals(0, s.bytes());
    assertEquals(0, store.allocator().getAllocatedMemory());
  }

  @Test
  void readingAHandleKeepsItAlive(BufferAllocator allocator) {
    open(1 << 20);
    String h;
    try (Tensor t = Tensor.of(allocator, new int[] {1})) {
      h = store.put(t);
    }
    for (int i = 0; i < 5; i++) {
      advance(TTL.minusMinutes(1));
      store.get(h).close();
    }
    assertTrue(store.contains(h));
    assertEquals(0, store.stats().expiries());
  }

  @Test
  void infoAndContainsDoNotCountAsReads(BufferAllocator allocator) {
    open(1 << 20);
    String h;
    try (Tensor t = Tensor.of(allocator, new int[] {1})) {
      h = store.put(t);
    }
    advance(TTL.minusMinutes(1));
    store.info(h);
    assertTrue(store.contains(h));
    advance(Duration.ofMinutes(2));
    assertFalse(store.contains(h));
    assertThrows(NotFoundException.class, () -> store.info(h));
    assertThrows(NotFoundException.class, () -> store.delete(h));
    assertEquals(0, store.stats().deletes());
  }

  @Test
  void aSpilledHandleExpiresToo(BufferAllocator allocator) throws IOException {
    open(0);
    String h;
    try (Tensor t = Tensor.of(allocator, new long[] {5, 6})) {
      h = store.put(t);
    }
    assertFalse(store.info(h).inMemory());
    assertEquals(1, fileCount());
    advance(TTL.plusSeconds(1));
    StoreStats s = store.stats();
    assertEquals(1, s.expiries());
    assertEquals(0, s.handlesOnDisk());
    assertEquals(0, s.bytesOnDisk());
    assertEquals(0, fileCount());
    assertThrows(NotFoundException.class, () -> store.get(h));
  }

  @Test
  void aReaderKeepsItsTensorAfterTheHandleExpires(BufferAllocator allocator) {
    open(1 << 20);
    String h;
    try (Tensor t = Tensor.of(allocator, new double[] {2.5})) {
      h = store.put(t);
    }
    try (Tensor held = store.get(h)) {
      advance(TTL.plusSeconds(1));
      assertEquals(1, store.stats().expiries());
      assertFalse(store.contains(h));
      assertArrayEquals(new double[] {2.5}, held.toDoubleArray());
    }
  }

  @Test
  void anIdleStoreFreesAnExpiredHandlesMemoryAndSpillFileOnTime(BufferAllocator allocator) throws Exception {
    // The system clock this time: the store's maintenance thread must wake up by itself. The TTL leaves a loaded
    // machine time to check the tensors are there before they expire.
    store = HandleStore.builder().memoryBudget(4096).expireAfterAccess(Duration.ofSeconds(3))
        .spillDirectory(tmp.resolve("spill")).build();
    storeAllocator = store.allocator();
    try (Tensor a = Tensor.of(allocator, new int[1024]); Tensor b = Tensor.of(allocator, new int[1024])) {
      store.put(a);
      store.put(b); // spills a
    }
    assertEquals(1, fileCount());
    assertEquals(4096, storeAllocator.getAllocatedMemory());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((storeAllocator.getAllocatedMemory() > 0 || fileCount() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20); // no call into the store while waiting
    }
    assertEquals(0, storeAllocator.getAllocatedMemory(), "the in-memory tensor is freed");
    assertEquals(0, fileCount(), "the spilled tensor's file is removed");
    assertEquals(2, store.stats().expiries());
    assertEquals(0, store.stats().handles());
  }

  @Test
  void withoutATtlNothingExpires(BufferAllocator allocator) {
    store = HandleStore.builder().ticker(nanos::get).build();
    storeAllocator = store.allocator();
    try (Tensor t = Tensor.of(allocator, new int[] {1})) {
      String h = store.put(t);
      advance(Duration.ofDays(3650));
      assertTrue(store.contains(h));
      assertEquals(0, store.stats().expiries());
    }
  }

  private long fileCount() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("spill"))) {
      return s.count();
    }
  }
}
