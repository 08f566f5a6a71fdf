package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.StatusCode;
import dev.quiver.testing.LeakCheckedAllocator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreTest {
  private HandleStore store;
  private BufferAllocator storeAllocator;

  @BeforeEach
  void open() {
    store = HandleStore.builder().memoryBudget(1 << 20).build();
    storeAllocator = store.allocator();
  }

  @AfterEach
  void closeAndCheckNothingIsLeft() {
    store.close();
    assertEquals(0, storeAllocator.getAllocatedMemory());
  }

  @Test
  void putThenGetRoundTripsEveryDtypeAndRank(BufferAllocator allocator) {
    Random r = new Random(1);
    for (DType dtype : DType.values()) {
      for (Shape shape : TestTensors.SHAPES) {
        try (Tensor t = TestTensors.random(allocator, dtype, shape, r)) {
          String h = store.put(t);
          try (Tensor back = store.get(h)) {
            assertTrue(TestTensors.sameElements(back, t), dtype + " " + shape);
            assertEquals(shape, back.shape());
            assertEquals(dtype, back.dtype());
          }
        }
      }
    }
  }

  @Test
  void getSharesTheStoredMemoryWithoutCopying() {
    try (Tensor t = Tensor.of(store.allocator(), new float[] {1, 2, 3, 4}, 2, 2)) {
      String h = store.put(t);
      try (Tensor a = store.get(h); Tensor b = store.get(h)) {
        assertEquals(t.address(), a.address());
        assertEquals(t.address(), b.address());
        assertEquals(3, a.refCount()); // the store's and two readers' (the caller's is accounted apart)
      }
    }
  }

  @Test
  void putTakesANewReferenceAndTheCallerKeepsItsOwn() {
    Tensor t = Tensor.of(store.allocator(), new int[] {7, 8, 9});
    String h = store.put(t);
    assertArrayEquals(new int[] {7, 8, 9}, t.toIntArray());
    t.close();
    try (Tensor back = store.get(h)) {
      assertArrayEquals(new int[] {7, 8, 9}, back.toIntArray());
    }
  }

  @Test
  void putMovesAccountingSoTheCallersChildAllocatorCanClose() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    String h;
    long address;
    try (Tensor t = Tensor.of(session, new double[] {1.5, 2.5})) {
      h = store.put(t);
      address = t.address();
    }
    assertEquals(0, session.getAllocatedMemory());
    session.close(); // would throw if the stored tensor still pinned it
    try (Tensor back = store.get(h)) {
      assertArrayEquals(new double[] {1.5, 2.5}, back.toDoubleArray());
      assertEquals(address, back.address(), "moved, not copied");
    }
  }

  @Test
  void putMovesSlicesAndStringsWithoutCopying() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    String rows;
    String words;
    try (Tensor m = Tensor.of(session, new long[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor slice = m.slice(1, 3);
        Tensor s = Tensor.of(session, new String[] {"a", "bé", "", "cd"}, 2, 2)) {
      rows = store.put("Slice", slice);
      words = store.put("Words", s);
    }
    session.close();
    try (Tensor a = store.get(rows); Tensor b = store.get(words)) {
      assertArrayEquals(new long[] {3, 4, 5, 6}, a.toLongArray());
      assertEquals(Shape.of(2, 2), a.shape());
      assertArrayEquals(new String[] {"a", "bé", "", "cd"}, b.toStringArray());
    }
  }

  @Test
  void aSmallSliceOfALargeTensorIsCopiedSoTheStoreHoldsOnlyItsBytes() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    String h;
    long rowAddress;
    try (Tensor whole = Tensor.allocate(session, DType.FLOAT32, Shape.of(4096, 1024))) { // 16 MiB
      whole.dataBuffer().setFloat((5 * 1024 + 3) * 4L, 42f);
      try (Tensor row = whole.slice(5, 6)) {
        rowAddress = row.address();
        h = store.put(row);
      }
    }
    session.close(); // would throw if the stored row still pinned the 16 MiB
    assertEquals(4096, store.allocator().getAllocatedMemory(), "the store holds the row's 4 KiB, within its budget");
    assertEquals(4096, store.stats().bytesInMemory());
    try (Tensor back = store.get(h)) {
      assertEquals(Shape.of(1, 1024), back.shape());
      assertEquals(42f, back.getFloat(3));
      assertNotEquals(rowAddress, back.address(), "copied");
    }
  }

  @Test
  void aSliceSpanningMostOfItsBufferIsMovedNotCopied() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    String h;
    long address;
    try (Tensor whole = Tensor.allocate(session, DType.FLOAT32, Shape.of(4, 1024)); Tensor rows = whole.slice(1, 4)) {
      address = rows.address();
      h = store.put(rows);
    }
    session.close();
    try (Tensor back = store.get(h)) {
      assertEquals(address, back.address(), "moved");
    }
    // The whole 16 KiB buffer stays, for 12 KiB of elements: never more than twice a tensor's bytes.
    assertEquals(16 << 10, store.allocator().getAllocatedMemory());
    assertEquals(12 << 10, store.stats().bytesInMemory());
  }

  @Test
  void aSmallSliceOfALargeStringTensorIsCopiedWithItsOwnCharacters() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    String[] words = new String[10_000];
    for (int i = 0; i < words.length; i++) {
      words[i] = "word-" + i;
    }
    String h;
    try (Tensor all = Tensor.of(session, words); Tensor one = all.slice(10, 11)) {
      h = store.put(one);
    }
    session.close();
    assertEquals(2 * 4 + 7, store.stats().bytesInMemory()); // two offsets and "word-10"
    assertTrue(store.allocator().getAllocatedMemory() <= 64, store.allocator().getAllocatedMemory() + " bytes");
    try (Tensor back = store.get(h)) {
      assertArrayEquals(new String[] {"word-10"}, back.toStringArray());
    }
  }

  @Test
  void freedBlocksKeptForReuseAreReportedAndReturnedToTheSystemWhenTheStoreIsIdle() throws InterruptedException {
    try (HandleStore pooled = HandleStore.builder().memoryBudget(16 << 20).recycleIdle(Duration.ofMillis(200)).build()) {
      try (BufferAllocator session = pooled.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
          Tensor t = Tensor.allocate(session, DType.UINT8, Shape.of(2 << 20))) {
        pooled.delete(pooled.put(t));
      }
      assertEquals(0, pooled.allocator().getAllocatedMemory());
      assertEquals(2 << 20, pooled.stats().bytesPooled(), "the freed 2 MiB block is kept, and reported");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (pooled.stats().bytesPooled() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(0, pooled.stats().bytesPooled(), "unused, the block goes back although nothing is allocated");
    }
  }

  @Test
  void putCopiesATensorFromAnotherRootAllocatorOnce(BufferAllocator allocator) {
    String h;
    long address;
    try (Tensor t = Tensor.of(allocator, new short[] {1, -2, 3})) {
      h = store.put(t);
      address = t.address();
    }
    assertEquals(0, allocator.getAllocatedMemory());
    try (Tensor back = store.get(h)) {
      assertArrayEquals(new short[] {1, -2, 3}, back.toShortArray());
      assertNotEquals(address, back.address());
      assertEquals(store.allocator(), back.allocator().getRoot());
    }
  }

  @Test
  void handlesHaveTensorFlowsNameIdDeviceShape(BufferAllocator allocator) {
    try (Tensor t = Tensor.scalar(allocator, 1f)) {
      HandleId named = HandleId.parse(store.put("GetSessionHandle", t));
      assertEquals("GetSessionHandle", named.name());
      assertEquals(store.id(), named.storeId());
      assertEquals("/job:localhost/replica:0/task:0/device:CPU:0", named.device());
      assertEquals("Tensor", HandleId.parse(store.put(t)).name());
    }
    try (HandleStore gpu = HandleStore.builder().device("/job:worker/replica:0/task:1/device:CPU:0").build();
        Tensor t = Tensor.scalar(allocator, 1)) {
      String h = gpu.put("x", t);
      assertTrue(h.endsWith(";/job:worker/replica:0/task:1/device:CPU:0"), h);
    }
  }

  @Test
  void handlesAreUniqueAndTheirSecretsLookUniformlyRandom(BufferAllocator allocator) {
    int n = 5000;
    Set<String> secrets = new HashSet<>();
    int[] onesPerBit = new int[128];
    long ones = 0;
    try (Tensor t = Tensor.scalar(allocator, 0)) {
      for (int i = 0; i < n; i++) {
        HandleId id = HandleId.parse(store.put(t));
        assertEquals(22, id.secret().length());
        assertTrue(secrets.add(id.secret()), "duplicate secret");
        byte[] bits = Base64.getUrlDecoder().decode(id.secret());
        assertEquals(16, bits.length);
        for (int b = 0; b < 128; b++) {
          if ((bits[b / 8] >> (b % 8) & 1) != 0) {
            onesPerBit[b]++;
            ones++;
          }
        }
      }
    }
    // Each bit is a fair coin: 640,000 coins are within 0.5 +- 0.005 (11 sigma), each position's 5000 within
    // 0.5 +- 0.05 (7 sigma). A counter, a timestamp or a weak generator fails this.
    assertEquals(0.5, ones / (128.0 * n), 0.005);
    for (int b = 0; b < 128; b++) {
      assertEquals(0.5, onesPerBit[b] / (double) n, 0.05, "bit " + b);
    }
    try (HandleStore other = HandleStore.builder().build()) {
      assertNotEquals(store.id(), other.id());
    }
  }

  @Test
  void malformedHandlesAreInvalidArgumentNamingThemAndLeaveTheStoreIntact(BufferAllocator allocator) {
    try (Tensor t = Tensor.of(allocator, new int[] {1, 2})) {
      String h = store.put(t);
      StoreStats before = store.stats();
      String secretless = h.substring(0, h.indexOf('.'));
      for (String bad : List.of("", "garbage", "a;b;c", secretless + ";x", h + ";", h.replace(';', ':'))) {
        for (Consumer<String> op : operations()) {
          InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> op.accept(bad));
          assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
          assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
      }
      assertEquals(before, store.stats());
      try (Tensor back = store.get(h)) {
        assertTrue(TestTensors.sameElements(back, t));
      }
    }
  }

  @Test
  void aNullHandleIsInvalidArgumentSayingSoAndLeavesTheStoreIntact(BufferAllocator allocator) {
    try (Tensor t = Tensor.of(allocator, new int[] {1, 2})) {
      String h = store.put(t);
      StoreStats before = store.stats();
      for (Consumer<String> op : operations()) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> op.accept(null));
        assertTrue(e.getMessage().contains("handle given is null"), e.getMessage());
      }
      assertEquals(before, store.stats());
      assertTrue(store.contains(h));
    }
  }

  @Test
  void anotherStoresHandleIsInvalidArgumentNamingBothStores(BufferAllocator allocator) {
    try (HandleStore other = HandleStore.builder().build(); Tensor t = Tensor.scalar(allocator, 3.0)) {
      String foreign = other.put(t);
      for (Consumer<String> op : operations()) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> op.accept(foreign));
        assertTrue(e.getMessage().contains("'" + foreign + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("store '" + other.id() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("this store '" + store.id() + "'"), e.getMessage());
      }
      try (Tensor back = other.get(foreign)) {
        assertEquals(3.0, back.getDouble(0));
      }
    }
  }

  @Test
  void anUnknownHandleOfThisStoreIsNotFoundWithTensorFlowsMessage(BufferAllocator allocator) {
    String unknown = "Tensor;" + store.id() + ".AAAAAAAAAAAAAAAAAAAAAA;" + store.device();
    // TensorFlow 1.x, SessionState::GetTensor: "The tensor with handle '<h>' is not in the session store."
    NotFoundException e = assertThrows(NotFoundException.class, () -> store.get(unknown));
    assertEquals("The tensor with handle '" + unknown + "' is not in the session store.", e.getMessage());
    assertEquals(StatusCode.NOT_FOUND, e.code());
    assertThrows(NotFoundException.class, () -> store.info(unknown));
    assertThrows(NotFoundException.class, () -> store.delete(unknown));
    assertFalse(store.contains(unknown));
    assertEquals(1, store.stats().misses());
  }

  @Test
  void aHandleWithAnotherNameOrDeviceIsNotTheSameHandle(BufferAllocator allocator) {
    try (Tensor t = Tensor.scalar(allocator, 1L)) {
      HandleId id = HandleId.parse(store.put("a", t));
      String renamed = new HandleId("b", id.storeId(), id.secret(), id.device()).handle();
      String moved = new HandleId("a", id.storeId(), id.secret(), "/job:x/replica:0/task:0/device:CPU:0").handle();
      assertThrows(NotFoundException.class, () -> store.get(renamed));
      assertThrows(NotFoundException.class, () -> store.get(moved));
      assertTrue(store.contains(id.handle()));
    }
  }

  @Test
  void deleteFreesTheHandleAndASecondDeleteIsNotFound(BufferAllocator allocator) {
    String h;
    try (Tensor t = Tensor.of(allocator, new float[1000])) {
      h = store.put(t);
    }
    assertEquals(4000, store.stats().bytesInMemory());
    store.delete(h);
    assertFalse(store.contains(h));
    NotFoundException e = assertThrows(NotFoundException.class, () -> store.get(h));
    assertEquals("The tensor with handle '" + h + "' is not in the session store.", e.getMessage());
    assertThrows(NotFoundException.class, () -> store.delete(h));
    StoreStats s = store.stats();
    assertEquals(0, s.handles());
    assertEquals(0, s.bytesInMemory());
    assertEquals(1, s.deletes());
    assertEquals(0, store.allocator().getAllocatedMemory());
  }

  @Test
  void aReaderKeepsItsTensorAfterTheHandleIsDeleted(BufferAllocator allocator) {
    String h;
    try (Tensor t = Tensor.of(allocator, new int[] {4, 5, 6})) {
      h = store.put(t);
    }
    try (Tensor held = store.get(h)) {
      store.delete(h);
      assertArrayEquals(new int[] {4, 5, 6}, held.toIntArray());
      assertTrue(store.allocator().getAllocatedMemory() > 0, "the reader's reference keeps the memory");
    }
    assertEquals(0, store.allocator().getAllocatedMemory());
  }

  @Test
  void infoDescribesTheTensorWithoutReadingIt(BufferAllocator allocator) {
    try (Tensor t = Tensor.of(allocator, new String[] {"ab", "c"}, 2, 1)) {
      String h = store.put(t);
      TensorInfo info = store.info(h);
      assertEquals(new TensorInfo(DType.STRING, Shape.of(2, 1), 3 * 4 + 3, true), info); // offsets + "ab" + "c"
      assertEquals(0, store.stats().hits());
    }
  }

  @Test
  void handlesListsTheStoredHandlesByPrefix(BufferAllocator allocator) {
    try (Tensor t = Tensor.scalar(allocator, true)) {
      String a1 = store.put("a", t);
      String a2 = store.put("a", t);
      String b = store.put("b", t);
      assertEquals(Set.of(a1, a2, b), Set.copyOf(store.handles("")));
      assertEquals(Set.of(a1, a2), Set.copyOf(store.handles("a;")));
      assertEquals(List.of(b), store.handles("b;"));
      store.delete(a1);
      assertEquals(List.of(a2), store.handles("a;"));
    }
  }

  @Test
  void statsCountHandlesBytesHitsAndMisses(BufferAllocator allocator) {
    try (Tensor t = Tensor.of(allocator, new long[] {1, 2, 3})) {
      String h = store.put(t);
      store.get(h).close();
      store.get(h).close();
      store.delete(h);
      assertThrows(NotFoundException.class, () -> store.get(h));
      assertEquals(new StoreStats(0, 0, 0, 0, 2, 1, 0, 0, 0, 1, 0), store.stats());
      store.put(t);
      assertEquals(1, store.stats().handlesInMemory());
      assertEquals(24, store.stats().bytesInMemory());
    }
  }

  @Test
  void badArgumentsToPutAreIllegalArgumentOrState(BufferAllocator allocator) {
    Tensor t = Tensor.scalar(allocator, 1f);
    assertThrows(IllegalArgumentException.class, () -> store.put("", t));
    assertThrows(IllegalArgumentException.class, () -> store.put("a;b", t));
    t.close();
    assertThrows(IllegalStateException.class, () -> store.put(t));
    assertEquals(0, store.stats().handles());
  }

  @Test
  void builderRejectsImpossibleSettings() {
    assertThrows(IllegalArgumentException.class, () -> HandleStore.builder().memoryBudget(-1));
    assertThrows(IllegalArgumentException.class, () -> HandleStore.builder().diskBudget(-1));
    assertThrows(IllegalArgumentException.class, () -> HandleStore.builder().allocatorLimit(0));
    assertThrows(IllegalArgumentException.class, () -> HandleStore.builder().device("a;b"));
    assertThrows(IllegalArgumentException.class,
        () -> HandleStore.builder().expireAfterAccess(java.time.Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> HandleStore.builder().memoryBudget(100).allocatorLimit(99).build());
  }

  @Test
  void closeFreesEverythingAndLaterCallsAreIllegalState(BufferAllocator allocator) {
    String h;
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2})) {
      h = store.put(t);
    }
    store.close();
    store.close(); // idempotent
    assertEquals(0, storeAllocator.getAllocatedMemory());
    try (Tensor t = Tensor.scalar(allocator, 1)) {
      assertThrows(IllegalStateException.class, () -> store.put(t));
    }
    for (Consumer<String> op : operations()) {
      assertThrows(IllegalStateException.class, () -> op.accept(h));
    }
    assertThrows(IllegalStateException.class, () -> store.allocator());
    assertThrows(IllegalStateException.class, () -> store.stats());
    assertThrows(IllegalStateException.class, () -> store.handles(""));
  }

  @Test
  void closeWhileAReaderHoldsATensorFreesTheHandlesAndSaysSo(BufferAllocator allocator) {
    String h;
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2})) {
      h = store.put(t);
    }
    Tensor held = store.get(h);
    IllegalStateException e = assertThrows(IllegalStateException.class, store::close);
    assertTrue(e.getMessage().contains("8 bytes and 0 child allocators"), e.getMessage());
    assertArrayEquals(new float[] {1, 2}, held.toFloatArray());
    assertThrows(IllegalStateException.class, () -> store.get(h));
    held.close();
    store.close(); // now the allocator closes
    assertEquals(0, storeAllocator.getAllocatedMemory());
  }

  @Test
  void closeWhileAChildAllocatorIsOpenSaysSo() {
    BufferAllocator session = store.allocator().newChildAllocator("session", 0, Long.MAX_VALUE);
    IllegalStateException e = assertThrows(IllegalStateException.class, store::close);
    assertTrue(e.getMessage().contains("0 bytes and 1 child allocators"), e.getMessage());
    session.close();
    store.close();
  }

  private List<Consumer<String>> operations() {
    return List.of(h -> store.get(h), h -> store.info(h), h -> store.contains(h), h -> store.delete(h));
  }
}
