package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Batches made one at a time are exactly the batches {@link TensorBatches} cuts all at once. */
@ExtendWith(LeakCheckedAllocator.class)
class LazyTensorBatchesTest {
  private static final long BOUND = 1024;

  private static void assertSameBatches(Tensor tensor, long bound) {
    List<ArrowRecordBatch> expected = TensorBatches.of(tensor, bound);
    try (LazyTensorBatches lazy = new LazyTensorBatches(tensor, bound)) {
      for (int i = 0; i < expected.size(); i++) {
        try (ArrowRecordBatch want = expected.get(i); ArrowRecordBatch got = lazy.next()) {
          String what = tensor + " batch " + i;
          assertEquals(want.getLength(), got.getLength(), what);
          assertEquals(want.getNodes().toString(), got.getNodes().toString(), what);
          assertEquals(want.getBuffers().size(), got.getBuffers().size(), what);
          for (int b = 0; b < want.getBuffers().size(); b++) {
            assertArrayEquals(bytes(want.getBuffers().get(b)), bytes(got.getBuffers().get(b)), what + " buffer " + b);
          }
        }
      }
      assertNull(lazy.next(), "no batch after the last");
    }
  }

  private static byte[] bytes(ArrowBuf b) {
    byte[] out = new byte[(int) b.readableBytes()];
    b.getBytes(0, out);
    return out;
  }

  @Test
  void numericBoolAndStringTensorsAreCutAsTensorBatchesCutsThem(BufferAllocator allocator) {
    Random random = new Random(3);
    float[] floats = new float[3000];
    boolean[] bools = new boolean[5000];
    String[] strings = new String[700];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = random.nextFloat();
    }
    for (int i = 0; i < bools.length; i++) {
      bools[i] = random.nextBoolean();
    }
    for (int i = 0; i < strings.length; i++) {
      strings[i] = "x".repeat(random.nextInt(i % 50 == 0 ? 3000 : 20)); // a few rows larger than the bound
    }
    try (Tensor f = Tensor.of(allocator, floats, 30, 100);
         Tensor b = Tensor.of(allocator, bools, 50, 10, 10);
         Tensor s = Tensor.of(allocator, strings, 700);
         Tensor s2 = Tensor.of(allocator, strings, 70, 10);
         Tensor sliced = s.slice(13, 500)) {
      for (Tensor t : List.of(f, b, s, s2, sliced)) {
        assertSameBatches(t, BOUND);
        assertSameBatches(t, 1);
        assertSameBatches(t, Long.MAX_VALUE);
      }
    }
  }

  @Test
  void scalarsAndTensorsWithoutRowsOrElementsAreOneBatch(BufferAllocator allocator) {
    try (Tensor scalar = Tensor.scalar(allocator, "one");
         Tensor noRows = Tensor.of(allocator, new float[0], 0, 4);
         Tensor emptyRows = Tensor.of(allocator, new boolean[0], 3, 0)) {
      for (Tensor t : List.of(scalar, noRows, emptyRows)) {
        assertSameBatches(t, BOUND);
      }
    }
  }

  @Test
  void closingReleasesTheBatchesNotTakenAndTheTensor(BufferAllocator allocator) {
    List<ArrowRecordBatch> taken = new ArrayList<>();
    try (Tensor t = Tensor.of(allocator, new boolean[100_000], 100_000)) {
      LazyTensorBatches lazy = new LazyTensorBatches(t, BOUND);
      taken.add(lazy.next());
      lazy.close();
      lazy.close();
      assertThrows(IllegalStateException.class, lazy::next);
    }
    taken.forEach(ArrowRecordBatch::close);
    assertEquals(0, allocator.getAllocatedMemory());
  }
}
