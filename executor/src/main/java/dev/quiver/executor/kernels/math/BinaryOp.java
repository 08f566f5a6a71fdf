package dev.quiver.executor.kernels.math;

import dev.quiver.store.DType;
import java.util.EnumSet;
import java.util.Set;

/**
 * The elementwise binary ops, each with TensorFlow's scalar semantics in two compute classes: floating
 * point (float32 is computed in double and rounded once, which gives the correctly rounded result for
 * + - * / and within an ulp of TensorFlow's float functions for the rest) and integer (computed in long and
 * narrowed on store, which is exactly two's-complement wrap-around for every integer width; uint8 is read
 * unsigned). Integer division by zero throws {@link ArithmeticException}, which the kernel turns into TF's
 * "Integer division by zero" error. Each op takes the dtypes TF 2.21 has CPU kernels for ({@link #types()}).
 */
public enum BinaryOp {
  ADD("Add", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a + b; }
    @Override public long l(long a, long b) { return a + b; }
  },
  ADD_V2("AddV2", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a + b; }
    @Override public long l(long a, long b) { return a + b; }
  },
  SUB("Sub", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a - b; }
    @Override public long l(long a, long b) { return a - b; }
  },
  MUL("Mul", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a * b; }
    @Override public long l(long a, long b) { return a * b; }
  },
  /** Float division. TF declares it for integers but has no CPU kernel for them; neither has Quiver. */
  REAL_DIV("RealDiv", Kind.ARITHMETIC, TypeSupport.declaring(TypeSupport.NUMERIC, TypeSupport.FLOATS)) {
    @Override public double d(double a, double b) { return a / b; }
    @Override public long l(long a, long b) { return a / b; }
  },
  /** TF's Div: float division, or C-style truncating integer division. */
  DIV("Div", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a / b; }
    @Override public long l(long a, long b) { return a / b; }
  },
  FLOOR_DIV("FloorDiv", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return Math.floor(a / b); }
    @Override public float f(float a, float b) { return (float) Math.floor(a / b); }
    @Override public long l(long a, long b) { return Math.floorDiv(a, b); }
  },
  /** The remainder with the divisor's sign; for floats TF's {@code fmod} adjusted by the divisor. */
  FLOOR_MOD("FloorMod", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) {
      double t = a % b;
      return t != 0 && ((b < 0) != (t < 0)) ? t + b : t;
    }
    @Override public long l(long a, long b) { return Math.floorMod(a, b); }
  },
  /** Floats and signed integers (TF declares no uint8 Pow). */
  POW("Pow", Kind.ARITHMETIC, TypeSupport.of(TypeSupport.union(TypeSupport.FLOATS, TypeSupport.SIGNED))) {
    /** C's pow, as TF: unlike Java's, {@code pow(1, NaN) == 1} and {@code pow(-1, ±inf) == 1}. */
    @Override public double d(double a, double b) {
      return a == 1 || a == -1 && Double.isInfinite(b) ? 1 : Math.pow(a, b);
    }
    @Override public long l(long a, long b) {
      if (b < 0) {
        throw new ArithmeticException("Integers to negative integer powers are not allowed");
      }
      long r = 1;
      long base = a;
      while (b != 0) {
        if ((b & 1) != 0) {
          r *= base;
        }
        base *= base;
        b >>>= 1;
      }
      return r;
    }
  },
  /**
   * NaN if either side is NaN, else the larger. Which zero {@code max(-0, 0)} gives is not defined in TF (its
   * scalar and vector paths differ), so the differential suite does not check the sign of a zero result here.
   */
  MAXIMUM("Maximum", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a < b || b != b ? b : a; }
    @Override public long l(long a, long b) { return Math.max(a, b); }
  },
  /** NaN if either side is NaN, else the smaller; the sign of a zero result is unspecified, as for Maximum. */
  MINIMUM("Minimum", Kind.ARITHMETIC) {
    @Override public double d(double a, double b) { return a > b || b != b ? b : a; }
    @Override public long l(long a, long b) { return Math.min(a, b); }
  },
  /** Floats, int32 and int64 (TF declares no 8- or 16-bit SquaredDifference). */
  SQUARED_DIFFERENCE("SquaredDifference", Kind.ARITHMETIC,
      TypeSupport.of(TypeSupport.union(TypeSupport.FLOATS, EnumSet.of(DType.INT32, DType.INT64)))) {
    @Override public double d(double a, double b) { return (a - b) * (a - b); }
    @Override public float f(float a, float b) {
      float d = a - b;
      return d * d;
    }
    @Override public long l(long a, long b) { return (a - b) * (a - b); }
  },
  EQUAL("Equal", Kind.EQUALITY) {
    @Override public boolean test(double a, double b) { return a == b; }
    @Override public boolean test(long a, long b) { return a == b; }
  },
  NOT_EQUAL("NotEqual", Kind.EQUALITY) {
    @Override public boolean test(double a, double b) { return a != b; }
    @Override public boolean test(long a, long b) { return a != b; }
  },
  LESS("Less", Kind.COMPARISON) {
    @Override public boolean test(double a, double b) { return a < b; }
    @Override public boolean test(long a, long b) { return a < b; }
  },
  LESS_EQUAL("LessEqual", Kind.COMPARISON) {
    @Override public boolean test(double a, double b) { return a <= b; }
    @Override public boolean test(long a, long b) { return a <= b; }
  },
  GREATER("Greater", Kind.COMPARISON) {
    @Override public boolean test(double a, double b) { return a > b; }
    @Override public boolean test(long a, long b) { return a > b; }
  },
  GREATER_EQUAL("GreaterEqual", Kind.COMPARISON) {
    @Override public boolean test(double a, double b) { return a >= b; }
    @Override public boolean test(long a, long b) { return a >= b; }
  },
  LOGICAL_AND("LogicalAnd", Kind.LOGICAL) {
    @Override public boolean test(long a, long b) { return a != 0 && b != 0; }
  },
  LOGICAL_OR("LogicalOr", Kind.LOGICAL) {
    @Override public boolean test(long a, long b) { return a != 0 || b != 0; }
  };

  /** How an op's dtypes work. */
  public enum Kind {
    /** Numbers (which ones: {@link #types()}), output of the same dtype. */
    ARITHMETIC,
    /** Any dtype (strings too), bool output. */
    EQUALITY,
    /** Numeric inputs, bool output. */
    COMPARISON,
    /** Bool inputs and output. */
    LOGICAL
  }

  private static final Set<BinaryOp> INTEGER_DIVISIONS = EnumSet.of(REAL_DIV, DIV, FLOOR_DIV, FLOOR_MOD);

  private final String tfName;
  private final Kind kind;
  private final TypeSupport types;

  BinaryOp(String tfName, Kind kind) {
    this(tfName, kind, defaultTypes(tfName, kind));
  }

  BinaryOp(String tfName, Kind kind, TypeSupport types) {
    this.tfName = tfName;
    this.kind = kind;
    this.types = types;
  }

  private static TypeSupport defaultTypes(String tfName, Kind kind) {
    switch (kind) {
      case ARITHMETIC:
        return TypeSupport.of(tfName.equals("Add") ? TypeSupport.union(TypeSupport.NUMERIC, EnumSet.of(DType.STRING))
            : TypeSupport.NUMERIC);
      case EQUALITY:
        return TypeSupport.of(EnumSet.allOf(DType.class));
      case COMPARISON:
        return TypeSupport.of(TypeSupport.NUMERIC);
      case LOGICAL:
        return TypeSupport.of(EnumSet.of(DType.BOOL));
      default:
        throw new AssertionError(kind);
    }
  }

  /** TensorFlow's op type name. */
  public String tfName() {
    return tfName;
  }

  public Kind kind() {
    return kind;
  }

  /** True if integer inputs can raise "Integer division by zero". */
  public boolean dividesIntegers() {
    return INTEGER_DIVISIONS.contains(this);
  }

  /** The dtypes the op takes (TensorFlow's CPU kernels) and those TF declares without a kernel. */
  public TypeSupport types() {
    return types;
  }

  /** Whether the op takes inputs of {@code dtype}. */
  public boolean accepts(DType dtype) {
    return types.accepts(dtype);
  }

  /** The output dtype for inputs of {@code dtype}. */
  public DType outputType(DType dtype) {
    return kind == Kind.ARITHMETIC ? dtype : DType.BOOL;
  }

  /** The floating-point result of an arithmetic op. */
  public double d(double a, double b) {
    throw new AssertionError(tfName + " has no arithmetic form");
  }

  /**
   * The float32 result of an arithmetic op: the double result rounded once, except where TF rounds an
   * intermediate to float32 first (FloorDiv's quotient, SquaredDifference's difference).
   */
  public float f(float a, float b) {
    return (float) d(a, b);
  }

  /** The integer result of an arithmetic op (before narrowing to the dtype). */
  public long l(long a, long b) {
    throw new AssertionError(tfName + " has no arithmetic form");
  }

  /** The result of a comparison on floating-point values. */
  public boolean test(double a, double b) {
    throw new AssertionError(tfName + " is not a comparison");
  }

  /** The result of a comparison (or logical op) on integer (or bool 0/1) values. */
  public boolean test(long a, long b) {
    throw new AssertionError(tfName + " is not a comparison");
  }
}
