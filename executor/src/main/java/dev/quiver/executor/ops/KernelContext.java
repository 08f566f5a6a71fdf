package dev.quiver.executor.ops;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/** What a {@link Kernel} sees of one execution of its op: inputs, attributes, outputs, threads. */
public interface KernelContext {
  /** The op's name in the graph, for error messages ({@code "mul_1"}). */
  String opName();

  /** The op's type ({@code "Mul"}). */
  String opType();

  int numInputs();

  /** Input {@code i}, borrowed: valid during {@link Kernel#compute}, never closed by the kernel. */
  Tensor input(int i);

  Attrs attrs();

  int numOutputs();

  /** Allocates output {@code i} (zero-filled, fixed-width dtypes); the context owns it. */
  Tensor allocateOutput(int i, DType dtype, Shape shape);

  /**
   * Allocates output {@code i} without clearing its memory; the context owns it. Only for kernels that write
   * every element of the output before returning (an elementwise op, a matmul): it saves a full pass of zeroes
   * over memory the kernel overwrites anyway. Its contents are unspecified until written (this default zero-fills).
   */
  default Tensor allocateUninitializedOutput(int i, DType dtype, Shape shape) {
    return allocateOutput(i, dtype, shape);
  }

  /**
   * Sets output {@code i} to {@code tensor}, transferring ownership of that reference to the context. Use it
   * to forward an input without copying ({@code setOutput(0, input(0).share())}) or for string outputs.
   */
  void setOutput(int i, Tensor tensor);

  /** The allocator for temporaries; the kernel closes what it allocates here and does not output. */
  BufferAllocator allocator();

  /**
   * The intra-op thread pool for splitting the work over chunks of the buffers. It stops the work between slices
   * when the step is cancelled (deadline, session closed), throwing the step's error: a kernel that splits its
   * work through it needs no {@link #checkCancelled()} calls of its own.
   */
  IntraOpPool intraOp();

  /** Throws {@link dev.quiver.errors.CancelledException} or a deadline error if the step was stopped. */
  void checkCancelled();

  /**
   * State of this op kept across runs of one session (a random generator's position, say), created by
   * {@code init} on first use. Thread-safe creation; the state object itself must be thread-safe.
   */
  <T> T opState(Supplier<T> init);

  /**
   * The state of the session running this step (its tensor store), for the persistent-handle ops.
   *
   * @throws dev.quiver.errors.FailedPreconditionException if the op runs outside a session
   */
  default SessionState sessionState() {
    throw new dev.quiver.errors.FailedPreconditionException(opType() + " op '" + opName()
        + "' needs a session's state and runs only in a Session");
  }
}
