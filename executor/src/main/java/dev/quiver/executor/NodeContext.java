package dev.quiver.executor;

import dev.quiver.errors.InternalException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.executor.ops.KernelContext;
import dev.quiver.executor.ops.SessionState;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/** The {@link KernelContext} of one op in one step: inputs borrowed from the step's slots, outputs owned here. */
final class NodeContext implements KernelContext, SessionState {
  private final StepExecution step;
  private final StepPlan.Node node;
  private final Tensor[] slots;
  private final Tensor[] outputs;
  private List<String> handles;

  NodeContext(StepExecution step, StepPlan.Node node, Tensor[] slots) {
    this.step = step;
    this.node = node;
    this.slots = slots;
    this.outputs = new Tensor[node.outputSlots.length];
  }

  @Override
  public String opName() {
    return node.op.name();
  }

  @Override
  public String opType() {
    return node.op.type();
  }

  @Override
  public int numInputs() {
    return node.inputSlots.length;
  }

  @Override
  public Tensor input(int i) {
    return slots[node.inputSlots[i]];
  }

  @Override
  public Attrs attrs() {
    return node.op.attrs();
  }

  @Override
  public int numOutputs() {
    return outputs.length;
  }

  @Override
  public Tensor allocateOutput(int i, DType dtype, Shape shape) {
    Tensor t = step.allocate(dtype, shape);
    setOutput(i, t);
    return t;
  }

  @Override
  public Tensor allocateUninitializedOutput(int i, DType dtype, Shape shape) {
    Tensor t = step.allocateUninitialized(dtype, shape);
    setOutput(i, t);
    return t;
  }

  @Override
  public void setOutput(int i, Tensor tensor) {
    if (i < 0 || i >= outputs.length) {
      tensor.close();
      throw new InternalException(opType() + " op '" + opName() + "' has " + outputs.length + " outputs; its kernel"
          + " set output " + i);
    }
    Tensor previous = outputs[i];
    outputs[i] = tensor;
    if (previous != null && previous != tensor) {
      previous.close();
    }
  }

  @Override
  public BufferAllocator allocator() {
    return step.session.stepAllocator();
  }

  @Override
  public IntraOpPool intraOp() {
    return step.intraOp();
  }

  @Override
  public void checkCancelled() {
    step.checkCancelled();
  }

  @Override
  public <T> T opState(Supplier<T> init) {
    return step.session.opState(node.op, init);
  }

  @Override
  public SessionState sessionState() {
    return this;
  }

  @Override
  public String saveTensor(String name, Tensor tensor) {
    String handle = step.session.handles().saveTensor(name, tensor);
    touchedHandle(handle, true);
    return handle;
  }

  @Override
  public Tensor readTensor(String handle) {
    touchedHandle(handle, false);
    return step.session.handles().readTensor(handle);
  }

  @Override
  public void deleteTensor(String handle) {
    touchedHandle(handle, false);
    step.session.handles().deleteTensor(handle);
  }

  /** Records a handle this op touched, for the step's trace; {@code created} handles are deleted if the step fails. */
  void touchedHandle(String handle, boolean created) {
    if (created) {
      step.recordCreatedHandle(handle);
    }
    if (handles == null) {
      handles = new ArrayList<>(1);
    }
    handles.add(handle);
  }

  List<String> handlesTouched() {
    return handles == null ? List.of() : List.copyOf(handles);
  }

  /** The outputs, checking the kernel set every one; ownership passes to the caller. */
  Tensor[] finish() {
    for (int i = 0; i < outputs.length; i++) {
      if (outputs[i] == null) {
        throw new InternalException(opType() + " op '" + opName() + "': its kernel did not set output " + i);
      }
    }
    return outputs;
  }

  /** Frees whatever outputs a failed kernel had set. */
  void abandon() {
    for (int i = 0; i < outputs.length; i++) {
      if (outputs[i] != null) {
        outputs[i].close();
        outputs[i] = null;
      }
    }
  }
}
