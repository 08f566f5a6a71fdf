package dev.quiver.executor.kernels.math;

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
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Runs one registered op the way the executor does: shape inference on the inputs' static types, then the
 * kernel, then a check that the outputs match what inference promised. For kernel-level tests.
 */
public final class OpRunner {
  private final BufferAllocator allocator;
  private final IntraOpPool pool;

  public OpRunner(BufferAllocator allocator, IntraOpPool pool) {
    this.allocator = allocator;
    this.pool = pool;
  }

  /** Static inference with every input's value known, as for constants. */
  public static List<TensorSpec> infer(String type, Attrs attrs, Tensor... inputs) {
    Shape[] shapes = new Shape[inputs.length];
    DType[] dtypes = new DType[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      shapes[i] = inputs[i].shape();
      dtypes[i] = inputs[i].dtype();
    }
    return inferSpecs(type, attrs, dtypes, shapes, inputs);
  }

  /** Static inference from dtypes and (partial) shapes only. */
  public static List<TensorSpec> inferSpecs(String type, Attrs attrs, DType[] dtypes, Shape[] shapes, Tensor[] values) {
    OpDef def = OpRegistry.global().get(type);
    return def.shapeFunction().infer(new InferenceContext() {
      @Override public String opName() { return type.toLowerCase(); }
      @Override public String opType() { return type; }
      @Override public int numInputs() { return dtypes.length; }
      @Override public DType inputDType(int i) { return dtypes[i]; }
      @Override public Shape inputShape(int i) { return shapes[i]; }
      @Override public Attrs attrs() { return attrs; }
      @Override public Tensor constantInput(int i) { return values == null ? null : values[i]; }
    });
  }

  /** Runs {@code type} on {@code inputs}; the caller closes the returned outputs. */
  public List<Tensor> run(String type, Attrs attrs, Tensor... inputs) {
    List<TensorSpec> specs = infer(type, attrs, inputs);
    OpDef def = OpRegistry.global().get(type);
    Tensor[] outs = new Tensor[specs.size()];
    KernelContext ctx = new KernelContext() {
      @Override public String opName() { return type.toLowerCase(); }
      @Override public String opType() { return type; }
      @Override public int numInputs() { return inputs.length; }
      @Override public Tensor input(int i) { return inputs[i]; }
      @Override public Attrs attrs() { return attrs; }
      @Override public int numOutputs() { return outs.length; }
      @Override public Tensor allocateOutput(int i, DType dtype, Shape shape) {
        setOutput(i, Tensor.allocate(allocator, dtype, shape));
        return outs[i];
      }
      @Override public void setOutput(int i, Tensor tensor) {
        if (outs[i] != null) {
          outs[i].close();
        }
        outs[i] = tensor;
      }
      @Override public BufferAllocator allocator() { return allocator; }
      @Override public IntraOpPool intraOp() { return pool; }
      @Override public void checkCancelled() {}
      @Override public <T> T opState(Supplier<T> init) { return init.get(); }
    };
    try {
      def.kernel().compute(ctx);
    } catch (RuntimeException e) {
      for (Tensor t : outs) {
        if (t != null) {
          t.close();
        }
      }
      throw e;
    }
    List<Tensor> result = new ArrayList<>();
    for (int i = 0; i < outs.length; i++) {
      if (outs[i] == null) {
        throw new AssertionError(type + " did not set output " + i);
      }
      TensorSpec spec = specs.get(i);
      if (outs[i].dtype() != spec.dtype() || !spec.shape().isCompatibleWith(outs[i].shape())) {
        outs[i].close();
        throw new AssertionError(type + " output " + i + " is " + outs[i].dtype() + " " + outs[i].shape()
            + " but inference said " + spec);
      }
      result.add(outs[i]);
    }
    return result;
  }

  /** Runs a single-output op. */
  public Tensor run1(String type, Attrs attrs, Tensor... inputs) {
    return run(type, attrs, inputs).get(0);
  }
}
