package dev.quiver.client;

import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.util.Random;
import java.util.zip.CRC32;
import org.apache.arrow.memory.BufferAllocator;

/** Random tensors of the dtypes and sizes a mixed Flight workload sends, and a checksum to compare them by. */
final class RandomTensors {
  private RandomTensors() {}

  /** Checksum of the elements (a buffer's capacity may be rounded up past them); strings element by element. */
  static long crc(Tensor t) {
    CRC32 crc = new CRC32();
    if (t.dtype() == DType.STRING) {
      for (long i = 0; i < t.numElements(); i++) {
        byte[] b = t.getStringBytes(i);
        crc.update(b.length);
        crc.update(b);
      }
    } else {
      crc.update(t.asByteBuffer().limit((int) (t.numElements() * t.dtype().byteWidth())));
    }
    return crc.getValue() ^ t.shape().hashCode() ^ t.dtype().ordinal();
  }

  /**
   * A float32, bool or string tensor: small, or one time in {@code oneLargeIn} about 5 MiB, more than one 4 MiB
   * batch, so that backpressure and several-batch streams are met.
   */
  static Tensor random(BufferAllocator allocator, Random random, int oneLargeIn) {
    boolean large = random.nextInt(oneLargeIn) == 0;
    switch (random.nextInt(3)) {
      case 0 -> {
        int n = large ? (5 << 20) / 4 + random.nextInt(1 << 16) : 1 + random.nextInt(2000);
        float[] values = new float[n];
        for (int k = 0; k < n; k++) {
          values[k] = random.nextFloat();
        }
        return Tensor.of(allocator, values);
      }
      case 1 -> {
        int rows = large ? 5 << 10 : 1 + random.nextInt(200);
        boolean[] values = new boolean[rows * 1024]; // large: 5 Mi elements
        for (int k = 0; k < values.length; k++) {
          values[k] = random.nextBoolean();
        }
        return Tensor.of(allocator, values, rows, 1024);
      }
      default -> {
        int n = large ? 600_000 : 1 + random.nextInt(300); // large: ~5 MiB of offsets and UTF-8
        String[] values = new String[n];
        for (int k = 0; k < n; k++) {
          values[k] = "é".repeat(random.nextInt(large ? 3 : 12)) + k;
        }
        return Tensor.of(allocator, values, n);
      }
    }
  }
}
