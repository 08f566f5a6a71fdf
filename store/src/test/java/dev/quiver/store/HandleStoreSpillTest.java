package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.errors.StatusCode;
import dev.quiver.store.interchange.TensorIpc;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreSpillTest {
  @TempDir
  Path tmp;

  @Test
  void spilledTensorsOfEveryDtypeAndRankReloadBitIdentical(BufferAllocator allocator) {
    Random r = new Random(7);
    try (HandleStore store = HandleStore.builder().memoryBudget(64).spillDirectory(tmp.resolve("spill")).build()) {
      Map<String, Tensor> originals = new LinkedHashMap<>();
      for (DType dtype : DType.values()) {
        for (Shape shape : TestTensors.SHAPES) {
          Tensor t = TestTensors.random(allocator, dtype, shape, r);
          originals.put(store.put(t), t);
        }
      }
      assertTrue(store.stats().spills() >= 30, store.stats().toString());
      for (Map.Entry<String, Tensor> e : originals.entrySet()) {
        try (Tensor back = store.get(e.getKey()); Tensor original = e.getValue()) {
          assertTrue(TestTensors.sameElements(back, original), original.toString());
        }
      }
      assertTrue(store.stats().reloads() >= 30, store.stats().toString());
    }
  }

  @Test
  void getIfInMemoryHandsOutResidentTensorsAndNeverReadsTheDisk(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(1024).spillDirectory(tmp.resolve("spill")).build();
         Tensor first = Tensor.of(allocator, new float[200]);
         Tensor second = Tensor.of(allocator, new float[200])) {
      String spilled = store.put(first);
      String resident = store.put(second); // 800 bytes each: the first goes to disk
      assertFalse(store.info(spilled).inMemory());
      long reloads = store.stats().reloads();
      assertNull(store.getIfInMemory(spilled));
      assertFalse(store.info(spilled).inMemory(), "a miss leaves the tensor on disk");
      assertEquals(reloads, store.stats().reloads());
      try (Tensor t = store.getIfInMemory(resident); Tensor viaGet = store.get(resident)) {
        assertEquals(viaGet.dataBuffer().memoryAddress(), t.dataBuffer().memoryAddress(), "the stored buffer itself");
      }
      store.delete(resident);
      assertThrows(NotFoundException.class, () -> store.getIfInMemory(resident));
      assertThrows(InvalidArgumentException.class, () -> store.getIfInMemory(null));
    }
  }

  @Test
  void tensorsSpilledInManyBatchesReloadBitIdentical(BufferAllocator allocator) throws IOException {
    Random r = new Random(8);
    Path dir = tmp.resolve("spill");
    try (HandleStore store = HandleStore.builder().memoryBudget(0).spillBatchBytes(16).spillDirectory(dir).build()) {
      try (Tensor t = TestTensors.random(allocator, DType.FLOAT32, Shape.of(40, 3), r)) {
        store.put(t);
        try (FileChannel file = FileChannel.open(files(dir).get(0));
            ArrowFileReader reader = new ArrowFileReader(file, allocator)) {
          assertEquals(40, reader.getRecordBlocks().size(), "one 12-byte row per batch");
        }
      }
      for (DType dtype : DType.values()) {
        for (Shape shape : List.of(Shape.of(40, 3), Shape.of(7, 2, 5), Shape.of(100), Shape.of(0, 3), Shape.of(3, 0))) {
          try (Tensor t = TestTensors.random(allocator, dtype, shape, r)) {
            String h = store.put(t);
            try (Tensor back = store.get(h)) {
              assertTrue(TestTensors.sameElements(back, t), dtype + " " + shape);
            }
          }
        }
      }
    }
  }

  @Test
  void spillFilesAndTheSpillDirectoriesTheStoreCreatesAreOwnerOnly(BufferAllocator allocator) throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
    Path given = tmp.resolve("new").resolve("spill");
    try (HandleStore named = HandleStore.builder().memoryBudget(0).spillDirectory(given).build();
        HandleStore temporary = HandleStore.builder().memoryBudget(0).build();
        Tensor t = Tensor.of(allocator, new int[] {1, 2, 3})) {
      for (HandleStore store : List.of(named, temporary)) {
        store.put(t);
        Path dir = store.spillDirectory();
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(dir), dir.toString());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(files(dir).get(0)));
      }
    }
  }

  @Test
  void memoryStaysWithinItsBudgetAndSpilledBytesAreCounted(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(1000).build()) {
      for (int i = 0; i < 10; i++) {
        try (Tensor t = Tensor.of(allocator, new float[60])) { // 240 bytes
          store.put(t);
        }
        StoreStats s = store.stats();
        assertTrue(s.bytesInMemory() <= 1000, s.toString());
        assertEquals(240L * (i + 1), s.bytes());
        assertEquals(i + 1, s.handles());
      }
      StoreStats s = store.stats();
      assertEquals(4, s.handlesInMemory());
      assertEquals(6, s.handlesOnDisk());
      assertEquals(6, s.spills());
    }
  }

  @Test
  void memoryStaysWithinItsBudgetWhenHandlesAreDeletedBetweenPuts(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(1000).build();
        Tensor t = Tensor.of(allocator, new float[60])) { // 240 bytes
      List<String> kept = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String h = store.put(t);
        if (i % 3 == 0) {
          store.delete(h);
        } else {
          kept.add(h);
        }
        StoreStats s = store.stats();
        assertTrue(s.bytesInMemory() <= 1000, s.toString());
        assertEquals(240L * kept.size(), s.bytes(), s.toString());
      }
      for (String h : kept) {
        store.get(h).close();
        assertTrue(store.stats().bytesInMemory() <= 1000);
      }
    }
  }

  @Test
  void aRecentlyReadHandleIsNotTheOneSpilled(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(300).build();
        Tensor t = Tensor.of(allocator, new int[25])) { // 100 bytes
      String a = store.put(t);
      String b = store.put(t);
      String c = store.put(t);
      for (int i = 0; i < 3; i++) {
        store.get(a).close();
        store.get(c).close();
      }
      store.put(t);
      assertTrue(store.info(a).inMemory());
      assertTrue(store.info(c).inMemory());
      assertFalse(store.info(b).inMemory());
    }
  }

  @Test
  void readingASpilledHandleBringsItBackIntoMemory(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(100).build()) {
      String first;
      try (Tensor t = Tensor.of(allocator, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) { // 80 bytes
        first = store.put(t);
        store.put(t);
      }
      assertFalse(store.info(first).inMemory());
      try (Tensor back = store.get(first)) {
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, back.toLongArray());
      }
      assertTrue(store.info(first).inMemory());
      StoreStats s = store.stats();
      assertEquals(1, s.reloads());
      assertEquals(2, s.spills());
      assertEquals(1, s.handlesInMemory());
      assertEquals(1, s.handlesOnDisk());
    }
  }

  @Test
  void aTensorLargerThanTheMemoryBudgetGoesStraightToDiskAndIsReadWithoutCaching(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(100).build()) {
      String small;
      String big;
      try (Tensor s = Tensor.of(allocator, new int[] {1, 2}); Tensor b = Tensor.of(allocator, new double[50])) {
        small = store.put(s);
        big = store.put(b);
      }
      assertFalse(store.info(big).inMemory());
      assertTrue(store.info(small).inMemory());
      try (Tensor back = store.get(big)) {
        assertArrayEquals(new double[50], back.toDoubleArray());
      }
      assertFalse(store.info(big).inMemory());
      assertTrue(store.info(small).inMemory());
      assertEquals(new StoreStats(1, 8, 1, 400, 0, 0, 1, 1, 0, 0, 0), store.stats());
    }
  }

  @Test
  void whenBothBudgetsAreFullPutFailsWithResourceExhaustedAndEveryHandleStaysReadable(BufferAllocator allocator) {
    Random r = new Random(3);
    try (HandleStore store = HandleStore.builder().memoryBudget(200).diskBudget(300).build()) {
      Map<String, Long> stored = new LinkedHashMap<>();
      ResourceExhaustedException full = null;
      for (int i = 0; i < 10 && full == null; i++) {
        try (Tensor t = TestTensors.random(allocator, DType.INT32, Shape.of(25), r)) { // 100 bytes
          stored.put(store.put(t), TestTensors.checksum(t));
        } catch (ResourceExhaustedException e) {
          full = e;
        }
      }
      assertEquals(5, stored.size());
      assertEquals(StatusCode.RESOURCE_EXHAUSTED, full.code());
      assertTrue(full.getMessage().contains("int32 (25,) tensor of 100 bytes"), full.getMessage());
      assertTrue(full.getMessage().contains("memory budget of 200 bytes (200 in use)"), full.getMessage());
      assertTrue(full.getMessage().contains("disk budget of 300 bytes (300 in use"), full.getMessage());
      for (Map.Entry<String, Long> e : stored.entrySet()) {
        try (Tensor back = store.get(e.getKey())) {
          assertEquals(e.getValue(), TestTensors.checksum(back));
        }
      }
      assertEquals(5, store.stats().handles());
      store.delete(stored.keySet().iterator().next());
      try (Tensor t = Tensor.of(allocator, new int[25])) {
        store.put(t); // room again
      }
    }
  }

  @Test
  void withoutADiskBudgetNothingIsSpilledAndAFullMemoryRejectsPuts(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(100).diskBudget(0).build();
        Tensor t = Tensor.of(allocator, new float[20])) {
      String h = store.put(t);
      assertThrows(ResourceExhaustedException.class, () -> store.put(t));
      assertTrue(store.info(h).inMemory());
      assertEquals(0, store.stats().spills());
    }
  }

  @Test
  void withoutAMemoryBudgetEveryTensorLivesOnDisk(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(0).build();
        Tensor t = Tensor.of(allocator, new String[] {"on", "disk"})) {
      String h = store.put(t);
      assertFalse(store.info(h).inMemory());
      try (Tensor back = store.get(h)) {
        assertArrayEquals(new String[] {"on", "disk"}, back.toStringArray());
      }
      assertFalse(store.info(h).inMemory());
    }
  }

  @Test
  void aReaderKeepsItsTensorWhileTheHandleIsSpilledAndReloaded(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().memoryBudget(100).build()) {
      String h;
      try (Tensor t = Tensor.of(allocator, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})) {
        h = store.put(t);
      }
      try (Tensor held = store.get(h)) {
        long address = held.address();
        try (Tensor other = Tensor.of(allocator, new int[20])) {
          store.put(other);
        }
        assertFalse(store.info(h).inMemory());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, held.toIntArray());
        assertEquals(address, held.address());
        try (Tensor reloaded = store.get(h)) {
          assertTrue(TestTensors.sameElements(reloaded, held));
        }
      }
    }
  }

  @Test
  void spillFilesAreTensorArrowFilesAndDeletingAHandleRemovesItsFile(BufferAllocator allocator)
      throws IOException {
    Path dir = tmp.resolve("spill");
    try (HandleStore store = HandleStore.builder().memoryBudget(0).spillDirectory(dir).build();
        Tensor t = Tensor.of(allocator, new float[] {1.5f, -0f, Float.NaN}, 3)) {
      String h = store.put(t);
      List<Path> files = files(dir);
      assertEquals(1, files.size());
      byte[] head = Files.readAllBytes(files.get(0));
      assertEquals("ARROW1", new String(head, 0, 6, StandardCharsets.US_ASCII)); // the Arrow IPC file magic
      try (Tensor fromFile = TensorIpc.readFile(allocator, files.get(0))) {
        assertTrue(TestTensors.sameElements(fromFile, t));
      }
      assertFalse(files.get(0).getFileName().toString().contains(HandleId.parse(h).secret()));
      store.delete(h);
      assertEquals(List.of(), files(dir));
    }
  }

  @Test
  void closeRemovesTheSpillFilesAndTheDirectoryItCreated(BufferAllocator allocator) throws IOException {
    Path dir;
    try (HandleStore store = HandleStore.builder().memoryBudget(0).build();
        Tensor t = Tensor.of(allocator, new int[] {1})) {
      store.put(t);
      store.put(t);
      dir = store.spillDirectory();
      assertEquals(2, files(dir).size());
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  void closeLeavesAGivenDirectoryThatExistedAndFilesItDidNotWrite(BufferAllocator allocator) throws IOException {
    Path foreign = Files.writeString(tmp.resolve("keep.txt"), "not the store's");
    try (HandleStore store = HandleStore.builder().memoryBudget(0).spillDirectory(tmp).build();
        Tensor t = Tensor.of(allocator, new int[] {1})) {
      store.put(t);
      assertEquals(2, files(tmp).size());
    }
    assertEquals(List.of(foreign), files(tmp));
  }

  @Test
  void twoStoresCanShareASpillDirectory(BufferAllocator allocator) {
    try (HandleStore a = HandleStore.builder().memoryBudget(0).spillDirectory(tmp).build();
        HandleStore b = HandleStore.builder().memoryBudget(0).spillDirectory(tmp).build();
        Tensor x = Tensor.of(allocator, new int[] {1}); Tensor y = Tensor.of(allocator, new int[] {2})) {
      String ha = a.put(x);
      String hb = b.put(y);
      try (Tensor ra = a.get(ha); Tensor rb = b.get(hb)) {
        assertArrayEquals(new int[] {1}, ra.toIntArray());
        assertArrayEquals(new int[] {2}, rb.toIntArray());
      }
    }
  }

  @Test
  void aCorruptSpillFileIsDataLossAndTheStoreStillCloses(BufferAllocator allocator) throws IOException {
    Path dir = tmp.resolve("spill");
    try (HandleStore store = HandleStore.builder().memoryBudget(0).spillDirectory(dir).build();
        Tensor t = Tensor.of(allocator, new int[] {1, 2, 3})) {
      String h = store.put(t);
      Files.write(files(dir).get(0), new byte[] {1, 2, 3});
      dev.quiver.errors.DataLossException e =
          assertThrows(dev.quiver.errors.DataLossException.class, () -> store.get(h));
      assertTrue(e.getMessage().contains("'" + h + "'"), e.getMessage());
      assertTrue(store.contains(h));
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return new ArrayList<>(s.sorted().toList());
    }
  }
}
