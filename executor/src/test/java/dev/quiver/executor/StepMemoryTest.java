package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.function.BinaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How much memory a step holds at once. A step frees each intermediate tensor as soon as its last consumer ran
 * (TensorFlow's executor does the same with its reference-counted tensors), so a chain of elementwise ops needs
 * at most the tensor being read and the one being written, however long the chain.
 */
@ExtendWith(LeakCheckedAllocator.class)
class StepMemoryTest {
  private static final int N = 16 << 20;
  private static final long BYTES = 4L * N;

  @Test
  void aChainOfTenElementwiseOpsHoldsAtMostTwoIntermediateBuffersAtOnce(BufferAllocator allocator) {
    try (HandleStore store = HandleStore.builder().build(); Graph graph = new Graph(allocator)) {
      Ops tf = Ops.create(graph);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(N));
      Output one = tf.constant(1f);
      Output two = tf.constant(2f);
      Output y = x;
      java.util.List<BinaryOperator<Output>> ops = chain(tf);
      for (int i = 0; i < 10; i++) {
        y = ops.get(i % ops.size()).apply(y, i % 2 == 0 ? one : two);
      }
      float[] values = new float[N];
      for (int i = 0; i < N; i++) {
        values[i] = i % 1000;
      }
      // The fed tensor lives in the test's allocator; everything the step allocates is the store's.
      try (Tensor feed = Tensor.of(allocator, values, N);
           Session session = new Session(graph, SessionConfig.builder().handleStore(store).build());
           Result r = session.run(y, java.util.Map.of(x, feed))) {
        BufferAllocator stepMemory = store.allocator();
        long peak = stepMemory.getPeakMemoryAllocation();
        assertTrue(peak >= 2 * BYTES, "the step must have held its input and output intermediates, peak " + peak);
        assertTrue(peak <= 2 * BYTES + (1 << 20), "a chain of 10 ops of " + BYTES + " bytes each held " + peak
            + " bytes at its peak: intermediates were not freed after their last consumer");
        assertEquals(BYTES, stepMemory.getAllocatedMemory(), "only the fetched result is still allocated");
        // ((((((((((x+1)*2)-1)max 2)+1)*2)-1)max 2)+1)*2 on a few elements, to show the chain really ran
        assertEquals(expected(0), r.tensor().getFloat(0));
        assertEquals(expected(999), r.tensor().getFloat(999));
      }
    }
  }

  private static java.util.List<BinaryOperator<Output>> chain(Ops tf) {
    return java.util.List.of((a, b) -> tf.math.add(a, b), (a, b) -> tf.math.multiply(a, b),
        (a, b) -> tf.math.subtract(a, b), (a, b) -> tf.math.maximum(a, b));
  }

  private static float expected(float v) {
    float[] c = {1, 2};
    for (int i = 0; i < 10; i++) {
      float k = c[i % 2];
      switch (i % 4) {
        case 0: v = v + k; break;
        case 1: v = v * k; break;
        case 2: v = v - k; break;
        default: v = Math.max(v, k);
      }
    }
    return v;
  }
}
