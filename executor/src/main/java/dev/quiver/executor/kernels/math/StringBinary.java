package dev.quiver.executor.kernels.math;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.kernels.Broadcast;
import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.kernels.array.RunOutputs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The binary ops TensorFlow defines on strings: Equal and NotEqual (bytewise) and Add (concatenation). Both read
 * the inputs' UTF-8 bytes in place; no element becomes a Java String.
 */
final class StringBinary {
  private StringBinary() {}

  static Tensor compute(BinaryOp op, Tensor a, Tensor b, Shape outShape, BufferAllocator allocator) {
    // a plan of nothing has no runs to stride over
    Broadcast plan = outShape.numElements() == 0 ? null : Broadcast.plan(outShape, a.shape(), b.shape());
    if (op == BinaryOp.ADD) {
      return concatenate(plan, a, b, outShape, allocator);
    }
    if (plan == null) {
      return Tensor.allocate(allocator, DType.BOOL, outShape);
    }
    long n = plan.size();
    int sa = plan.innerStride(0);
    int sb = plan.innerStride(1);
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

  /**
   * Each output string is a's UTF-8 bytes followed by b's, copied from the inputs' data buffers: one pass adds
   * up the lengths, a second writes offsets and bytes. {@code plan} is null for an empty output.
   */
  private static Tensor concatenate(Broadcast plan, Tensor a, Tensor b, Shape outShape, BufferAllocator allocator) {
    long n = outShape.numElements();
    long aOff = a.offsetBuffer().memoryAddress();
    long bOff = b.offsetBuffer().memoryAddress();
    long[] total = {0};
    if (plan != null) {
      int sa = plan.innerStride(0);
      int sb = plan.innerStride(1);
      plan.forEachRun(0, n, (o, idx, len) -> {
        total[0] += span(aOff, idx[0], sa, len) + span(bOff, idx[1], sb, len);
      });
    }
    return RunOutputs.fillStrings(allocator, outShape, total[0], InvalidArgumentException::new, (offsets, data) -> {
      long po = offsets.memoryAddress();
      long pd = data.memoryAddress();
      long ad = a.dataBuffer().memoryAddress();
      long bd = b.dataBuffer().memoryAddress();
      Memory.putInt(po, 0);
      if (plan != null) {
        int sa = plan.innerStride(0);
        int sb = plan.innerStride(1);
        int[] position = {0};
        plan.forEachRun(0, n, (o, idx, len) -> {
          for (long k = 0; k < len; k++) {
            int p = position[0];
            p = append(aOff, ad, idx[0] + k * sa, pd, p);
            p = append(bOff, bd, idx[1] + k * sb, pd, p);
            Memory.putInt(po + (o + k + 1) * 4, p);
            position[0] = p;
          }
        });
      }
    });
  }

  /** Bytes of the {@code len} strings a run visits from element {@code first} with stride 0 or 1. */
  private static long span(long offsets, long first, int stride, long len) {
    int start = Memory.getInt(offsets + first * 4);
    if (stride == 0) {
      return (long) (Memory.getInt(offsets + first * 4 + 4) - start) * len;
    }
    return Memory.getInt(offsets + (first + len) * 4) - start;
  }

  /** Copies element {@code i}'s bytes to {@code dest + at}; returns the position after them. */
  private static int append(long offsets, long data, long i, long dest, int at) {
    int start = Memory.getInt(offsets + i * 4);
    int bytes = Memory.getInt(offsets + i * 4 + 4) - start;
    Memory.copy(data + start, dest + at, bytes);
    return at + bytes;
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
