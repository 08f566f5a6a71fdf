package dev.quiver.executor.kernels.array;

/**
 * Produces an output tensor's elements as runs, in row-major order. Must emit the same runs every time it
 * is asked: string outputs take two passes (lengths, then bytes).
 */
@FunctionalInterface
public interface RunSource {
  void emit(RunWriter writer);
}
