package dev.quiver.executor.differential;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Random;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Random shapes and values for differential cases: small shapes with empty and size-1 dims, every numpy
 * broadcasting pattern, and values that mix ordinary numbers with NaN, infinities, signed zeros, ties for
 * rounding, and the integer extremes that overflow. Shared by every case generator.
 */
public final class Gen {
  private static final double[] SPECIAL = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
      0.5, 1.5, 2.5, -2.5, -0.5, 1e30, -1e-30, 3e9, -3e9, 255.9, -1.7, 300};

  private static final String[] STRINGS = {"", "a", "bc", "é", "日本", "x y"};

  private final Random r;
  private final BufferAllocator allocator;

  public Gen(Random r, BufferAllocator allocator) {
    this.r = r;
    this.allocator = allocator;
  }

  public Random random() {
    return r;
  }

  /** A shape of rank 0..maxRank with dims mostly 1..5, sometimes 0. */
  public Shape shape(int maxRank) {
    int rank = r.nextInt(maxRank + 1);
    long[] d = new long[rank];
    for (int i = 0; i < rank; i++) {
      int p = r.nextInt(20);
      d[i] = p == 0 ? 0 : p < 5 ? 1 : 2 + r.nextInt(4);
    }
    return Shape.of(d);
  }

  /** A shape that broadcasts to {@code out}: a suffix of it with some dims set to 1. */
  public Shape broadcastable(Shape out) {
    long[] od = out.dims();
    int drop = r.nextInt(3) == 0 ? r.nextInt(od.length + 1) : 0;
    long[] d = new long[od.length - drop];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextInt(3) == 0 ? 1 : od[drop + i];
    }
    return Shape.of(d);
  }

  /** A tensor of random values of {@code t}. */
  public Tensor tensor(DType t, Shape shape) {
    return tensor(t, shape, false);
  }

  /** A tensor of random values; {@code nonZero} replaces zeros by one (divisors that must not fail). */
  public Tensor tensor(DType t, Shape shape, boolean nonZero) {
    if (t == DType.STRING) {
      return strings(shape);
    }
    Tensor x = Tensor.allocate(allocator, t, shape);
    ArrowBuf b = x.dataBuffer();
    for (long i = 0; i < x.numElements(); i++) {
      switch (t) {
        case FLOAT32: b.setFloat(i * 4, (float) floating(nonZero)); break;
        case FLOAT64: b.setDouble(i * 8, floating(nonZero)); break;
        case BOOL: b.setByte(i, r.nextBoolean() ? 1 : 0); break;
        default: {
          long v = integer(t);
          if (nonZero && v == 0) {
            v = 1;
          }
          switch (t.byteWidth()) {
            case 1: b.setByte(i, (byte) v); break;
            case 2: b.setShort(i * 2, (short) v); break;
            case 4: b.setInt(i * 4, (int) v); break;
            default: b.setLong(i * 8, v);
          }
        }
      }
    }
    return x;
  }

  private double floating(boolean nonZero) {
    int p = r.nextInt(10);
    double v;
    if (p < 6) {
      v = r.nextGaussian() * 3;
    } else if (p < 8) {
      v = r.nextInt(7) - 3;
    } else {
      v = SPECIAL[r.nextInt(SPECIAL.length)];
    }
    return nonZero && v == 0 ? 1 : v;
  }

  private long integer(DType t) {
    long min;
    long max;
    switch (t) {
      case INT8: min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; break;
      case INT16: min = Short.MIN_VALUE; max = Short.MAX_VALUE; break;
      case INT32: min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; break;
      case UINT8: min = 0; max = 255; break;
      default: min = Long.MIN_VALUE; max = Long.MAX_VALUE;
    }
    int p = r.nextInt(10);
    if (p < 6) {
      long v = r.nextInt(21) - 10;
      return t == DType.UINT8 ? Math.abs(v) : v;
    }
    if (p < 8) {
      long[] ext = {min, max, min + 1, max - 1};
      return ext[r.nextInt(4)];
    }
    long span = r.nextLong();
    return t == DType.INT64 ? span : min + Math.floorMod(span, max - min + 1);
  }

  /** Random values of an integer or float dtype with about a third of them zero, and at least one if non-empty. */
  public Tensor withZeros(DType t, Shape shape) {
    Tensor x = tensor(t, shape);
    long n = x.numElements();
    for (long i = 0; i < n; i++) {
      if (i == n / 2 || r.nextInt(3) == 0) {
        setZero(x, i, t == DType.FLOAT32 || t == DType.FLOAT64 ? r.nextBoolean() : false);
      }
    }
    return x;
  }

  private static void setZero(Tensor x, long i, boolean negative) {
    switch (x.dtype()) {
      case FLOAT32: x.dataBuffer().setFloat(i * 4, negative ? -0f : 0f); break;
      case FLOAT64: x.dataBuffer().setDouble(i * 8, negative ? -0.0 : 0.0); break;
      default: {
        int w = x.dtype().byteWidth();
        for (int b = 0; b < w; b++) {
          x.dataBuffer().setByte(i * w + b, 0);
        }
      }
    }
  }

  /** Integers only from the ends of the dtype's range ({@code min, min + 1, max - 1, max}): sums overflow. */
  public Tensor extremes(DType t, Shape shape) {
    Tensor x = Tensor.allocate(allocator, t, shape);
    long min = t == DType.INT8 ? Byte.MIN_VALUE : t == DType.INT16 ? Short.MIN_VALUE : t == DType.INT32
        ? Integer.MIN_VALUE : t == DType.UINT8 ? 0 : Long.MIN_VALUE;
    long max = t == DType.INT8 ? Byte.MAX_VALUE : t == DType.INT16 ? Short.MAX_VALUE : t == DType.INT32
        ? Integer.MAX_VALUE : t == DType.UINT8 ? 255 : Long.MAX_VALUE;
    boolean high = r.nextBoolean(); // mostly one end, so the sum runs far past the range
    for (long i = 0; i < x.numElements(); i++) {
      long v = r.nextInt(8) == 0 ? (high ? min : max) - (high ? -1 : 1) * r.nextInt(2)
          : (high ? max : min) + (high ? -1 : 1) * r.nextInt(2);
      switch (t.byteWidth()) {
        case 1: x.dataBuffer().setByte(i, (byte) v); break;
        case 2: x.dataBuffer().setShort(i * 2, (short) v); break;
        case 4: x.dataBuffer().setInt(i * 4, (int) v); break;
        default: x.dataBuffer().setLong(i * 8, v);
      }
    }
    return x;
  }

  /** Floats that are NaN about half the time, infinite a tenth, otherwise ordinary. */
  public Tensor nanHeavy(DType t, Shape shape) {
    Tensor x = Tensor.allocate(allocator, t, shape);
    for (long i = 0; i < x.numElements(); i++) {
      int p = r.nextInt(10);
      double v = p < 5 ? Double.NaN : p == 5 ? (r.nextBoolean() ? Double.POSITIVE_INFINITY
          : Double.NEGATIVE_INFINITY) : r.nextGaussian() * 3;
      if (t == DType.FLOAT32) {
        x.dataBuffer().setFloat(i * 4, (float) v);
      } else {
        x.dataBuffer().setDouble(i * 8, v);
      }
    }
    return x;
  }

  /** Two shapes that do not broadcast: a leading dim of 2..4 against a larger one, the rest broadcastable. */
  public Shape[] incompatible() {
    Shape rest = shape(3);
    long[] a = new long[rest.rank() + 1];
    System.arraycopy(rest.dims(), 0, a, 1, rest.rank());
    a[0] = 2 + r.nextInt(3);
    long[] b = a.clone(); // same rank, some of the other dims 1
    for (int i = 1; i < b.length; i++) {
      b[i] = r.nextInt(3) == 0 ? 1 : a[i];
    }
    b[0] = a[0] + 1 + r.nextInt(2);
    return r.nextBoolean() ? new Shape[] {Shape.of(a), Shape.of(b)} : new Shape[] {Shape.of(b), Shape.of(a)};
  }

  /** Random strings: empty, ASCII, and multi-byte UTF-8. */
  public Tensor strings(Shape shape) {
    String[] v = new String[Math.toIntExact(shape.numElements())];
    for (int i = 0; i < v.length; i++) {
      v[i] = STRINGS[r.nextInt(STRINGS.length)] + (r.nextBoolean() ? "" : Integer.toString(i));
    }
    return Tensor.of(allocator, v, shape);
  }

  /** A random scalar of {@code t}. */
  public Tensor scalar(DType t) {
    return tensor(t, Shape.scalar());
  }

  /** An index vector (or scalar, for an empty {@code shape} list) of int32 or int64, picked at random. */
  public Tensor indices(long... values) {
    return indices(Shape.of(values.length), values);
  }

  /** Index values of {@code shape} in a random index dtype (int32 or int64). */
  public Tensor indices(Shape shape, long... values) {
    if (r.nextBoolean()) {
      return Tensor.of(allocator, values, shape);
    }
    int[] v = new int[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.toIntExact(values[i]);
    }
    return Tensor.of(allocator, v, shape);
  }

  /** An int32 scalar. */
  public Tensor int32(int value) {
    return Tensor.scalar(allocator, value);
  }

  /** A shape of rank 0..maxRank with dims 0..4, more often 1..4 (smaller than {@link #shape}). */
  public long[] dims(int maxRank) {
    int rank = r.nextInt(maxRank + 1);
    long[] d = new long[rank];
    for (int i = 0; i < rank; i++) {
      int p = r.nextInt(10);
      d[i] = p == 0 ? 0 : p < 3 ? 1 : 2 + r.nextInt(3);
    }
    return d;
  }

  /** A random permutation of {@code 0..n-1}. */
  public long[] permutation(int n) {
    java.util.List<Long> l = new java.util.ArrayList<>();
    for (long i = 0; i < n; i++) {
      l.add(i);
    }
    java.util.Collections.shuffle(l, r);
    return l.stream().mapToLong(Long::longValue).toArray();
  }

  /** Small ints in {@code [lo, hi]} of an integer dtype, e.g. exponents or axes. */
  public Tensor smallInts(DType t, Shape shape, int lo, int hi) {
    Tensor x = Tensor.allocate(allocator, t, shape);
    for (long i = 0; i < x.numElements(); i++) {
      long v = lo + r.nextInt(hi - lo + 1);
      switch (t.byteWidth()) {
        case 1: x.dataBuffer().setByte(i, (byte) v); break;
        case 2: x.dataBuffer().setShort(i * 2, (short) v); break;
        case 4: x.dataBuffer().setInt(i * 4, (int) v); break;
        default: x.dataBuffer().setLong(i * 8, v);
      }
    }
    return x;
  }
}
