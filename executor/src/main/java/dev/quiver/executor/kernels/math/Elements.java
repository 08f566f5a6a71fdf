package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Memory;
import dev.quiver.store.DType;

/**
 * Reads and writes single elements of any fixed-width dtype by address, in the two compute classes of
 * the elementwise kernels: double for floating types, long for integers and bool (uint8 read unsigned).
 * Stores narrow with two's-complement wrap, as TensorFlow's integer kernels do.
 */
final class Elements {
  private Elements() {}

  static double readDouble(DType t, long addr) {
    switch (t) {
      case FLOAT32: return Memory.getFloat(addr);
      case FLOAT64: return Memory.getDouble(addr);
      default: return readLong(t, addr);
    }
  }

  static long readLong(DType t, long addr) {
    switch (t) {
      case INT32: return Memory.getInt(addr);
      case INT64: return Memory.getLong(addr);
      case INT8: case BOOL: return Memory.getByte(addr);
      case UINT8: return Memory.getByte(addr) & 0xFF;
      case INT16: return Memory.getShort(addr);
      case FLOAT32: return (long) Memory.getFloat(addr);
      case FLOAT64: return (long) Memory.getDouble(addr);
      default: throw new AssertionError(t);
    }
  }

  static void writeDouble(DType t, long addr, double v) {
    if (t == DType.FLOAT32) {
      Memory.putFloat(addr, (float) v);
    } else {
      Memory.putDouble(addr, v);
    }
  }

  static void writeLong(DType t, long addr, long v) {
    switch (t) {
      case INT32: Memory.putInt(addr, (int) v); break;
      case INT64: Memory.putLong(addr, v); break;
      case INT8: case UINT8: case BOOL: Memory.putByte(addr, (byte) v); break;
      case INT16: Memory.putShort(addr, (short) v); break;
      default: throw new AssertionError(t);
    }
  }
}
