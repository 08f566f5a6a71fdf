package dev.quiver.executor.kernels.math;

import dev.quiver.store.DType;
import java.util.EnumSet;

/**
 * The elementwise unary ops with TensorFlow's scalar semantics, computed in double (floating types) or long
 * (integers, narrowed on store with wrap-around, so {@code Abs(INT_MIN) == INT_MIN} as in TF). Each op takes the
 * dtypes TF 2.21 has CPU kernels for ({@link #types()}).
 */
public enum UnaryOp {
  NEG("Neg", Kind.NUMERIC, TypeSupport.of(TypeSupport.union(TypeSupport.FLOATS, TypeSupport.SIGNED))) {
    @Override public double d(double x) { return -x; }
    @Override public long l(long x) { return -x; }
  },
  ABS("Abs", Kind.NUMERIC, TypeSupport.of(TypeSupport.union(TypeSupport.FLOATS, TypeSupport.SIGNED))) {
    @Override public double d(double x) { return Math.abs(x); }
    @Override public long l(long x) { return x < 0 ? -x : x; }
  },
  /** -1, 0 or 1; NaN stays NaN and both zeros give +0. */
  SIGN("Sign", Kind.NUMERIC, TypeSupport.of(TypeSupport.union(TypeSupport.FLOATS, TypeSupport.SIGNED))) {
    @Override public double d(double x) { return x != x ? x : x > 0 ? 1 : x < 0 ? -1 : 0; }
    @Override public long l(long x) { return Long.signum(x); }
  },
  SQUARE("Square", Kind.NUMERIC) {
    @Override public double d(double x) { return x * x; }
    @Override public long l(long x) { return x * x; }
  },
  /**
   * max(x, 0); NaN stays NaN. What Relu(-0) gives is not defined in TF (+0 on some sizes, -0 on others, as its
   * vector and scalar paths differ), so the differential suite does not check the sign of a zero result here.
   */
  RELU("Relu", Kind.NUMERIC) {
    @Override public double d(double x) { return x < 0 ? 0 : x; }
    @Override public long l(long x) { return Math.max(x, 0); }
  },
  RELU6("Relu6", Kind.NUMERIC) {
    @Override public double d(double x) {
      double r = x < 0 ? 0 : x;
      return r > 6 ? 6 : r;
    }
    @Override public long l(long x) { return Math.min(Math.max(x, 0), 6); }
  },
  /**
   * Banker's rounding (half to even), as TF's Round; the identity on int32 and int64 (TF declares int8 and
   * int16 too but has no kernel for them).
   */
  ROUND("Round", Kind.NUMERIC, TypeSupport.declaring(TypeSupport.union(TypeSupport.FLOATS, TypeSupport.SIGNED),
      TypeSupport.union(TypeSupport.FLOATS, EnumSet.of(DType.INT32, DType.INT64)))) {
    @Override public double d(double x) { return Math.rint(x); }
    @Override public long l(long x) { return x; }
  },
  SQRT("Sqrt", Kind.FLOATING) {
    @Override public double d(double x) { return Math.sqrt(x); }
  },
  RSQRT("Rsqrt", Kind.FLOATING) {
    @Override public double d(double x) { return 1 / Math.sqrt(x); }
  },
  EXP("Exp", Kind.FLOATING) {
    @Override public double d(double x) { return Math.exp(x); }
  },
  EXPM1("Expm1", Kind.FLOATING) {
    @Override public double d(double x) { return Math.expm1(x); }
  },
  LOG("Log", Kind.FLOATING) {
    @Override public double d(double x) { return Math.log(x); }
  },
  LOG1P("Log1p", Kind.FLOATING) {
    @Override public double d(double x) { return Math.log1p(x); }
  },
  SIN("Sin", Kind.FLOATING) {
    @Override public double d(double x) { return Math.sin(x); }
  },
  COS("Cos", Kind.FLOATING) {
    @Override public double d(double x) { return Math.cos(x); }
  },
  TAN("Tan", Kind.FLOATING) {
    @Override public double d(double x) { return Math.tan(x); }
  },
  TANH("Tanh", Kind.FLOATING) {
    @Override public double d(double x) { return Math.tanh(x); }
  },
  SIGMOID("Sigmoid", Kind.FLOATING) {
    @Override public double d(double x) { return 1 / (1 + Math.exp(-x)); }
  },
  /** x for x >= 0 (and -0), expm1(x) below. */
  ELU("Elu", Kind.FLOATING) {
    @Override public double d(double x) { return x < 0 ? Math.expm1(x) : x; }
  },
  /** log(1 + exp(x)), in a form that neither overflows nor loses small values. */
  SOFTPLUS("Softplus", Kind.FLOATING) {
    @Override public double d(double x) { return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)); }
  },
  FLOOR("Floor", Kind.FLOATING) {
    @Override public double d(double x) { return Math.floor(x); }
  },
  CEIL("Ceil", Kind.FLOATING) {
    @Override public double d(double x) { return Math.ceil(x); }
  },
  IS_NAN("IsNan", Kind.PREDICATE) {
    @Override public boolean test(double x) { return Double.isNaN(x); }
  },
  IS_INF("IsInf", Kind.PREDICATE) {
    @Override public boolean test(double x) { return Double.isInfinite(x); }
  },
  IS_FINITE("IsFinite", Kind.PREDICATE) {
    @Override public boolean test(double x) { return Double.isFinite(x); }
  },
  LOGICAL_NOT("LogicalNot", Kind.LOGICAL) {
    @Override public long l(long x) { return x == 0 ? 1 : 0; }
  };

  /** How an op's dtypes work. */
  public enum Kind {
    /** Numbers (which ones: {@link #types()}), same dtype out. */
    NUMERIC,
    /** float32/float64 only, same dtype out. */
    FLOATING,
    /** float32/float64 in, bool out. */
    PREDICATE,
    /** bool in and out. */
    LOGICAL
  }

  private final String tfName;
  private final Kind kind;
  private final TypeSupport types;

  UnaryOp(String tfName, Kind kind) {
    this(tfName, kind, defaultTypes(kind));
  }

  UnaryOp(String tfName, Kind kind, TypeSupport types) {
    this.tfName = tfName;
    this.kind = kind;
    this.types = types;
  }

  private static TypeSupport defaultTypes(Kind kind) {
    switch (kind) {
      case NUMERIC: return TypeSupport.of(TypeSupport.NUMERIC);
      case FLOATING: case PREDICATE: return TypeSupport.of(TypeSupport.FLOATS);
      case LOGICAL: return TypeSupport.of(EnumSet.of(DType.BOOL));
      default: throw new AssertionError(kind);
    }
  }

  public String tfName() {
    return tfName;
  }

  public Kind kind() {
    return kind;
  }

  /** The dtypes the op takes (TensorFlow's CPU kernels) and those TF declares without a kernel. */
  public TypeSupport types() {
    return types;
  }

  public boolean accepts(DType t) {
    return types.accepts(t);
  }

  public DType outputType(DType t) {
    return kind == Kind.PREDICATE ? DType.BOOL : t;
  }

  public double d(double x) {
    throw new AssertionError(tfName + " has no floating form");
  }

  public long l(long x) {
    throw new AssertionError(tfName + " has no integer form");
  }

  public boolean test(double x) {
    throw new AssertionError(tfName + " is not a predicate");
  }
}
