package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code tf.math} namespace of the {@link Ops} facade: elementwise arithmetic with numpy broadcasting,
 * comparisons, logic, casts and reductions, under TensorFlow's op names and semantics. Overloads taking a
 * Java number convert it to a constant of the other operand's dtype, as TF converts Python numbers, named under
 * the op ({@code add/y}); given reduction axes are likewise its {@code reduction_indices} (see {@link OpScope}).
 * Thread-safe as {@link Scope} is; bad dtypes fail with IllegalArgumentException (TF's TypeError), bad shapes
 * with InvalidArgumentException naming the op, both when the op is built.
 */
public final class MathOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public MathOps(Scope scope) {
    this.scope = scope;
  }

  private Output binary(String type, String name, Output x, Output y) {
    return scope.addOp(type, name, Attrs.empty(), x, y).output(0);
  }

  private Output unary(String type, String name, Output x) {
    return scope.addOp(type, name, Attrs.empty(), x).output(0);
  }

  /**
   * {@code value} as a Java scalar for a constant of {@code like}'s dtype; a fraction for an integer dtype is a
   * TypeError. Checked before the op's name is taken, so a refused number leaves the graph as it was.
   */
  private static Object scalarOf(Output like, double value) {
    DType t = like.dtype();
    if (t.isInteger() && value != Math.rint(value)) {
      throw new IllegalArgumentException("Cannot convert " + value + " to EagerTensor of dtype " + t);
    }
    if (t == DType.BOOL || t == DType.STRING) {
      throw new IllegalArgumentException("Cannot convert " + value + " to a " + t + " tensor");
    }
    switch (t) {
      case FLOAT32: return (float) value;
      case FLOAT64: return value;
      default: return (long) value;
    }
  }

  /**
   * {@code type(x, y)} for a Java number {@code y}: the number becomes the op's constant argument {@code name/y}
   * of x's dtype, as TensorFlow converts {@code x + 2.0} ({@code add/y}, {@code add}).
   */
  private Output binary(String type, String name, Output x, double y) {
    Object value = scalarOf(x, y);
    OpScope op = scope.opScope(name);
    return op.output(type, Attrs.empty(), x, op.argument("y").constant(value, x.dtype()));
  }

  // ---------------------------------------------------------------------------------------------
  // Binary arithmetic

  /** {@code x + y} (TF's AddV2; strings use {@link #addStrings}). */
  public Output add(Output x, Output y) {
    return binary("AddV2", "add", x, y);
  }

  public Output add(Output x, double y) {
    return binary("AddV2", "add", x, y);
  }

  /** String concatenation, TF's Add on strings. */
  public Output addStrings(Output x, Output y) {
    return binary("Add", "add", x, y);
  }

  public Output subtract(Output x, Output y) {
    return binary("Sub", "sub", x, y);
  }

  public Output subtract(Output x, double y) {
    return binary("Sub", "sub", x, y);
  }

  /** Alias of {@link #subtract}. */
  public Output sub(Output x, Output y) {
    return subtract(x, y);
  }

  public Output multiply(Output x, Output y) {
    return binary("Mul", "mul", x, y);
  }

  public Output multiply(Output x, double y) {
    return binary("Mul", "mul", x, y);
  }

  /** Alias of {@link #multiply}. */
  public Output mul(Output x, Output y) {
    return multiply(x, y);
  }

  /** {@code x / y} as {@code tf.math.divide}: true division (see {@link #truediv}). */
  public Output divide(Output x, Output y) {
    return truediv(x, y);
  }

  public Output divide(Output x, double y) {
    Object value = scalarOf(x, y);
    OpScope op = scope.opScope("truediv");
    return truediv(op, x, op.argument("y").constant(value, x.dtype()));
  }

  /**
   * True division: floats divide as RealDiv; int8/int16/uint8 are cast to float32 and int32/int64 to float64
   * first, as {@code tf.math.truediv} (the casts named {@code truediv/Cast} and {@code truediv/Cast_1}).
   */
  public Output truediv(Output x, Output y) {
    return truediv(scope.opScope("truediv"), x, y);
  }

  private static Output truediv(OpScope op, Output x, Output y) {
    DType t = x.dtype();
    if (t.isInteger() && t == y.dtype()) {
      DType f = t == DType.INT32 || t == DType.INT64 ? DType.FLOAT64 : DType.FLOAT32;
      MathOps helpers = new MathOps(op.helpers());
      x = helpers.cast(x, f);
      y = helpers.cast(y, f);
    }
    return op.output("RealDiv", Attrs.empty(), x, y);
  }

  /** TF's Div: float division, or truncating integer division. */
  public Output div(Output x, Output y) {
    return binary("Div", "div", x, y);
  }

  public Output realDiv(Output x, Output y) {
    return binary("RealDiv", "RealDiv", x, y);
  }

  /** Division rounding toward negative infinity (floor of the float quotient for floats). */
  public Output floorDiv(Output x, Output y) {
    return binary("FloorDiv", "floordiv", x, y);
  }

  /** The remainder of {@link #floorDiv}, with the divisor's sign. */
  public Output floorMod(Output x, Output y) {
    return binary("FloorMod", "floormod", x, y);
  }

  /** Alias of {@link #floorMod}, {@code tf.math.mod}. */
  public Output mod(Output x, Output y) {
    return floorMod(x, y);
  }

  public Output pow(Output x, Output y) {
    return binary("Pow", "pow", x, y);
  }

  public Output pow(Output x, double y) {
    return binary("Pow", "pow", x, y);
  }

  public Output maximum(Output x, Output y) {
    return binary("Maximum", "Maximum", x, y);
  }

  public Output maximum(Output x, double y) {
    return binary("Maximum", "Maximum", x, y);
  }

  public Output minimum(Output x, Output y) {
    return binary("Minimum", "Minimum", x, y);
  }

  public Output minimum(Output x, double y) {
    return binary("Minimum", "Minimum", x, y);
  }

  public Output squaredDifference(Output x, Output y) {
    return binary("SquaredDifference", "SquaredDifference", x, y);
  }

  // ---------------------------------------------------------------------------------------------
  // Comparison and logic

  public Output equal(Output x, Output y) {
    return binary("Equal", "Equal", x, y);
  }

  public Output notEqual(Output x, Output y) {
    return binary("NotEqual", "NotEqual", x, y);
  }

  public Output less(Output x, Output y) {
    return binary("Less", "Less", x, y);
  }

  public Output less(Output x, double y) {
    return binary("Less", "Less", x, y);
  }

  public Output lessEqual(Output x, Output y) {
    return binary("LessEqual", "LessEqual", x, y);
  }

  public Output greater(Output x, Output y) {
    return binary("Greater", "Greater", x, y);
  }

  public Output greater(Output x, double y) {
    return binary("Greater", "Greater", x, y);
  }

  public Output greaterEqual(Output x, Output y) {
    return binary("GreaterEqual", "GreaterEqual", x, y);
  }

  public Output logicalAnd(Output x, Output y) {
    return binary("LogicalAnd", "LogicalAnd", x, y);
  }

  public Output logicalOr(Output x, Output y) {
    return binary("LogicalOr", "LogicalOr", x, y);
  }

  /**
   * {@code (x | y) & !(x & y)}, composed as {@code tf.math.logical_xor} is: the inner ops keep their default
   * names and the outer LogicalAnd takes this scope's name, or {@code LogicalXor}.
   */
  public Output logicalXor(Output x, Output y) {
    MathOps inner = new MathOps(scope.withoutName());
    Output either = inner.logicalOr(x, y);
    Output notBoth = inner.logicalNot(inner.logicalAnd(x, y));
    return binary("LogicalAnd", "LogicalXor", either, notBoth);
  }

  public Output logicalNot(Output x) {
    return unary("LogicalNot", "LogicalNot", x);
  }

  /** Elements of {@code x} where {@code condition} is true, else of {@code y}, all broadcast (TF2's where). */
  public Output where(Output condition, Output x, Output y) {
    return scope.addOp("SelectV2", "SelectV2", Attrs.empty(), condition, x, y).output(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Unary

  public Output negative(Output x) {
    return unary("Neg", "Neg", x);
  }

  /** Alias of {@link #negative}. */
  public Output neg(Output x) {
    return negative(x);
  }

  public Output abs(Output x) {
    return unary("Abs", "Abs", x);
  }

  public Output sign(Output x) {
    return unary("Sign", "Sign", x);
  }

  public Output square(Output x) {
    return unary("Square", "Square", x);
  }

  public Output sqrt(Output x) {
    return unary("Sqrt", "Sqrt", x);
  }

  public Output rsqrt(Output x) {
    return unary("Rsqrt", "Rsqrt", x);
  }

  public Output exp(Output x) {
    return unary("Exp", "Exp", x);
  }

  public Output expm1(Output x) {
    return unary("Expm1", "Expm1", x);
  }

  public Output log(Output x) {
    return unary("Log", "Log", x);
  }

  public Output log1p(Output x) {
    return unary("Log1p", "Log1p", x);
  }

  public Output sin(Output x) {
    return unary("Sin", "Sin", x);
  }

  public Output cos(Output x) {
    return unary("Cos", "Cos", x);
  }

  public Output tan(Output x) {
    return unary("Tan", "Tan", x);
  }

  public Output tanh(Output x) {
    return unary("Tanh", "Tanh", x);
  }

  public Output sigmoid(Output x) {
    return unary("Sigmoid", "Sigmoid", x);
  }

  public Output floor(Output x) {
    return unary("Floor", "Floor", x);
  }

  public Output ceil(Output x) {
    return unary("Ceil", "Ceil", x);
  }

  /** Rounds half to even, as TF's Round. */
  public Output round(Output x) {
    return unary("Round", "Round", x);
  }

  public Output isNan(Output x) {
    return unary("IsNan", "IsNan", x);
  }

  public Output isInf(Output x) {
    return unary("IsInf", "IsInf", x);
  }

  public Output isFinite(Output x) {
    return unary("IsFinite", "IsFinite", x);
  }

  /** {@code x} converted to {@code dtype} with TF's Cast semantics; the identity if the dtype already matches. */
  public Output cast(Output x, DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    if (x.dtype() == dtype) {
      return x;
    }
    return scope.addOp("Cast", "Cast", Attrs.of("DstT", dtype), x).output(0);
  }

  /** The elementwise sum of tensors of one dtype and shape. */
  public Output addN(List<Output> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("addN needs at least one input");
    }
    return scope.addOp("AddN", "AddN", Attrs.empty(), inputs).output(0);
  }

  public Output addN(Output... inputs) {
    return addN(Arrays.asList(inputs));
  }

  // ---------------------------------------------------------------------------------------------
  // Reductions

  /**
   * A reduction over {@code axes}: given axes are the op's constant argument {@code name/reduction_indices}; no
   * axes means every axis (TF's {@code axis=None}), whose helpers TF builds before the op's name scope, so they
   * keep their own names: a constant {@code Const} for a known rank, else {@code Rank} and {@code range}.
   */
  private Output reduce(String type, String name, Output x, int[] axes, boolean keepDims) {
    Attrs attrs = Attrs.of("keep_dims", keepDims);
    if (axes != null && axes.length > 0) {
      OpScope op = scope.opScope(name);
      return op.output(type, attrs, x, op.argument("reduction_indices").constant(axes, DType.INT32));
    }
    return scope.addOp(type, name, attrs, x, allAxes(x)).output(0);
  }

  /** The int32 vector {@code [0, rank)} of {@code x}: a constant for a known rank, else Range(0, Rank(x), 1). */
  private Output allAxes(Output x) {
    Scope top = scope.withoutName();
    int rank = x.shape().rank();
    if (rank >= 0) {
      int[] all = new int[rank];
      for (int i = 0; i < rank; i++) {
        all[i] = i;
      }
      return top.constant(all, DType.INT32);
    }
    Output r = top.addOp("Rank", "Rank", Attrs.empty(), x).output(0);
    OpScope range = top.opScope("range");
    Output start = range.argument("start").constant(0, DType.INT32);
    Output delta = range.argument("delta").constant(1, DType.INT32);
    return range.output("Range", Attrs.empty(), start, r, delta);
  }

  /** {@code type(x, axis)} with the axis as the op's int32 constant argument {@code name/arg}. */
  private Output alongAxis(String type, String name, Attrs attrs, Output x, String arg, int axis) {
    OpScope op = scope.opScope(name);
    return op.output(type, attrs, x, op.argument(arg).constant(axis, DType.INT32));
  }

  /** The sum over {@code axes} (every axis if none are given), keeping reduced dims as 1 if {@code keepDims}. */
  public Output reduceSum(Output x, int[] axes, boolean keepDims) {
    return reduce("Sum", "Sum", x, axes, keepDims);
  }

  /** The sum over {@code axes} (every axis if none), dropping them. */
  public Output reduceSum(Output x, int... axes) {
    return reduceSum(x, axes, false);
  }

  /** The sum over axes given as a tensor ({@code []} sums nothing: the identity, as TF). */
  public Output reduceSum(Output x, Output axes, boolean keepDims) {
    return scope.addOp("Sum", "Sum", Attrs.of("keep_dims", keepDims), x, axes).output(0);
  }

  /** The mean; integer means truncate, as TF's. */
  public Output reduceMean(Output x, int[] axes, boolean keepDims) {
    return reduce("Mean", "Mean", x, axes, keepDims);
  }

  public Output reduceMean(Output x, int... axes) {
    return reduceMean(x, axes, false);
  }

  public Output reduceMax(Output x, int[] axes, boolean keepDims) {
    return reduce("Max", "Max", x, axes, keepDims);
  }

  public Output reduceMax(Output x, int... axes) {
    return reduceMax(x, axes, false);
  }

  public Output reduceMin(Output x, int[] axes, boolean keepDims) {
    return reduce("Min", "Min", x, axes, keepDims);
  }

  public Output reduceMin(Output x, int... axes) {
    return reduceMin(x, axes, false);
  }

  public Output reduceProd(Output x, int[] axes, boolean keepDims) {
    return reduce("Prod", "Prod", x, axes, keepDims);
  }

  public Output reduceProd(Output x, int... axes) {
    return reduceProd(x, axes, false);
  }

  public Output reduceAll(Output x, int[] axes, boolean keepDims) {
    return reduce("All", "All", x, axes, keepDims);
  }

  public Output reduceAll(Output x, int... axes) {
    return reduceAll(x, axes, false);
  }

  public Output reduceAny(Output x, int[] axes, boolean keepDims) {
    return reduce("Any", "Any", x, axes, keepDims);
  }

  public Output reduceAny(Output x, int... axes) {
    return reduceAny(x, axes, false);
  }

  /** The index of the largest value along {@code axis}, int64 (the first on ties). */
  public Output argMax(Output x, int axis) {
    return argMax(x, axis, DType.INT64);
  }

  public Output argMax(Output x, int axis, DType outputType) {
    return alongAxis("ArgMax", "ArgMax", Attrs.of("output_type", outputType), x, "dimension", axis);
  }

  public Output argMin(Output x, int axis) {
    return argMin(x, axis, DType.INT64);
  }

  public Output argMin(Output x, int axis, DType outputType) {
    return alongAxis("ArgMin", "ArgMin", Attrs.of("output_type", outputType), x, "dimension", axis);
  }

  /** The running sum along {@code axis}. */
  public Output cumsum(Output x, int axis) {
    return cumsum(x, axis, false, false);
  }

  /** The running sum; {@code exclusive} starts at 0, {@code reverse} runs from the end. */
  public Output cumsum(Output x, int axis, boolean exclusive, boolean reverse) {
    return alongAxis("Cumsum", "Cumsum", Attrs.of("exclusive", exclusive, "reverse", reverse), x, "axis", axis);
  }

  public Output cumprod(Output x, int axis, boolean exclusive, boolean reverse) {
    return alongAxis("Cumprod", "Cumprod", Attrs.of("exclusive", exclusive, "reverse", reverse), x, "axis", axis);
  }
}
