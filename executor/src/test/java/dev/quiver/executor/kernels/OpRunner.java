package dev.quiver.executor.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Operation;
import dev.quiver.executor.Output;
import dev.quiver.executor.Scope;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Runs one registered op outside any graph, for kernel tests: build-time inference (inputs seen as
 * constants unless {@link #dynamic()}), then the kernel, then a check that every output matches the
 * inferred spec. Owns its inputs and outputs; close it after reading the outputs. (Whole graphs and the
 * differential suite run through {@link Graph} and {@code Session}; this is the kernel-level view, with a
 * chosen intra-op pool and per-op state kept across {@link #again() runs}.)
 */
public final class OpRunner implements KernelContext, InferenceContext, AutoCloseable {
  private static final IntraOpPool POOL = new IntraOpPool(2);

  private final BufferAllocator allocator;
  private final String type;
  private final List<Tensor> inputs = new ArrayList<>();
  private final Map<Object, Object> state;
  private Attrs attrs = Attrs.empty();
  private IntraOpPool pool = POOL;
  private boolean constants = true;
  private Tensor[] outputs = new Tensor[0];
  private List<TensorSpec> specs;

  private OpRunner(BufferAllocator allocator, String type, Map<Object, Object> state) {
    this.allocator = allocator;
    this.type = type;
    this.state = state;
  }

  public static OpRunner op(BufferAllocator allocator, String type) {
    return new OpRunner(allocator, type, new ConcurrentHashMap<>());
  }

  /**
   * Runs {@code type} once on {@code pool} with the caller's {@code inputs} (shared, not taken) and returns its
   * first output, which the caller closes.
   */
  public static Tensor run1(BufferAllocator allocator, IntraOpPool pool, String type, Attrs attrs,
                            Tensor... inputs) {
    try (OpRunner r = op(allocator, type).pool(pool)) {
      r.attrs = attrs;
      for (Tensor t : inputs) {
        r.input(t.share());
      }
      return r.run().share();
    }
  }

  /**
   * Build-time inference alone, from dtypes and (partial) shapes: the op, named after its type in lower case,
   * is added to a graph on placeholders, so this is exactly what {@link Graph} infers.
   */
  public static List<TensorSpec> inferSpecs(String type, Attrs attrs, DType[] dtypes, Shape[] shapes) {
    try (Graph g = new Graph()) {
      Scope scope = Scope.create(g);
      List<Output> inputs = new ArrayList<>();
      for (int i = 0; i < dtypes.length; i++) {
        inputs.add(scope.withName("input" + i).addOp("Placeholder", "Placeholder",
            Attrs.of("dtype", dtypes[i], "shape", shapes[i])).output(0));
      }
      Operation op = scope.withName(type.toLowerCase()).addOp(type, type, attrs, inputs);
      List<TensorSpec> specs = new ArrayList<>();
      for (Output o : op.outputs()) {
        specs.add(new TensorSpec(o.dtype(), o.shape()));
      }
      return specs;
    }
  }

  /** A runner of the same op sharing this one's per-op state (a second run in the same session). */
  public OpRunner again() {
    OpRunner r = new OpRunner(allocator, type, state);
    r.attrs = attrs;
    r.pool = pool;
    r.constants = constants;
    for (Tensor t : inputs) {
      r.inputs.add(t.share());
    }
    return r;
  }

  /** Adds an input; the runner takes ownership. */
  public OpRunner input(Tensor t) {
    inputs.add(t);
    return this;
  }

  public OpRunner attr(String name, Object value) {
    attrs = attrs.with(name, value);
    return this;
  }

  /** Runs the kernel on {@code pool} instead of the shared two-thread pool (the caller closes it). */
  public OpRunner pool(IntraOpPool pool) {
    this.pool = pool;
    return this;
  }

  /** Hides input values (not shapes) from inference, as if they came from fully shaped placeholders. */
  public OpRunner dynamic() {
    constants = false;
    return this;
  }

  /** Resolves the attributes against the op's declaration (as building it in a graph does), then infers. */
  public List<TensorSpec> infer() {
    OpDef def = OpRegistry.global().get(type);
    attrs = def.resolveAttrs(opName(), attrs, inputs.stream().map(Tensor::dtype).toList());
    specs = def.shapeFunction().infer(this);
    return specs;
  }

  /** Infers, runs, checks the outputs against the inferred specs, and returns output 0 (owned by the runner). */
  public Tensor run() {
    return runAll().get(0);
  }

  public List<Tensor> runAll() {
    OpDef def = OpRegistry.global().get(type);
    infer();
    for (Tensor t : outputs) {
      if (t != null) {
        t.close();
      }
    }
    outputs = new Tensor[specs.size()];
    def.kernel().compute(this);
    List<Tensor> r = new ArrayList<>();
    for (int i = 0; i < outputs.length; i++) {
      Tensor t = outputs[i];
      assertTrue(t != null, "output " + i + " was not set");
      assertEquals(specs.get(i).dtype(), t.dtype(), "dtype of output " + i);
      assertTrue(specs.get(i).shape().isCompatibleWith(t.shape()),
          "output " + i + " has shape " + t.shape() + " but inference said " + specs.get(i).shape());
      r.add(t);
    }
    return r;
  }

  @Override
  public void close() {
    for (Tensor t : inputs) {
      t.close();
    }
    for (Tensor t : outputs) {
      if (t != null) {
        t.close();
      }
    }
  }

  // ---- InferenceContext / KernelContext

  @Override
  public String opName() {
    return type.toLowerCase() + "_1";
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
    return constants ? inputs.get(i) : null;
  }

  @Override
  public Tensor input(int i) {
    return inputs.get(i);
  }

  @Override
  public int numOutputs() {
    return outputs.length;
  }

  @Override
  public Tensor allocateOutput(int i, DType dtype, Shape shape) {
    Tensor t = Tensor.allocate(allocator, dtype, shape);
    setOutput(i, t);
    return t;
  }

  @Override
  public void setOutput(int i, Tensor tensor) {
    if (outputs[i] != null) {
      outputs[i].close();
    }
    outputs[i] = tensor;
  }

  @Override
  public BufferAllocator allocator() {
    return allocator;
  }

  @Override
  public IntraOpPool intraOp() {
    return pool;
  }

  @Override
  public void checkCancelled() {}

  @Override
  @SuppressWarnings("unchecked")
  public <T> T opState(Supplier<T> init) {
    return (T) state.computeIfAbsent("state", k -> init.get());
  }
}
