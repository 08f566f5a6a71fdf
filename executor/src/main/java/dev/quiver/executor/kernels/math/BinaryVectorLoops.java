package dev.quiver.executor.kernels.math;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API loops of the hot float32/float64 binary ops over one run. Each (op, dtype) has its own loop so
 * the JIT sees a constant operator and emits SIMD code. An input with inner stride 0 is passed as a buffer
 * holding its one value repeated over a full vector, and read at offset {@code i * stride = 0}.
 */
final class BinaryVectorLoops {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  private BinaryVectorLoops() {}

  /** Runs {@code op} if it has a float32 vector loop; false otherwise. */
  static boolean f32(BinaryOp op, ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    switch (op) {
      case ADD: case ADD_V2: addF(a, sa, b, sb, o, n); return true;
      case SUB: subF(a, sa, b, sb, o, n); return true;
      case MUL: mulF(a, sa, b, sb, o, n); return true;
      case REAL_DIV: case DIV: divF(a, sa, b, sb, o, n); return true;
      case MAXIMUM: maxF(a, sa, b, sb, o, n); return true;
      case MINIMUM: minF(a, sa, b, sb, o, n); return true;
      case SQUARED_DIFFERENCE: sqdF(a, sa, b, sb, o, n); return true;
      default: return false;
    }
  }

  /** Runs {@code op} if it has a float64 vector loop; false otherwise. */
  static boolean f64(BinaryOp op, ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    switch (op) {
      case ADD: case ADD_V2: addD(a, sa, b, sb, o, n); return true;
      case SUB: subD(a, sa, b, sb, o, n); return true;
      case MUL: mulD(a, sa, b, sb, o, n); return true;
      case REAL_DIV: case DIV: divD(a, sa, b, sb, o, n); return true;
      default: return false;
    }
  }

  private static void addF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      x.add(y).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, a.getFloat(i * sa * 4) + b.getFloat(i * sb * 4));
    }
  }

  private static void subF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      x.sub(y).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, a.getFloat(i * sa * 4) - b.getFloat(i * sb * 4));
    }
  }

  private static void mulF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      x.mul(y).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, a.getFloat(i * sa * 4) * b.getFloat(i * sb * 4));
    }
  }

  private static void divF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      x.div(y).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, a.getFloat(i * sa * 4) / b.getFloat(i * sb * 4));
    }
  }

  private static void maxF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      VectorMask<Float> takeY = x.lt(y).or(y.test(VectorOperators.IS_NAN));
      x.blend(y, takeY).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, (float) BinaryOp.MAXIMUM.d(a.getFloat(i * sa * 4), b.getFloat(i * sb * 4)));
    }
  }

  private static void minF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      VectorMask<Float> takeY = x.compare(VectorOperators.GT, y).or(y.test(VectorOperators.IS_NAN));
      x.blend(y, takeY).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      o.putFloat(i * 4, (float) BinaryOp.MINIMUM.d(a.getFloat(i * sa * 4), b.getFloat(i * sb * 4)));
    }
  }

  private static void sqdF(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = F.loopBound(n); i < ub; i += F.length()) {
      FloatVector x = FloatVector.fromByteBuffer(F, a, i * sa * 4, LE);
      FloatVector y = FloatVector.fromByteBuffer(F, b, i * sb * 4, LE);
      FloatVector d = x.sub(y);
      d.mul(d).intoByteBuffer(o, i * 4, LE);
    }
    for (; i < n; i++) {
      float d = a.getFloat(i * sa * 4) - b.getFloat(i * sb * 4);
      o.putFloat(i * 4, d * d);
    }
  }

  private static void addD(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = D.loopBound(n); i < ub; i += D.length()) {
      DoubleVector x = DoubleVector.fromByteBuffer(D, a, i * sa * 8, LE);
      DoubleVector y = DoubleVector.fromByteBuffer(D, b, i * sb * 8, LE);
      x.add(y).intoByteBuffer(o, i * 8, LE);
    }
    for (; i < n; i++) {
      o.putDouble(i * 8, a.getDouble(i * sa * 8) + b.getDouble(i * sb * 8));
    }
  }

  private static void subD(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = D.loopBound(n); i < ub; i += D.length()) {
      DoubleVector x = DoubleVector.fromByteBuffer(D, a, i * sa * 8, LE);
      DoubleVector y = DoubleVector.fromByteBuffer(D, b, i * sb * 8, LE);
      x.sub(y).intoByteBuffer(o, i * 8, LE);
    }
    for (; i < n; i++) {
      o.putDouble(i * 8, a.getDouble(i * sa * 8) - b.getDouble(i * sb * 8));
    }
  }

  private static void mulD(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = D.loopBound(n); i < ub; i += D.length()) {
      DoubleVector x = DoubleVector.fromByteBuffer(D, a, i * sa * 8, LE);
      DoubleVector y = DoubleVector.fromByteBuffer(D, b, i * sb * 8, LE);
      x.mul(y).intoByteBuffer(o, i * 8, LE);
    }
    for (; i < n; i++) {
      o.putDouble(i * 8, a.getDouble(i * sa * 8) * b.getDouble(i * sb * 8));
    }
  }

  private static void divD(ByteBuffer a, int sa, ByteBuffer b, int sb, ByteBuffer o, int n) {
    int i = 0;
    for (int ub = D.loopBound(n); i < ub; i += D.length()) {
      DoubleVector x = DoubleVector.fromByteBuffer(D, a, i * sa * 8, LE);
      DoubleVector y = DoubleVector.fromByteBuffer(D, b, i * sb * 8, LE);
      x.div(y).intoByteBuffer(o, i * 8, LE);
    }
    for (; i < n; i++) {
      o.putDouble(i * 8, a.getDouble(i * sa * 8) / b.getDouble(i * sb * 8));
    }
  }
}
