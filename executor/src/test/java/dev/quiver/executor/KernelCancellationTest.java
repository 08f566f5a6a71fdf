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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A deadline or the session closing stops a kernel that is running, not only the ops after it: the intra-op pool
 * checks the step between slices of a kernel's work (IntraOpPool's cancellable view). The kernel is a real one, a
 * float64 matMul of 2048 x 2048 matrices through the public API; its full time is estimated from an uncancelled
 * 512 x 512 product (a product's time grows with n^3), so the check holds however fast the kernel becomes. TF 2.21
 * raises DeadlineExceededError "Timed out waiting for notification" for a RunOptions timeout, and CancelledError
 * "Session has been closed." for a step the closing session cancels; it waits for a running kernel to end.
 */
@ExtendWith(LeakCheckedAllocator.class)
class KernelCancellationTest {
  private static final int N = 2048;

  /** The estimated time of the uncancelled N x N product, in nanoseconds. */
  private static long estimateFullProduct(SessionFixture f) {
    Output small = f.tf.placeholder(DType.FLOAT64, Shape.of(N / 4, N / 4));
    Output product = f.tf.linalg.matMul(small, small);
    try (Tensor zeros = Tensor.allocate(f.store.allocator(), DType.FLOAT64, Shape.of(N / 4, N / 4))) {
      long start = System.nanoTime();
      f.session.run(product, Map.of(small, zeros)).close();
      return (System.nanoTime() - start) * 64;
    }
  }

  @ParameterizedTest(name = "intraOpThreads={0}")
  @ValueSource(ints = {1, 2})
  void aDeadlineStopsALongMatMulWhileItRunsAndFreesItsMemory(int intraOpThreads, BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().intraOpThreads(intraOpThreads))) {
      long full = estimateFullProduct(f);
      Output a = f.tf.placeholder(DType.FLOAT64, Shape.of(N, N));
      Output product = f.tf.linalg.matMul(a, a);
      RunOptions deadline = RunOptions.builder().timeoutInMs(50).build();
      try (Tensor zeros = Tensor.allocate(f.store.allocator(), DType.FLOAT64, Shape.of(N, N))) {
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

  @ParameterizedTest(name = "intraOpThreads={0}")
  @ValueSource(ints = {1, 2})
  void closingTheSessionStopsALongMatMulWhileItRuns(int intraOpThreads, BufferAllocator allocator)
      throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().intraOpThreads(intraOpThreads))) {
      long full = estimateFullProduct(f);
      Output a = f.tf.placeholder(DType.FLOAT64, Shape.of(N, N));
      Output product = f.tf.linalg.matMul(a, a);
      try (Tensor zeros = Tensor.allocate(f.store.allocator(), DType.FLOAT64, Shape.of(N, N))) {
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
