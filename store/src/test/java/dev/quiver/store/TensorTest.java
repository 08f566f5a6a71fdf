package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckedAllocator.class)
class TensorTest {

  @Test
  void scalarsOfEveryJavaTypeKeepTheirValueAndDType(BufferAllocator a) {
    try (Tensor f = Tensor.scalar(a, 2.5f); Tensor d = Tensor.scalar(a, 2.5); Tensor i = Tensor.scalar(a, 7);
         Tensor l = Tensor.scalar(a, 1L << 40); Tensor b = Tensor.scalar(a, true); Tensor s = Tensor.scalar(a, "héllo")) {
      assertEquals(DType.FLOAT32, f.dtype());
      assertEquals(Shape.scalar(), f.shape());
      assertEquals(2.5f, f.getFloat(0));
      assertEquals(2.5, d.getDouble(0));
      assertEquals(7, i.getInt(0));
      assertEquals(1L << 40, l.getLong(0));
      assertTrue(b.getBoolean(0));
      assertEquals("héllo", s.getString(0));
      assertEquals(2.5f, f.toArray());
    }
  }

  @Test
  void nestedArraysRoundTripWithTheirShape(BufferAllocator a) {
    float[][][] v = {{{1, 2}, {3, 4}, {5, 6}}, {{7, 8}, {9, 10}, {11, 12}}};
    try (Tensor t = Tensor.fromArray(a, v)) {
      assertEquals(Shape.of(2, 3, 2), t.shape());
      assertEquals(DType.FLOAT32, t.dtype());
      assertEquals(10f, t.get(1, 1, 1));
      assertArrayEquals(v, (float[][][]) t.toArray());
    }
    String[][] s = {{"a", ""}, {"ccc", "dd"}};
    try (Tensor t = Tensor.fromArray(a, s)) {
      assertEquals(DType.STRING, t.dtype());
      assertArrayEquals(s, (String[][]) t.toArray());
    }
  }

  @Test
  void emptyDimsAreAllowed(BufferAllocator a) {
    try (Tensor t = Tensor.allocate(a, DType.INT64, Shape.of(3, 0, 2))) {
      assertEquals(0, t.numElements());
      assertEquals(0, t.byteSize());
      assertEquals(0, t.asByteBuffer().remaining());
      assertEquals(3, ((long[][][]) t.toArray()).length);
    }
    // A Java array with no rows keeps no inner arrays, so inner dims cannot be known: they become 0.
    try (Tensor t = Tensor.fromArray(a, new int[0][4])) {
      assertEquals(Shape.of(0, 0), t.shape());
    }
  }

  @Test
  void fromArrayConvertsToARequestedDType(BufferAllocator a) {
    try (Tensor t = Tensor.fromArray(a, DType.FLOAT64, new int[][] {{1, 2}, {3, 4}})) {
      assertArrayEquals(new double[] {1, 2, 3, 4}, t.toDoubleArray());
    }
    try (Tensor t = Tensor.fromArray(a, DType.UINT8, new int[] {255, 0})) {
      assertEquals(255.0, t.getAsDouble(0));
    }
    assertThrows(InvalidArgumentException.class, () -> Tensor.fromArray(a, DType.INT32, new String[] {"x"}));
    assertThrows(InvalidArgumentException.class, () -> Tensor.fromArray(a, DType.STRING, new int[] {1}));
  }

  @Test
  void raggedArraysAreRejected(BufferAllocator a) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Tensor.fromArray(a, new float[][] {{1, 2}, {3}}));
    assertTrue(e.getMessage().contains("ragged"), e.getMessage());
  }

  @Test
  void sliceAndReshapeShareMemoryInsteadOfCopying(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new float[] {0, 1, 2, 3, 4, 5}, 3, 2)) {
      long before = a.getAllocatedMemory();
      try (Tensor row = t.slice(1, 3); Tensor flat = t.reshape(Shape.of(-1))) {
        assertEquals(before, a.getAllocatedMemory(), "views must not allocate");
        assertEquals(Shape.of(2, 2), row.shape());
        assertArrayEquals(new float[] {2, 3, 4, 5}, row.toFloatArray());
        assertEquals(Shape.of(6), flat.shape());
        assertEquals(t.address() + 8, row.address());
        assertEquals(3, t.refCount());
      }
      assertEquals(1, t.refCount());
    }
  }

  @Test
  void stringSlicesShareBuffersAndReadTheRightElements(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new String[] {"a", "bb", "ccc", "dddd"}, 2, 2); Tensor s = t.slice(1, 2)) {
      assertArrayEquals(new String[] {"ccc", "dddd"}, s.toStringArray());
    }
  }

  @Test
  void aSharedReferenceOutlivesTheOriginal(BufferAllocator a) {
    Tensor t = Tensor.of(a, new int[] {1, 2, 3});
    Tensor s = t.share();
    t.close();
    t.close(); // idempotent
    assertTrue(t.isClosed());
    assertArrayEquals(new int[] {1, 2, 3}, s.toIntArray());
    assertThrows(IllegalStateException.class, t::toIntArray);
    s.close();
    assertEquals(0, a.getAllocatedMemory());
  }

  @Test
  void byteBufferViewIsReadOnlyLittleEndianAndZeroCopy(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new int[] {1, 256})) {
      ByteBuffer b = t.asByteBuffer();
      assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
      assertEquals(256, b.getInt(4));
      assertThrows(ReadOnlyBufferException.class, () -> b.putInt(0, 9));
      assertTrue(b.isDirect());
    }
  }

  @Test
  void fromBufferReadsLittleEndianBytes(BufferAllocator a) {
    ByteBuffer src = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    src.putDouble(1.5).putDouble(-2).flip();
    try (Tensor t = Tensor.fromBuffer(a, DType.FLOAT64, Shape.of(2), src)) {
      assertArrayEquals(new double[] {1.5, -2}, t.toDoubleArray());
    }
    assertThrows(InvalidArgumentException.class, () -> Tensor.fromBuffer(a, DType.FLOAT64, Shape.of(3), src));
  }

  @Test
  void wrongDTypeAccessNamesBothTypes(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new int[] {1})) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, t::toFloatArray);
      assertTrue(e.getMessage().contains("int32") && e.getMessage().contains("float32"), e.getMessage());
    }
  }

  @Test
  void reshapeRejectsMismatchedCounts(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new int[] {1, 2, 3})) {
      assertThrows(InvalidArgumentException.class, () -> t.reshape(Shape.of(2, 2)));
      assertThrows(InvalidArgumentException.class, () -> t.reshape(Shape.of(-1, -1)));
      assertThrows(InvalidArgumentException.class, () -> t.slice(2, 4));
    }
  }

  @Test
  void countMismatchIsInvalidArgument(BufferAllocator a) {
    assertThrows(InvalidArgumentException.class, () -> Tensor.of(a, new float[] {1, 2, 3}, 2, 2));
    assertThrows(InvalidArgumentException.class, () -> Tensor.allocate(a, DType.FLOAT32, Shape.of(-1, 2)));
  }

  @Test
  void buffersSpanExactlyTheElementsDespiteAllocatorRounding(BufferAllocator a) {
    try (Tensor t = Tensor.of(a, new float[5]); Tensor z = Tensor.allocate(a, DType.INT16, Shape.of(3));
         Tensor s = Tensor.of(a, new String[] {"abc"})) {
      assertEquals(20, t.byteSize());
      assertEquals(20, t.asByteBuffer().remaining());
      assertEquals(6, z.dataBuffer().capacity());
      assertEquals(3, s.dataBuffer().capacity());
      assertEquals(8, s.offsetBuffer().capacity());
    }
  }

  @Test
  void allocateZeroFillsEvenWhenTheAllocatorHandsBackUsedMemory(BufferAllocator a) {
    try (Tensor dirty = Tensor.allocateUninitialized(a, DType.INT64, Shape.of(64))) {
      dirty.dataBuffer().setOne(0, dirty.byteSize());
    }
    try (Tensor t = Tensor.allocate(a, DType.INT64, Shape.of(64))) {
      assertArrayEquals(new long[64], t.toLongArray());
    }
  }

  @Test
  void uninitializedAllocationHasTheExactSizeAndTheSameValidationAsAllocate(BufferAllocator a) {
    try (Tensor t = Tensor.allocateUninitialized(a, DType.FLOAT64, Shape.of(3, 5))) {
      assertEquals(DType.FLOAT64, t.dtype());
      assertEquals(Shape.of(3, 5), t.shape());
      assertEquals(120, t.byteSize());
      assertEquals(120, t.dataBuffer().capacity());
      t.dataBuffer().setDouble(14 * 8, 2.5); // writable by the code that allocated it
      assertEquals(2.5, t.getDouble(14));
    }
    assertThrows(InvalidArgumentException.class, () -> Tensor.allocateUninitialized(a, DType.STRING, Shape.of(2)));
    assertThrows(InvalidArgumentException.class, () -> Tensor.allocateUninitialized(a, DType.FLOAT32, Shape.of(-1)));
  }

  @Test
  void contentEqualsComparesDTypeShapeAndBytes(BufferAllocator a) {
    try (Tensor x = Tensor.of(a, new float[] {1, Float.NaN}); Tensor y = Tensor.of(a, new float[] {1, Float.NaN});
         Tensor z = Tensor.of(a, new float[] {1, 2}, 1, 2)) {
      assertTrue(x.contentEquals(y));
      assertFalse(x.contentEquals(z));
    }
  }
}
