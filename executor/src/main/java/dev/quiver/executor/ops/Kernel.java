package dev.quiver.executor.ops;

/**
 * The computation of one op: reads the inputs of a {@link KernelContext} and sets every output.
 *
 * <p>Kernels are pure functions over buffers: they keep no state of their own (per-op state across runs,
 * such as a random generator, lives in {@link KernelContext#opState}), never close their inputs, and know
 * nothing of the scheduler. A kernel signals bad input by throwing a {@link dev.quiver.errors.QuiverException}
 * naming the op ({@link KernelContext#opName()}); the executor frees whatever outputs it had allocated.
 */
@FunctionalInterface
public interface Kernel {
  void compute(KernelContext ctx);
}
