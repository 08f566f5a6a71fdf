package dev.quiver.executor.kernels.math;

import dev.quiver.store.DType;

/**
 * How a reduction folds values, in the two compute classes: double for floating types, long for integers and
 * bool (narrowed with wrap-around on store, as TensorFlow's integer sums and products wrap). Max and Min
 * propagate NaN, as TF's reductions do; the identities are what TF returns for an empty reduction.
 */
public enum Reducer {
  SUM {
    @Override public double identityD() { return 0; }
    @Override public long identityL(DType t) { return 0; }
    @Override public double d(double acc, double x) { return acc + x; }
    @Override public long l(long acc, long x) { return acc + x; }
  },
  PROD {
    @Override public double identityD() { return 1; }
    @Override public long identityL(DType t) { return 1; }
    @Override public double d(double acc, double x) { return acc * x; }
    @Override public long l(long acc, long x) { return acc * x; }
  },
  MAX {
    @Override public double identityD() { return Double.NEGATIVE_INFINITY; }
    @Override public long identityL(DType t) { return lowest(t); }
    @Override public double d(double acc, double x) { return x > acc || x != x ? x : acc; }
    @Override public long l(long acc, long x) { return Math.max(acc, x); }
  },
  MIN {
    @Override public double identityD() { return Double.POSITIVE_INFINITY; }
    @Override public long identityL(DType t) { return highest(t); }
    @Override public double d(double acc, double x) { return x < acc || x != x ? x : acc; }
    @Override public long l(long acc, long x) { return Math.min(acc, x); }
  },
  ALL {
    @Override public double identityD() { throw new AssertionError(); }
    @Override public long identityL(DType t) { return 1; }
    @Override public double d(double acc, double x) { throw new AssertionError(); }
    @Override public long l(long acc, long x) { return acc != 0 && x != 0 ? 1 : 0; }
  },
  ANY {
    @Override public double identityD() { throw new AssertionError(); }
    @Override public long identityL(DType t) { return 0; }
    @Override public double d(double acc, double x) { throw new AssertionError(); }
    @Override public long l(long acc, long x) { return acc != 0 || x != 0 ? 1 : 0; }
  };

  public abstract double identityD();

  public abstract long identityL(DType t);

  public abstract double d(double acc, double x);

  public abstract long l(long acc, long x);

  static long lowest(DType t) {
    switch (t) {
      case INT8: return Byte.MIN_VALUE;
      case INT16: return Short.MIN_VALUE;
      case INT32: return Integer.MIN_VALUE;
      case UINT8: return 0;
      default: return Long.MIN_VALUE;
    }
  }

  static long highest(DType t) {
    switch (t) {
      case INT8: return Byte.MAX_VALUE;
      case INT16: return Short.MAX_VALUE;
      case INT32: return Integer.MAX_VALUE;
      case UINT8: return 255;
      default: return Long.MAX_VALUE;
    }
  }
}
