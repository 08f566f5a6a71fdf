package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.kernels.OpRunner;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gathers and concatenations large enough to be split over the intra-op pool give exactly the output of a
 * single-threaded run, however the split falls across rows, index tuples and input parts.
 */
@ExtendWith(LeakCheckedAllocator.class)
class ParallelCopiesTest {
  private static final SplittableRandom RND = new SplittableRandom(7);

  private static Tensor floats(BufferAllocator a, long... shape) {
    float[] v = new float[(int) Shape.of(shape).numElements()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return Tensor.of(a, v, shape);
  }

  private static Tensor indices(BufferAllocator a, int limit, long... shape) {
    long[] v = new long[(int) Shape.of(shape).numElements()];
    for (int i = 0; i < v.length; i++) {
      v[i] = RND.nextInt(limit);
    }
    return Tensor.of(a, v, shape);
  }

  /** Runs the op built by {@code build} on four threads and on one, and checks both outputs are equal. */
  private static void sameOnFourThreadsAsOnOne(BufferAllocator a, Function<BufferAllocator, OpRunner> build) {
    try (IntraOpPool four = new IntraOpPool(4); IntraOpPool one = IntraOpPool.sequential();
         OpRunner parallel = build.apply(a).pool(four); OpRunner sequential = build.apply(a).pool(one)) {
      Tensor p = parallel.run();
      Tensor s = sequential.run();
      assertTrue(p.byteSize() > 4 * (1 << 16), "large enough to be split: " + p.byteSize() + " bytes");
      assertEquals(s.shape(), p.shape());
      assertTrue(p.contentEquals(s), "parallel output differs from the sequential one");
    }
  }

  @Test
  void gatherOfManySmallRows(BufferAllocator a) {
    Tensor params = floats(a, 1000, 3);
    Tensor ix = indices(a, 1000, 200_000);
    try (params; ix) {
      sameOnFourThreadsAsOnOne(a, al -> OpRunner.op(al, "GatherV2").input(params.share()).input(ix.share())
          .input(Tensor.scalar(al, 0)));
    }
  }

  @Test
  void gatherOfFewLargeRowsAlongAnInnerAxisWithBatchDims(BufferAllocator a) {
    Tensor params = floats(a, 2, 5, 40_000);
    Tensor ix = indices(a, 5, 2, 3);
    try (params; ix) {
      sameOnFourThreadsAsOnOne(a, al -> OpRunner.op(al, "GatherV2").input(params.share()).input(ix.share())
          .input(Tensor.scalar(al, 1)).attr("batch_dims", 1L));
    }
  }

  @Test
  void gatherNdOfManyRows(BufferAllocator a) {
    Tensor params = floats(a, 4, 50, 30, 7);
    Tensor ix = indices(a, 4, 24000, 2);
    try (params; ix) {
      sameOnFourThreadsAsOnOne(a, al -> OpRunner.op(al, "GatherNd").input(params.share()).input(ix.share()));
    }
  }

  @Test
  void concatAlongTheFirstAxis(BufferAllocator a) {
    Tensor x = floats(a, 70_000, 2);
    Tensor y = floats(a, 1, 2);
    Tensor z = floats(a, 50_001, 2);
    try (x; y; z) {
      sameOnFourThreadsAsOnOne(a, al -> OpRunner.op(al, "ConcatV2").input(x.share()).input(y.share())
          .input(z.share()).input(Tensor.scalar(al, 0)));
    }
  }

  @Test
  void concatAlongAnInnerAxisWithAnEmptyPart(BufferAllocator a) {
    Tensor x = floats(a, 30_000, 3);
    Tensor empty = Tensor.allocate(a, DType.FLOAT32, Shape.of(30_000, 0));
    Tensor z = floats(a, 30_000, 5);
    try (x; empty; z) {
      sameOnFourThreadsAsOnOne(a, al -> OpRunner.op(al, "ConcatV2").input(x.share()).input(empty.share())
          .input(z.share()).input(Tensor.scalar(al, -1)));
    }
  }
}
