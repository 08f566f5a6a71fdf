package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A dataflow graph: TensorFlow 1's {@code tf.Graph}. Operations are only ever added, never changed or
 * removed, so an {@link Operation} seen once stays valid; sessions plan steps over the graph as it is when
 * they run.
 *
 * <p><b>Names.</b> Every op gets a unique name as TensorFlow gives it: the first {@code mul}, then
 * {@code mul_1}, {@code mul_2}; names are case-insensitively unique, and name scopes ({@link Scope#withSubScope})
 * prefix them ({@code layer/mul}). Ops are found by name ({@code "c"}) and tensors by {@code "c:0"}.
 *
 * <p><b>Threads and memory.</b> Building is thread-safe. The graph owns the values of its constants (Arrow
 * memory from the allocator it was created with); {@link #close()} releases them, after which the graph can
 * neither be built nor run.
 */
public final class Graph implements AutoCloseable {
  private static final ThreadLocal<Deque<Graph>> DEFAULT_STACK = ThreadLocal.withInitial(ArrayDeque::new);
  private static volatile Graph globalDefault;

  private final BufferAllocator allocator;
  private final OpRegistry registry;
  private final Object lock = new Object();
  private final List<Operation> operations = new ArrayList<>();
  private final Map<String, Operation> byName = new HashMap<>();
  private final Map<String, Integer> namesInUse = new HashMap<>();
  private volatile int size;
  private volatile boolean closed;
  private volatile Long randomSeed;
  private final Set<Operation> handleFeeders = ConcurrentHashMap.newKeySet();

  /** A graph whose constants live in Quiver's shared default allocator, with the global op registry. */
  public Graph() {
    this(DefaultAllocator.get());
  }

  /** A graph whose constants live in {@code allocator}, with the global op registry. */
  public Graph(BufferAllocator allocator) {
    this(allocator, OpRegistry.global());
  }

  /** A graph over a registry of its own, for tests that declare their own ops. */
  public Graph(BufferAllocator allocator, OpRegistry registry) {
    this.allocator = java.util.Objects.requireNonNull(allocator, "allocator");
    this.registry = java.util.Objects.requireNonNull(registry, "registry");
  }

  // ---------------------------------------------------------------------------------------------
  // Default graph

  /**
   * The default graph of this thread: the innermost {@link #asDefault()} scope open on this thread, else
   * the process-wide default graph (created on first use), as {@code tf.compat.v1.get_default_graph()}.
   */
  public static Graph getDefault() {
    Graph g = DEFAULT_STACK.get().peek();
    if (g != null) {
      return g;
    }
    Graph global = globalDefault;
    if (global == null || global.closed) {
      synchronized (Graph.class) {
        global = globalDefault;
        if (global == null || global.closed) {
          global = new Graph();
          globalDefault = global;
        }
      }
    }
    return global;
  }

  /**
   * Makes this graph the default graph of the current thread until the returned scope closes
   * ({@code with graph.as_default():}). Scopes nest; close them in reverse order. Does not close the graph.
   */
  public DefaultScope asDefault() {
    Deque<Graph> stack = DEFAULT_STACK.get();
    stack.push(this);
    return new DefaultScope(stack, this);
  }

  /** The scope of an {@link #asDefault()} call; closing it restores the previous default graph. */
  public static final class DefaultScope implements AutoCloseable {
    private final Deque<Graph> stack;
    private final Graph graph;
    private boolean closed;

    private DefaultScope(Deque<Graph> stack, Graph graph) {
      this.stack = stack;
      this.graph = graph;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (stack.peek() != graph) {
        throw new IllegalStateException("default graph scopes must close in reverse order of opening");
      }
      stack.pop();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  /** The op named {@code name}, or null if there is none. */
  public Operation operation(String name) {
    synchronized (lock) {
      return byName.get(name);
    }
  }

  /**
   * The op named {@code name} ({@code "c"}).
   *
   * @throws NotFoundException with TensorFlow's wording if there is none
   */
  public Operation operationByName(String name) {
    Operation op = operation(name);
    if (op == null) {
      throw new NotFoundException("The name '" + name + "' refers to an Operation not in the graph.");
    }
    return op;
  }

  /**
   * The tensor named {@code name} ({@code "c:0"}).
   *
   * @throws NotFoundException with TensorFlow's wording if the op or output does not exist
   * @throws IllegalArgumentException if the name is not of the form {@code op:index}
   */
  public Output outputByName(String name) {
    int colon = name.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("The name '" + name + "' looks like an (invalid) Operation name, not a"
          + " Tensor. Tensor names must be of the form \"<op_name>:<output_index>\".");
    }
    String opName = name.substring(0, colon);
    int index;
    try {
      index = Integer.parseInt(name.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("The name '" + name + "' looks a like a Tensor name, but is not a valid"
          + " one. Tensor names must be of the form \"<op_name>:<output_index>\".");
    }
    Operation op = operation(opName);
    if (op == null) {
      throw new NotFoundException("The name '" + name + "' refers to a Tensor which does not exist. The operation, '"
          + opName + "', does not exist in the graph.");
    }
    if (index < 0 || index >= op.numOutputs()) {
      throw new NotFoundException("The name '" + name + "' refers to a Tensor which does not exist. The operation, '"
          + opName + "', exists but only has " + op.numOutputs() + " outputs.");
    }
    return op.output(index);
  }

  /**
   * An op or a tensor by name: {@code "c:0"} is a tensor, {@code "c"} an op, as {@code as_graph_element}.
   *
   * @throws NotFoundException if nothing in the graph has that name
   */
  public Object element(String name) {
    if (name.indexOf(':') >= 0) {
      return outputByName(name);
    }
    return operationByName(name);
  }

  /** Every op in the order it was added (a topological order). An immutable snapshot. */
  public List<Operation> operations() {
    synchronized (lock) {
      return List.copyOf(operations);
    }
  }

  /** The number of ops added so far. */
  public int size() {
    return size;
  }

  /**
   * Sets the graph-level random seed, as {@code tf.compat.v1.set_random_seed}: random ops built afterwards
   * without an op seed take the graph seed and a per-graph counter of such ops, so the program gives the same
   * values on every run; ops with their own seed combine both (TF 2.21's {@code get_seed} rules).
   */
  public void setRandomSeed(long seed) {
    this.randomSeed = seed;
  }

  /** The graph-level random seed, or null if none was set (TensorFlow's {@code graph.seed}). */
  public Long randomSeed() {
    return randomSeed;
  }

  /** The allocator that holds the values of this graph's constants. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** The registry this graph resolves op types in. */
  public OpRegistry registry() {
    return registry;
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Records that {@code placeholder} takes handle strings: it was built by {@link Ops#getSessionTensor} or
   * {@link Ops#deleteSessionTensor} (TensorFlow's {@code graph._handle_feeders}). A {@link TensorHandle} fed to it
   * feeds its handle string; fed anywhere else it feeds its stored tensor.
   */
  void registerHandleFeeder(Output placeholder) {
    handleFeeders.add(placeholder.op());
  }

  /** True if {@code output} is the placeholder of a {@code getSessionTensor} or {@code deleteSessionTensor} pair. */
  boolean isHandleFeeder(Output output) {
    return output.index() == 0 && handleFeeders.contains(output.op());
  }

  /** The serializable form of this graph, TensorFlow's {@code GraphDef}; see {@link GraphDef}. */
  public GraphDef graphDef() {
    return GraphDef.of(this);
  }

  /**
   * Adds every op of {@code def} to this graph under the same names, as {@code tf.import_graph_def(def, name="")}.
   *
   * @throws InvalidArgumentException if an op does not build (bad input, an attribute its op does not declare or
   *     of the wrong type, a missing required attribute, bad shapes) or a name is taken already; ops added before
   *     the failure stay in the graph
   * @throws dev.quiver.errors.NotFoundException if no registered library declares an op's type
   */
  public void importGraphDef(GraphDef def) {
    def.importInto(this);
  }

  /** Releases the constants' memory. Idempotent; later building or running of this graph fails. */
  @Override
  public void close() {
    List<Operation> ops;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      ops = new ArrayList<>(operations);
    }
    for (Operation op : ops) {
      for (Object v : op.attrs().asMap().values()) {
        if (v instanceof Tensor t) {
          t.close();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Graph(" + size() + " ops)";
  }

  // ---------------------------------------------------------------------------------------------
  // Building (through Scope)

  /**
   * TensorFlow's {@code Graph.unique_name}: {@code name} if unused, else {@code name_1}, {@code name_2}...
   * compared case-insensitively; marks the result used.
   */
  String uniqueName(String name) {
    synchronized (lock) {
      return uniqueNameLocked(name);
    }
  }

  private String uniqueNameLocked(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    Integer used = namesInUse.get(key);
    int i = used == null ? 0 : used;
    namesInUse.put(key, i + 1);
    if (i == 0) {
      return name;
    }
    String base = key;
    String candidate = key;
    while (namesInUse.containsKey(candidate)) {
      candidate = base + "_" + i;
      i++;
    }
    namesInUse.put(candidate, 1);
    return name + "_" + (i - 1);
  }

  /** Marks {@code name} used so {@link #uniqueName} never hands it out, for imports that keep names. */
  private void markUsedLocked(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    namesInUse.merge(key, 1, Math::max);
  }

  /**
   * Builds and adds one op. {@code name} is the full name (scope included) before uniquification, or the exact
   * name when {@code exactName}. Tensor attributes are shared: the graph keeps its own reference.
   */
  Operation addOperation(String type, String name, boolean exactName, Attrs attrs, List<Output> inputs,
                         List<Operation> controlInputs) {
    if (closed) {
      throw new IllegalStateException("graph is closed; cannot add op '" + name + "'");
    }
    OpDef def = registry.get(type);
    for (int i = 0; i < inputs.size(); i++) {
      Output in = inputs.get(i);
      if (in == null) {
        throw new IllegalArgumentException(type + " op '" + name + "': input " + i + " is null");
      }
      if (in.op().graph() != this) {
        throw new IllegalArgumentException(type + " op '" + name + "': input " + i + " (" + in.name()
            + ") must be from the same graph as the op");
      }
    }
    for (Operation c : controlInputs) {
      if (c.graph() != this) {
        throw new IllegalArgumentException(type + " op '" + name + "': control input " + c.name()
            + " must be from the same graph as the op");
      }
    }
    if (inputs.size() < def.minInputs() || inputs.size() > def.maxInputs()) {
      String expected = def.minInputs() == def.maxInputs() ? Integer.toString(def.minInputs())
          : def.maxInputs() == Integer.MAX_VALUE ? "at least " + def.minInputs()
          : "between " + def.minInputs() + " and " + def.maxInputs();
      throw new InvalidArgumentException(type + " op '" + name + "' takes " + expected + " inputs, got "
          + inputs.size());
    }
    List<DType> inputTypes = new ArrayList<>(inputs.size());
    for (Output in : inputs) {
      inputTypes.add(in.dtype());
    }
    Attrs owned = shareTensorAttrs(def.resolveAttrs(name, attrs, inputTypes)); // checked as the op declares them
    try {
      synchronized (lock) {
        if (closed) {
          throw new IllegalStateException("graph is closed; cannot add op '" + name + "'");
        }
        String unique;
        if (exactName) {
          if (byName.containsKey(name)) {
            throw new InvalidArgumentException("an op named '" + name + "' is in the graph already");
          }
          unique = name;
          markUsedLocked(name);
        } else {
          unique = uniqueNameLocked(name);
        }
        List<TensorSpec> specs = def.shapeFunction().infer(new Inference(type, unique, owned, inputs));
        if (specs == null) {
          throw new IllegalStateException("shape function of " + type + " returned null");
        }
        Operation op = new Operation(this, operations.size(), unique, def, owned, List.copyOf(inputs),
            List.copyOf(new LinkedHashMap<Operation, Boolean>(toMap(controlInputs)).keySet()), specs);
        operations.add(op);
        byName.put(unique, op);
        size = operations.size();
        return op;
      }
    } catch (RuntimeException e) {
      closeTensorAttrs(owned);
      throw e;
    }
  }

  private static Map<Operation, Boolean> toMap(List<Operation> ops) {
    Map<Operation, Boolean> m = new LinkedHashMap<>();
    for (Operation o : ops) {
      m.put(o, Boolean.TRUE);
    }
    return m;
  }

  private static Attrs shareTensorAttrs(Attrs attrs) {
    Attrs result = attrs;
    for (Map.Entry<String, Object> e : attrs.asMap().entrySet()) {
      if (e.getValue() instanceof Tensor t) {
        result = result.with(e.getKey(), t.share());
      }
    }
    return result;
  }

  private static void closeTensorAttrs(Attrs attrs) {
    for (Object v : attrs.asMap().values()) {
      if (v instanceof Tensor t) {
        t.close();
      }
    }
  }

  /** Build-time view of an op's inputs for its shape function. */
  private static final class Inference implements InferenceContext {
    private final String type;
    private final String name;
    private final Attrs attrs;
    private final List<Output> inputs;

    Inference(String type, String name, Attrs attrs, List<Output> inputs) {
      this.type = type;
      this.name = name;
      this.attrs = attrs;
      this.inputs = inputs;
    }

    @Override
    public String opName() {
      return name;
    }

    @Override
    public String opType() {
      return type;
    }

    @Override
    public int numInputs() {
      return inputs.size();
    }

    @Override
    public DType inputDType(int i) {
      return inputs.get(i).dtype();
    }

    @Override
    public Shape inputShape(int i) {
      return inputs.get(i).shape();
    }

    @Override
    public Attrs attrs() {
      return attrs;
    }

    @Override
    public Tensor constantInput(int i) {
      return inputs.get(i).constantValue();
    }
  }
}
