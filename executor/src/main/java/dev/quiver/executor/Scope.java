package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where new ops go: a graph, a name scope, an optional name for the next op and the control dependencies
 * every new op gets. Immutable: {@code with*} methods return a new scope. Thread-safe, as the graph is.
 *
 * <p>Op wrappers ({@link Ops} and its namespaces) build through {@link #addOp}, which checks the inputs
 * and runs the op's shape inference at once, so a bad shape fails when the graph is built, naming the op.
 */
public final class Scope {
  private static final Pattern OP_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/>]*");

  private final Graph graph;
  private final String prefix; // "" or "outer/inner/"
  private final String name; // the next op's name, or null for the op type's default
  private final List<Operation> controlDependencies;

  private Scope(Graph graph, String prefix, String name, List<Operation> controlDependencies) {
    this.graph = graph;
    this.prefix = prefix;
    this.name = name;
    this.controlDependencies = controlDependencies;
  }

  /** The root scope of {@code graph}: no name scope, no control dependencies. */
  public static Scope create(Graph graph) {
    return new Scope(Objects.requireNonNull(graph, "graph"), "", null, List.of());
  }

  public Graph graph() {
    return graph;
  }

  /** The name scope prefix, {@code ""} or ending in {@code /}. */
  public String namePrefix() {
    return prefix;
  }

  /** The control dependencies new ops get. */
  public List<Operation> controlDependencies() {
    return controlDependencies;
  }

  /**
   * A scope whose ops are named under {@code name/}, made unique like an op name ({@code tf.name_scope}):
   * opening {@code "layer"} twice gives {@code layer/} and {@code layer_1/}.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid op name
   */
  public Scope withSubScope(String name) {
    validate(name);
    String unique = graph.uniqueName(prefix + name);
    return new Scope(graph, unique + "/", null, controlDependencies);
  }

  /**
   * A scope whose next op is named {@code name} (within the name scope; made unique if taken).
   *
   * @throws IllegalArgumentException if {@code name} is not a valid op name
   */
  public Scope withName(String name) {
    validate(name);
    return new Scope(graph, prefix, name, controlDependencies);
  }

  /**
   * This scope without the name set by {@link #withName}: for the helper ops a composite op builds before the
   * op that takes the name.
   */
  public Scope withoutName() {
    return name == null ? this : new Scope(graph, prefix, null, controlDependencies);
  }

  /**
   * A scope whose ops run only after {@code controls} (added to the current dependencies, as nested
   * {@code tf.control_dependencies} blocks). Elements are {@link Operation}s or {@link Output}s (their op).
   */
  public Scope withControlDependencies(Iterable<?> controls) {
    List<Operation> deps = new ArrayList<>(controlDependencies);
    for (Object c : controls) {
      Operation op = toOperation(c);
      if (op.graph() != graph) {
        throw new IllegalArgumentException("control dependency " + op.name() + " is from another graph");
      }
      if (!deps.contains(op)) {
        deps.add(op);
      }
    }
    return new Scope(graph, prefix, name, List.copyOf(deps));
  }

  /** A scope with no control dependencies ({@code tf.control_dependencies(None)}). */
  public Scope withoutControlDependencies() {
    return new Scope(graph, prefix, name, List.of());
  }

  static Operation toOperation(Object c) {
    if (c instanceof Operation op) {
      return op;
    }
    if (c instanceof Output out) {
      return out.op();
    }
    throw new IllegalArgumentException("Can not convert a " + (c == null ? "null" : c.getClass().getSimpleName())
        + " into an Operation; control dependencies must be Operations or Outputs");
  }

  /** The full name the next op of default name {@code defaultName} would be given before uniquification. */
  String opName(String defaultName) {
    return prefix + (name != null ? name : defaultName);
  }

  /**
   * Opens the name scope of one op of default name {@code defaultName}, as TensorFlow's op wrappers do: takes the
   * op's unique name now (this scope's name, or the default, within the name scope), so that the helper ops the
   * facade builds for it are named under it and the op itself gets exactly that name (see {@link OpScope}).
   */
  OpScope opScope(String defaultName) {
    String unique = graph.uniqueName(opName(Objects.requireNonNull(defaultName, "defaultName")));
    return new OpScope(this, unique, new Scope(graph, unique + "/", null, controlDependencies));
  }

  /** Adds an op under the full name {@code fullName}, taken already by {@link #opScope}, not made unique again. */
  Operation addNamed(String type, String fullName, Attrs attrs, List<Output> inputs) {
    return graph.addOperation(type, fullName, true, attrs == null ? Attrs.empty() : attrs, inputs,
        controlDependencies);
  }

  /**
   * Adds an op of {@code type} to the graph, named by this scope (or {@code defaultName}), with this scope's
   * control dependencies, after shape inference.
   *
   * @throws dev.quiver.errors.NotFoundException if no library declares {@code type}
   * @throws dev.quiver.errors.InvalidArgumentException naming the op if the inputs' count, dtypes or shapes
   *     are invalid for it
   * @throws IllegalArgumentException if an input is null or from another graph
   */
  public Operation addOp(String type, String defaultName, Attrs attrs, Output... inputs) {
    return addOp(type, defaultName, attrs, Arrays.asList(inputs));
  }

  /** {@link #addOp(String, String, Attrs, Output...)} with the inputs in a list. */
  public Operation addOp(String type, String defaultName, Attrs attrs, List<Output> inputs) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultName, "defaultName");
    return graph.addOperation(type, opName(defaultName), false, attrs == null ? Attrs.empty() : attrs,
        inputs, controlDependencies);
  }

  /**
   * A constant holding {@code javaValue}: a Java scalar, a (nested) array, or a {@link Tensor} (shared, not
   * copied; the caller still closes its own). {@code dtype} converts the value as numpy would, or is null to
   * follow the Java type.
   *
   * @throws dev.quiver.errors.InvalidArgumentException if the value cannot be converted to {@code dtype}
   */
  public Output constant(Object javaValue, DType dtype) {
    Objects.requireNonNull(javaValue, "a constant's value must not be null");
    if (javaValue instanceof Tensor t) {
      if (dtype != null && dtype != t.dtype()) {
        throw new dev.quiver.errors.InvalidArgumentException("cannot make a " + dtype + " constant from a "
            + t.dtype() + " tensor");
      }
      return addOp("Const", "Const", Attrs.of("value", t, "dtype", t.dtype())).output(0);
    }
    try (Tensor t = dtype == null ? Tensor.fromArray(graph.allocator(), javaValue)
        : Tensor.fromArray(graph.allocator(), dtype, javaValue)) {
      return addOp("Const", "Const", Attrs.of("value", t, "dtype", t.dtype())).output(0);
    }
  }

  private static void validate(String name) {
    if (name == null || !OP_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a valid node name");
    }
  }

  @Override
  public String toString() {
    return "Scope(" + (prefix.isEmpty() ? "<root>" : prefix) + ")";
  }
}
