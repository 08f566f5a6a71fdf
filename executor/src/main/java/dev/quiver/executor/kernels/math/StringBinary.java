package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/** The binary ops TensorFlow defines on strings: Equal and NotEqual (bytewise) and Add (concatenation). */
final class StringBinary {
  private StringBinary() {}

  static Tensor compute(BinaryOp op, Tensor a, Tensor b, Shape outShape, BufferAllocator allocator) {
    if (outShape.numElements() == 0) { // a plan of nothing has no runs to stride over
      return op == BinaryOp.ADD ? Tensor.of(allocator, new String[0], outShape)
          : Tensor.allocate(allocator, DType.BOOL, outShape);
    }
    Broadcast plan = Broadcast.plan(outShape, a.shape(), b.shape());
    int n = Math.toIntExact(plan.size());
    int sa = plan.innerStride(0);
    int sb = plan.innerStride(1);
    if (op == BinaryOp.ADD) {
      String[] r = new String[n];
      plan.forEachRun(0, n, (o, idx, len) -> {
        for (long k = 0; k < len; k++) {
          r[(int) (o + k)] = a.getString(idx[0] + k * sa) + b.getString(idx[1] + k * sb);
        }
      });
      return Tensor.of(allocator, r, outShape);
    }
    boolean wantEqual = op == BinaryOp.EQUAL;
    Tensor out = Tensor.allocate(allocator, DType.BOOL, outShape);
    ArrowBuf ob = out.dataBuffer();
    plan.forEachRun(0, n, (o, idx, len) -> {
      for (long k = 0; k < len; k++) {
        boolean eq = equalAt(a, idx[0] + k * sa, b, idx[1] + k * sb);
        ob.setByte(o + k, eq == wantEqual ? 1 : 0);
      }
    });
    return out;
  }

  private static boolean equalAt(Tensor a, long i, Tensor b, long j) {
    ArrowBuf ao = a.offsetBuffer();
    ArrowBuf bo = b.offsetBuffer();
    int as = ao.getInt(i * 4);
    int ae = ao.getInt(i * 4 + 4);
    int bs = bo.getInt(j * 4);
    int be = bo.getInt(j * 4 + 4);
    if (ae - as != be - bs) {
      return false;
    }
    ArrowBuf ad = a.dataBuffer();
    ArrowBuf bd = b.dataBuffer();
    for (int k = 0; k < ae - as; k++) {
      if (ad.getByte(as + k) != bd.getByte(bs + k)) {
        return false;
      }
    }
    return true;
  }
}
