package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The entry point for building graphs, TensorFlow 1's {@code tf.*} functions in Java:
 * <pre>{@code
 * Ops tf = Ops.create(graph);
 * Output a = tf.constant(5.0f);
 * Output c = tf.math.mul(a, tf.constant(6.0f));
 * }</pre>
 * Core ops are methods of this class; the others are in the namespaces {@link #math}, {@link #linalg},
 * {@link #nn}, {@link #array}, {@link #random} and {@link #sparse}. Immutable and thread-safe: the
 * {@code with*} methods return a new facade over a new {@link Scope}.
 */
public final class Ops {
  private final Scope scope;

  /** {@code tf.math}: element-wise and reduction arithmetic. */
  public final MathOps math;
  /** {@code tf.linalg}: matrix products and decompositions. */
  public final LinalgOps linalg;
  /** {@code tf.nn}: neural-network ops. */
  public final NnOps nn;
  /** Array manipulation: shapes, slices, concatenation. */
  public final ArrayOps array;
  /** {@code tf.random}: random tensors. */
  public final RandomOps random;
  /** {@code tf.sparse}: sparse tensors. */
  public final SparseOps sparse;

  private Ops(Scope scope) {
    this.scope = scope;
    this.math = new MathOps(scope);
    this.linalg = new LinalgOps(scope);
    this.nn = new NnOps(scope);
    this.array = new ArrayOps(scope);
    this.random = new RandomOps(scope);
    this.sparse = new SparseOps(scope);
  }

  /** A facade building into {@code graph}. */
  public static Ops create(Graph graph) {
    return new Ops(Scope.create(graph));
  }

  /** A facade building into this thread's default graph ({@link Graph#getDefault()}). */
  public static Ops create() {
    return create(Graph.getDefault());
  }

  /** A facade building in {@code scope}. */
  public static Ops create(Scope scope) {
    return new Ops(Objects.requireNonNull(scope, "scope"));
  }

  public Scope scope() {
    return scope;
  }

  public Graph graph() {
    return scope.graph();
  }

  // ---------------------------------------------------------------------------------------------
  // Scoping

  /** A facade whose next op is named {@code name} (made unique if taken). */
  public Ops withName(String name) {
    return new Ops(scope.withName(name));
  }

  /** A facade whose ops are named under {@code name/} ({@code tf.name_scope}). */
  public Ops withSubScope(String name) {
    return new Ops(scope.withSubScope(name));
  }

  /** A facade whose ops run after {@code controls} (Operations or Outputs), {@code tf.control_dependencies}. */
  public Ops withControlDependencies(Iterable<?> controls) {
    return new Ops(scope.withControlDependencies(controls));
  }

  /** {@link #withControlDependencies(Iterable)} with the controls as arguments. */
  public Ops withControlDependencies(Object... controls) {
    return withControlDependencies(Arrays.asList(controls));
  }

  // ---------------------------------------------------------------------------------------------
  // Constants and placeholders

  /** A float32 scalar constant. */
  public Output constant(float value) {
    return scope.constant(value, DType.FLOAT32);
  }

  /** A float64 scalar constant. */
  public Output constant(double value) {
    return scope.constant(value, DType.FLOAT64);
  }

  /** An int32 scalar constant. */
  public Output constant(int value) {
    return scope.constant(value, DType.INT32);
  }

  /** An int64 scalar constant. */
  public Output constant(long value) {
    return scope.constant(value, DType.INT64);
  }

  /** A bool scalar constant. */
  public Output constant(boolean value) {
    return scope.constant(value, DType.BOOL);
  }

  /** A string scalar constant. */
  public Output constant(String value) {
    return scope.constant(value, DType.STRING);
  }

  /**
   * A constant from a Java (nested) array, a boxed scalar or a {@link Tensor} (shared, not copied); the dtype
   * follows the Java type, as {@code tf.constant([10, 20])} follows Python's.
   */
  public Output constant(Object value) {
    return scope.constant(value, null);
  }

  /** A constant of {@code dtype} converted from a Java scalar or (nested) array, as {@code tf.constant(v, dtype)}. */
  public Output constant(Object value, DType dtype) {
    return scope.constant(value, Objects.requireNonNull(dtype, "dtype"));
  }

  /** A placeholder of any shape ({@code tf.compat.v1.placeholder(dtype)}); a step must feed it. */
  public Output placeholder(DType dtype) {
    return placeholder(dtype, Shape.unknown());
  }

  /**
   * A placeholder whose fed values must be compatible with {@code shape} ({@code -1} dims match any size);
   * a step that needs it must feed it.
   */
  public Output placeholder(DType dtype, Shape shape) {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    return scope.addOp("Placeholder", "Placeholder", Attrs.of("dtype", dtype, "shape", shape)).output(0);
  }

  /** A placeholder that yields {@code input} when not fed ({@code tf.compat.v1.placeholder_with_default}). */
  public Output placeholderWithDefault(Output input, Shape shape) {
    Objects.requireNonNull(shape, "shape");
    return scope.addOp("PlaceholderWithDefault", "PlaceholderWithDefault",
        Attrs.of("dtype", input.dtype(), "shape", shape), input).output(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Control flow

  /** {@code input} unchanged (shares its memory); useful to name a tensor or attach control dependencies. */
  public Output identity(Output input) {
    return scope.addOp("Identity", "Identity", Attrs.empty(), input).output(0);
  }

  /** An op that does nothing; with control dependencies it sequences others. */
  public Operation noOp() {
    return scope.addOp("NoOp", "NoOp", Attrs.empty());
  }

  /** An op that runs when all {@code inputs} (Operations or Outputs) have run, {@code tf.group}. */
  public Operation group(Object... inputs) {
    return group(Arrays.asList(inputs));
  }

  /** {@link #group(Object...)} over a list. */
  public Operation group(List<?> inputs) {
    return scope.withControlDependencies(inputs).addOp("NoOp", "group_deps", Attrs.empty());
  }

  // ---------------------------------------------------------------------------------------------
  // Persistent tensor handles

  /**
   * The handle of {@code data} ({@code tf.get_session_handle}): a scalar string tensor. Fetching it keeps the
   * value of {@code data} in the session's handle store and gives a {@link TensorHandle}.
   */
  public Output getSessionHandle(Output data) {
    return scope.addOp("GetSessionHandle", "GetSessionHandle", Attrs.empty(), data).output(0);
  }

  /**
   * {@link #getSessionHandle(Output)} for an argument of unchecked type, as Python passes it.
   *
   * @throws IllegalArgumentException if {@code data} is not an {@link Output} (TensorFlow's TypeError)
   */
  public Output getSessionHandle(Object data) {
    if (data instanceof Output o) {
      return getSessionHandle(o);
    }
    throw new IllegalArgumentException("`data` must be a Tensor, not " + (data == null ? "null"
        : data.getClass().getSimpleName()));
  }

  /**
   * A placeholder for a handle string and the tensor stored under the handle fed to it
   * ({@code p, t = tf.get_session_tensor(handle, dtype)}). {@code handle} only tells the device the tensor is on;
   * every handle of an in-process session is on its CPU. Reading a deleted handle fails with InvalidArgument;
   * reading it as another dtype fails naming both.
   */
  public SessionTensor getSessionTensor(String handle, DType dtype) {
    Objects.requireNonNull(dtype, "dtype");
    Output holder = scope.withoutName().addOp("Placeholder", "Placeholder",
        Attrs.of("dtype", DType.STRING, "shape", Shape.unknown())).output(0);
    Output tensor = scope.addOp("GetSessionTensor", "GetSessionTensor", Attrs.of("dtype", dtype), holder).output(0);
    return new SessionTensor(holder, tensor);
  }

  /** {@link #getSessionTensor(String, DType)} for a handle object. */
  public SessionTensor getSessionTensor(TensorHandle handle, DType dtype) {
    return getSessionTensor(handle.handle(), dtype);
  }

  /**
   * A placeholder for a handle string and the op that deletes the tensor under the handle fed to it
   * ({@code p, op = tf.delete_session_tensor(handle)}).
   */
  public SessionTensorDeleter deleteSessionTensor(String handle) {
    Output holder = scope.withoutName().addOp("Placeholder", "Placeholder",
        Attrs.of("dtype", DType.STRING, "shape", Shape.unknown())).output(0);
    Operation deleter = scope.addOp("DeleteSessionTensor", "DeleteSessionTensor", Attrs.empty(), holder);
    return new SessionTensorDeleter(holder, deleter);
  }

  /** {@link #deleteSessionTensor(String)} for a handle object. */
  public SessionTensorDeleter deleteSessionTensor(TensorHandle handle) {
    return deleteSessionTensor(handle.handle());
  }
}
