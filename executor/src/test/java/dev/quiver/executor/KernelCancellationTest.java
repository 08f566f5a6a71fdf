package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.CancelledException;
import dev.quiver.errors.DeadlineExceededException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A deadline or the session closing stops a kernel that is running, not only the ops after it: the intra-op pool
 * checks the step between slices of a kernel's work (IntraOpPool's cancellable view). The kernel is a real one, a
 * matMul through the public API: float64 of 2048 x 2048 matrices (a plain loop over rows), float32 of 4096 x 4096
 * (Sgemm's blocked product, about 20 times faster, whose items of bounded size are checked at one intra-op thread
 * too). Its full time is estimated from an uncancelled product of a quarter of the size (a product's time grows
 * with n^3), so the check holds however fast the kernel becomes. TF 2.21
 * raises DeadlineExceededError "Timed out waiting for notification" for a RunOptions timeout, and CancelledError
 * "Run call was cancelled" for a step the closing session cancels; it waits for a running kernel to end
 * (executor/src/test/python/session/tf_session_check.py run-timeout, close-cancels-running-step and
 * deadline-waits-for-running-kernel).
 */
@ExtendWith(LeakCheckedAllocator.class)
class KernelCancellationTest {
  /** The size of the product, long enough that a stop within a quarter of its time is plain. */
  private static int size(DType dtype) {
    return dtype == DType.FLOAT32 ? 4096 : 2048;
  }

  /**
   * The estimated time of the uncancelled product, in nanoseconds, from one of a quarter of the size: for float32
   * the fastest of three, as the first ones compile Sgemm's kernel (a compiling run would inflate the estimate, and
   * so the bound, many times over the real product's time); the float64 loop is slow enough that once errs little.
   */
  private static long estimateFullProduct(SessionFixture f, DType dtype) {
    int n = size(dtype) / 4;
    Output small = f.tf.placeholder(dtype, Shape.of(n, n));
    Output product = f.tf.linalg.matMul(small, small);
    try (Tensor zeros = Tensor.allocate(f.store.allocator(), dtype, Shape.of(n, n))) {
      long best = Long.MAX_VALUE;
      for (int run = 0; run < (dtype == DType.FLOAT32 ? 3 : 1); run++) {
        long start = System.nanoTime();
        f.session.run(product, Map.of(small, zeros)).close();
        best = Math.min(best, System.nanoTime() - start);
      }
      return best * 64;
    }
  }

  @ParameterizedTest(name = "intraOpThreads={0}, {1}")
  @CsvSource({"1, FLOAT64", "2, FLOAT64", "1, FLOAT32", "2, FLOAT32"})
  void aDeadlineStopsALongMatMulWhileItRunsAndFreesItsMemory(int intraOpThreads, DType dtype,
                                                              BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().intraOpThreads(intraOpThreads))) {
      long full = estimateFullProduct(f, dtype);
      Output a = f.tf.placeholder(dtype, Shape.of(size(dtype), size(dtype)));
      Output product = f.tf.linalg.matMul(a, a);
      RunOptions deadline = RunOptions.builder().timeoutInMs(50).build();
      try (Tensor zeros = Tensor.allocate(f.store.allocator(), dtype, Shape.of(size(dtype), size(dtype)))) {
        long start = System.nanoTime();
        var e = assertThrows(DeadlineExceededException.class,
            () -> f.session.run(product, Map.of(a, zeros), deadline, null));
        long took = System.nanoTime() - start;
        assertTrue(e.getMessage().contains("Timed out waiting for notification"), e.getMessage());
        assertTrue(took < full / 4, "the step returned after " + took / 1_000_000 + " ms; the product takes about "
            + full / 1_000_000 + " ms");
      }
    } // the fixture checks that the product's output and everything else of the step were freed
  }

  @ParameterizedTest(name = "intraOpThreads={0}, {1}")
  @CsvSource({"1, FLOAT64", "2, FLOAT64", "1, FLOAT32", "2, FLOAT32"})
  void closingTheSessionStopsALongMatMulWhileItRuns(int intraOpThreads, DType dtype, BufferAllocator allocator)
      throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().intraOpThreads(intraOpThreads))) {
      long full = estimateFullProduct(f, dtype);
      Output a = f.tf.placeholder(dtype, Shape.of(size(dtype), size(dtype)));
      Output product = f.tf.linalg.matMul(a, a);
      try (Tensor zeros = Tensor.allocate(f.store.allocator(), dtype, Shape.of(size(dtype), size(dtype)))) {
        long start = System.nanoTime();
        Future<?> step = caller.submit(() -> f.session.run(product, Map.of(a, zeros)).close());
        Thread.sleep(50); // the product is under way
        f.session.close(); // returns once the step freed its memory
        ExecutionException e = assertThrows(ExecutionException.class, () -> step.get(60, TimeUnit.SECONDS));
        long took = System.nanoTime() - start;
        assertInstanceOf(CancelledException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("Session has been closed."), e.getCause().getMessage());
        assertTrue(took < full / 4, "close and the step took " + took / 1_000_000 + " ms; the product takes about "
            + full / 1_000_000 + " ms");
      }
    } finally {
      caller.shutdownNow();
    }
  }
}
