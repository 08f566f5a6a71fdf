package dev.quiver.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.arrow.memory.BufferAllocator;

/** Tensors with random contents, and checksums of tensors, for the handle store's tests. */
final class TestTensors {
  /** Shapes of rank 0 to 4, including empty ones. */
  static final List<Shape> SHAPES = List.of(Shape.scalar(), Shape.of(5), Shape.of(0), Shape.of(2, 3),
      Shape.of(3, 0), Shape.of(2, 1, 3), Shape.of(1, 2, 2, 3));

  private TestTensors() {}

  /** A tensor of random elements; floats get random bit patterns, NaN payloads included. */
  static Tensor random(BufferAllocator allocator, DType dtype, Shape shape, Random r) {
    int n = Math.toIntExact(shape.numElements());
    switch (dtype) {
      case STRING: {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
          v[i] = "élément " + r.nextInt(1000) + "-" + "x".repeat(r.nextInt(12));
        }
        return Tensor.of(allocator, v, shape);
      }
      case BOOL: {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) {
          v[i] = r.nextBoolean();
        }
        return Tensor.of(allocator, v, shape);
      }
      default: {
        byte[] bytes = new byte[Math.toIntExact(Tensor.byteSizeOf(dtype, shape))];
        r.nextBytes(bytes);
        return Tensor.fromBuffer(allocator, dtype, shape, ByteBuffer.wrap(bytes));
      }
    }
  }

  /** A tensor of about {@code bytes} bytes of the given dtype (float32, int64 or string). */
  static Tensor ofSize(BufferAllocator allocator, DType dtype, long bytes, Random r) {
    if (dtype == DType.STRING) {
      int n = (int) Math.max(1, bytes / 12);
      return random(allocator, DType.STRING, Shape.of(n), r);
    }
    return random(allocator, dtype, Shape.of(bytes / dtype.byteWidth()), r);
  }

  /** A checksum of dtype, shape and element bytes. */
  static long checksum(Tensor t) {
    CRC32 crc = new CRC32();
    crc.update(t.dtype().tfName().getBytes(StandardCharsets.UTF_8));
    crc.update(t.shape().toString().getBytes(StandardCharsets.UTF_8));
    if (t.dtype() == DType.STRING) {
      for (long i = 0; i < t.numElements(); i++) {
        crc.update(t.getStringBytes(i));
        crc.update(0);
      }
    } else {
      // Only the element bytes: a fresh tensor's buffer may be longer (the allocator rounds up).
      crc.update(t.asByteBuffer().limit(Math.toIntExact(Tensor.byteSizeOf(t.dtype(), t.shape()))));
    }
    return crc.getValue();
  }

  /** True if both have the same dtype, shape and element bytes (ignoring bytes past the elements). */
  static boolean sameElements(Tensor a, Tensor b) {
    if (a.dtype() != b.dtype() || !a.shape().equals(b.shape())) {
      return false;
    }
    if (a.dtype() == DType.STRING) {
      for (long i = 0; i < a.numElements(); i++) {
        if (!java.util.Arrays.equals(a.getStringBytes(i), b.getStringBytes(i))) {
          return false;
        }
      }
      return true;
    }
    long n = Tensor.byteSizeOf(a.dtype(), a.shape());
    for (long i = 0; i < n; i++) {
      if (a.dataBuffer().getByte(i) != b.dataBuffer().getByte(i)) {
        return false;
      }
    }
    return true;
  }
}
