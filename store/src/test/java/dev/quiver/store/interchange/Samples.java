package dev.quiver.store.interchange;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Deterministic sample tensors: element {@code i} (flat, row-major) of each dtype follows a formula that
 * {@code src/test/python/interchange_interop.py} implements too, so both sides know the expected values.
 */
final class Samples {
  private Samples() {}

  /** Shapes of ranks 0, 1, 2 and 4, with empty dims in several places. */
  static final List<Shape> SHAPES = List.of(
      Shape.scalar(), Shape.of(5), Shape.of(0), Shape.of(3, 4), Shape.of(0, 4), Shape.of(2, 3, 1, 2),
      Shape.of(3, 0, 2), Shape.of(2, 0, 3, 1));

  /** Every (dtype, shape) pair. */
  static List<Object[]> everyDtypeAndShape() {
    List<Object[]> cases = new ArrayList<>();
    for (DType d : DType.values()) {
      for (Shape s : SHAPES) {
        cases.add(new Object[] {d, s});
      }
    }
    return cases;
  }

  /**
   * Asserts equal dtype, shape and elements (floats by bits). Compares elements, not buffers: Arrow may give a
   * tensor more capacity than its elements need.
   */
  static void assertSameTensor(Tensor expected, Tensor actual) {
    assertEquals(expected.dtype(), actual.dtype(), "dtype");
    assertEquals(expected.shape(), actual.shape(), "shape");
    assertTrue(Arrays.deepEquals(new Object[] {expected.toArray()}, new Object[] {actual.toArray()}),
        () -> "expected " + expected + " but read " + actual);
  }

  /** True if two fixed-width tensors hold the same element bytes, bit for bit. */
  static boolean sameBytes(Tensor a, Tensor b) {
    int n = Math.toIntExact(Tensor.byteSizeOf(a.dtype(), a.shape()));
    return a.dtype() == b.dtype() && a.shape().equals(b.shape())
        && a.asByteBuffer().limit(n).equals(b.asByteBuffer().limit(n));
  }

  static Tensor sample(BufferAllocator allocator, DType dtype, Shape shape) {
    int n = Math.toIntExact(shape.numElements());
    switch (dtype) {
      case FLOAT32: {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
          v[i] = (float) ((i % 97) * 0.25 - 7.5);
        }
        return Tensor.of(allocator, v, shape);
      }
      case FLOAT64: {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = (i % 97) * 0.25 - 7.5;
        }
        return Tensor.of(allocator, v, shape);
      }
      case INT8: {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
          v[i] = (byte) ((i * 7L % 256) - 128);
        }
        return Tensor.fromBuffer(allocator, DType.INT8, shape, ByteBuffer.wrap(v));
      }
      case UINT8: {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
          v[i] = (byte) (i * 37L % 256);
        }
        return Tensor.fromBuffer(allocator, DType.UINT8, shape, ByteBuffer.wrap(v));
      }
      case INT16: {
        short[] v = new short[n];
        for (int i = 0; i < n; i++) {
          v[i] = (short) ((i * 331L % 65536) - 32768);
        }
        return Tensor.of(allocator, v, shape);
      }
      case INT32: {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
          v[i] = (int) ((i * 1000003L % (1L << 32)) - (1L << 31));
        }
        return Tensor.of(allocator, v, shape);
      }
      case INT64: {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = (i - 3L) * 1000000000007L;
        }
        return Tensor.of(allocator, v, shape);
      }
      case BOOL: {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
          v[i] = i % 3 == 0;
        }
        return Tensor.of(allocator, v, shape);
      }
      case STRING: {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
          v[i] = i % 5 == 0 ? "" : "é" + i + "x".repeat(i % 4);
        }
        return Tensor.of(allocator, v, shape);
      }
      default:
        throw new AssertionError(dtype);
    }
  }
}
