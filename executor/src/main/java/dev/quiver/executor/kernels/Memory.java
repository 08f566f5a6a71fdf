package dev.quiver.executor.kernels;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.util.MemoryUtil;
import sun.misc.Unsafe;

/**
 * Raw little-endian access to Arrow memory by address, for kernels. Callers pass addresses inside buffers
 * they hold a reference to; nothing here checks bounds (the kernels' plans have done that once).
 *
 * <p>Scalar loops use the {@code get}/{@code put} methods (intrinsified by the JIT); vector loops take a
 * {@link #view} of a range, which the Vector API reads and writes with {@code fromByteBuffer}/{@code intoByteBuffer}.
 */
public final class Memory {
  private static final Unsafe U;

  static {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      U = (Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new ExceptionInInitializerError("Quiver kernels need a little-endian platform");
    }
  }

  private Memory() {}

  /** A direct little-endian buffer over {@code [address, address + bytes)}; {@code bytes} must fit an int. */
  public static ByteBuffer view(long address, long bytes) {
    return MemoryUtil.directBuffer(address, Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
  }

  public static float getFloat(long a) {
    return U.getFloat(a);
  }

  public static void putFloat(long a, float v) {
    U.putFloat(a, v);
  }

  public static double getDouble(long a) {
    return U.getDouble(a);
  }

  public static void putDouble(long a, double v) {
    U.putDouble(a, v);
  }

  public static long getLong(long a) {
    return U.getLong(a);
  }

  public static void putLong(long a, long v) {
    U.putLong(a, v);
  }

  public static int getInt(long a) {
    return U.getInt(a);
  }

  public static void putInt(long a, int v) {
    U.putInt(a, v);
  }

  public static short getShort(long a) {
    return U.getShort(a);
  }

  public static void putShort(long a, short v) {
    U.putShort(a, v);
  }

  public static byte getByte(long a) {
    return U.getByte(a);
  }

  public static void putByte(long a, byte v) {
    U.putByte(a, v);
  }

  public static void copy(long from, long to, long bytes) {
    U.copyMemory(from, to, bytes);
  }
}
