package dev.quiver.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Bulk copies between Java primitive arrays and Arrow memory, through little-endian NIO views so that the
 * JDK's intrinsic bulk copies do the work. Views are cut in chunks because an NIO buffer spans at most 2 GiB.
 */
final class ElementCopier {
  private static final int CHUNK = 1 << 30;

  private ElementCopier() {}

  private static ByteBuffer view(ArrowBuf buf, long byteOffset, int bytes) {
    return buf.nioBuffer(byteOffset, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  static void put(ArrowBuf buf, float[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 4);
      view(buf, i * 4L, n * 4).asFloatBuffer().put(v, i, n);
      i += n;
    }
  }

  static void get(ArrowBuf buf, float[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 4);
      view(buf, i * 4L, n * 4).asFloatBuffer().get(v, i, n);
      i += n;
    }
  }

  static void put(ArrowBuf buf, double[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 8);
      view(buf, i * 8L, n * 8).asDoubleBuffer().put(v, i, n);
      i += n;
    }
  }

  static void get(ArrowBuf buf, double[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 8);
      view(buf, i * 8L, n * 8).asDoubleBuffer().get(v, i, n);
      i += n;
    }
  }

  static void put(ArrowBuf buf, int[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 4);
      view(buf, i * 4L, n * 4).asIntBuffer().put(v, i, n);
      i += n;
    }
  }

  static void get(ArrowBuf buf, int[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 4);
      view(buf, i * 4L, n * 4).asIntBuffer().get(v, i, n);
      i += n;
    }
  }

  static void put(ArrowBuf buf, long[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 8);
      view(buf, i * 8L, n * 8).asLongBuffer().put(v, i, n);
      i += n;
    }
  }

  static void get(ArrowBuf buf, long[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 8);
      view(buf, i * 8L, n * 8).asLongBuffer().get(v, i, n);
      i += n;
    }
  }

  static void put(ArrowBuf buf, short[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 2);
      view(buf, i * 2L, n * 2).asShortBuffer().put(v, i, n);
      i += n;
    }
  }

  static void get(ArrowBuf buf, short[] v) {
    for (int i = 0; i < v.length; ) {
      int n = Math.min(v.length - i, CHUNK / 2);
      view(buf, i * 2L, n * 2).asShortBuffer().get(v, i, n);
      i += n;
    }
  }
}
