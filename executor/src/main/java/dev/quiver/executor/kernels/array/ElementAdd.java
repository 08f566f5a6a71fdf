package dev.quiver.executor.kernels.array;

import dev.quiver.store.DType;
import org.apache.arrow.memory.util.MemoryUtil;

/** {@code dst[i] += src[i]} over raw memory for each numeric dtype (integers wrap, as TensorFlow's do). */
public final class ElementAdd {
  private ElementAdd() {}

  public static void add(DType dtype, long src, long dst, long count) {
    switch (dtype) {
      case FLOAT32:
        for (long i = 0; i < count; i++) {
          long a = dst + i * 4;
          float v = Float.intBitsToFloat(MemoryUtil.getInt(a)) + Float.intBitsToFloat(MemoryUtil.getInt(src + i * 4));
          MemoryUtil.putInt(a, Float.floatToRawIntBits(v));
        }
        break;
      case FLOAT64:
        for (long i = 0; i < count; i++) {
          long a = dst + i * 8;
          double v = Double.longBitsToDouble(MemoryUtil.getLong(a))
              + Double.longBitsToDouble(MemoryUtil.getLong(src + i * 8));
          MemoryUtil.putLong(a, Double.doubleToRawLongBits(v));
        }
        break;
      case INT8:
      case UINT8:
        for (long i = 0; i < count; i++) {
          MemoryUtil.putByte(dst + i, (byte) (MemoryUtil.getByte(dst + i) + MemoryUtil.getByte(src + i)));
        }
        break;
      case INT16:
        for (long i = 0; i < count; i++) {
          long a = dst + i * 2;
          MemoryUtil.putShort(a, (short) (MemoryUtil.getShort(a) + MemoryUtil.getShort(src + i * 2)));
        }
        break;
      case INT32:
        for (long i = 0; i < count; i++) {
          long a = dst + i * 4;
          MemoryUtil.putInt(a, MemoryUtil.getInt(a) + MemoryUtil.getInt(src + i * 4));
        }
        break;
      case INT64:
        for (long i = 0; i < count; i++) {
          long a = dst + i * 8;
          MemoryUtil.putLong(a, MemoryUtil.getLong(a) + MemoryUtil.getLong(src + i * 8));
        }
        break;
      default:
        throw new IllegalArgumentException("no addition for " + dtype);
    }
  }
}
