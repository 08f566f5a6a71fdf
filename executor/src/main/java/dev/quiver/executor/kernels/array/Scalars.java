package dev.quiver.executor.kernels.array;

import dev.quiver.store.DType;
import org.apache.arrow.memory.util.MemoryUtil;

/** Writes one numeric or bool value of a dtype to raw memory. */
final class Scalars {
  private Scalars() {}

  static void put(long address, DType dtype, long value) {
    switch (dtype) {
      case FLOAT32: MemoryUtil.putInt(address, Float.floatToRawIntBits(value)); break;
      case FLOAT64: MemoryUtil.putLong(address, Double.doubleToRawLongBits(value)); break;
      case INT8: case UINT8: case BOOL: MemoryUtil.putByte(address, (byte) value); break;
      case INT16: MemoryUtil.putShort(address, (short) value); break;
      case INT32: MemoryUtil.putInt(address, (int) value); break;
      case INT64: MemoryUtil.putLong(address, value); break;
      default: throw new IllegalArgumentException("no numeric value of " + dtype);
    }
  }
}
