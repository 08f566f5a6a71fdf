package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.CancelledException;
import dev.quiver.errors.DeadlineExceededException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * Many threads, parallel ops, deadlines and closing while steps run: correct results, nothing leaks or hangs. The
 * TensorFlow behaviour quoted is checked by the check of executor/src/test/python/session/tf_session_check.py each
 * comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionConcurrencyTest {
  @SessionMatrixTest
  void eightThreadsRunOneSessionWithCorrectResults(SessionMatrix config, BufferAllocator allocator) throws Exception {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.add(f.mul(a, f.tf.constant(2f)), f.tf.constant(1f));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int base = t * 1000;
          futures.add(pool.submit(() -> {
            for (int i = 0; i < 300; i++) {
              float v = base + i;
              try (Result r = f.session.run(y, Map.of(a, v))) {
                assertEquals(2 * v + 1, r.tensor().getFloat(0));
              }
            }
          }));
        }
        for (Future<?> fu : futures) {
          fu.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void independentLargeOpsRunAtTheSameTime(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().interOpThreads(4))) {
      // Two ops that each wait for the other: the step finishes only if they run on two threads at once.
      TestOps.BARRIERS.put("pair", new CyclicBarrier(2));
      Output big = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      Output x = TestOps.rendezvous(f.tf, "pair", f.tf.identity(big));
      Output y = TestOps.rendezvous(f.tf, "pair", f.tf.identity(big));
      try (Result r = f.session.run(List.of(x, y), Map.of(big, new float[1 << 16]))) {
        assertEquals(1 << 16, r.get(0).numElements());
        assertEquals(1 << 16, r.get(1).numElements());
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anInterruptedStepWaitsForItsOpsWithoutSpinningAndKeepsTheInterrupt(BufferAllocator allocator)
      throws Exception {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().interOpThreads(4))) {
      // Two large ops ready at once: the first runs on the caller and interrupts it, the second goes to the pool
      // and holds until released. The caller then waits for the held op with its interrupt pending.
      Output big = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      Output first = TestOps.interruptSelf(f.tf, "spin", big);
      Output held = TestOps.hold(f.tf, "spin", big);
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      TestOps.STARTED.put("spin", started);
      TestOps.RELEASE.put("spin", release);
      Object[] outcome = new Object[2];
      Thread caller = new Thread(() -> {
        try (Result r = f.session.run(List.of(first, held), Map.of(big, new float[1 << 16]))) {
          outcome[0] = r;
        } catch (RuntimeException e) {
          outcome[0] = e;
        }
        outcome[1] = Thread.currentThread().isInterrupted();
      });
      caller.start();
      assertTrue(started.await(20, TimeUnit.SECONDS), "the held op started on the pool");
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      long before = cpu.getThreadCpuTime(caller.getId());
      Thread.sleep(300);
      long spent = cpu.getThreadCpuTime(caller.getId()) - before;
      release.countDown();
      caller.join(20_000);
      // A caller that re-set its interrupt inside the wait loop spun on wait() for the whole 300 ms.
      assertTrue(spent < TimeUnit.MILLISECONDS.toNanos(100), "the waiting caller used " + spent / 1_000_000
          + " ms of CPU in 300 ms");
      assertInstanceOf(CancelledException.class, outcome[0]);
      assertEquals(Boolean.TRUE, outcome[1], "the interrupt is restored when run returns");
    }
  }

  @SessionMatrixTest
  void aStepPastItsDeadlineIsCancelledAndFreed(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.block(f.tf, "deadline", f.tf.constant(new float[4096]));
      RunOptions opts = RunOptions.builder().timeoutInMs(50).build();
      // TF 2.21 (tf_session_check.py run-timeout): DeadlineExceededError: Timed out waiting for notification
      var e = assertThrows(DeadlineExceededException.class, () -> f.session.run(x, null, opts, null));
      assertTrue(e.getMessage().contains("Timed out waiting for notification"), e.getMessage());
      try (Result r = f.session.run(f.tf.constant(1f))) {
        assertEquals(1f, r.tensor().getFloat(0), "the session runs on after a deadline");
      }
    }
  }

  @SessionMatrixTest
  void theSessionsOperationTimeoutIsEveryStepsDefaultDeadline(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator, SessionConfig.builder().operationTimeoutInMs(50))) {
      Output x = TestOps.block(f.tf, "opTimeout", f.tf.constant(1f));
      // TF 2.21 (tf_session_check.py run-timeout): ConfigProto(operation_timeout_in_ms=50), the same error
      assertThrows(DeadlineExceededException.class, () -> f.session.run(x));
    }
  }

  @SessionMatrixTest
  void closingASessionCancelsRunningStepsCleanly(SessionMatrix config, BufferAllocator allocator) throws Exception {
    try (SessionFixture f = config.fixture(allocator)) {
      CountDownLatch started = new CountDownLatch(4);
      TestOps.STARTED.put("close", started);
      Output x = TestOps.block(f.tf, "close", f.tf.constant(new float[1024]));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> steps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          steps.add(pool.submit(() -> f.session.run(x).close()));
        }
        assertTrue(started.await(20, TimeUnit.SECONDS), "the steps started");
        f.session.close(); // returns once every step has released its memory
        for (Future<?> s : steps) {
          // TF 2.21 (tf_session_check.py close-cancels-running-step): CancelledError: Run call was cancelled
          ExecutionException e = assertThrows(ExecutionException.class, () -> s.get(20, TimeUnit.SECONDS));
          assertInstanceOf(CancelledException.class, e.getCause());
          assertEquals("Run call was cancelled: Session has been closed.", e.getCause().getMessage());
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @SessionMatrixTest
  void resultsOutliveTheSession(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.mul(f.tf.constant(2f), f.tf.constant(4f));
      Tensor kept;
      try (Result r = f.session.run(c)) {
        kept = r.tensor().share();
      }
      f.session.close();
      try (kept) {
        assertEquals(8f, kept.getFloat(0)); // TF: numpy results survive sess.close() (close-cancels-running-step)
      }
    }
  }

  @SessionMatrixTest
  void resetClosesEveryInProcessSession(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator); SessionFixture other = config.fixture(allocator)) {
      Output c = f.tf.constant(1f);
      TensorHandle h;
      try (Result hr = f.session.run(f.tf.getSessionHandle(c))) {
        h = hr.handle();
      }
      // TF 2.21 (tf_session_check.py reset-in-process): reset("") closes the in-process sessions of every graph,
      // whatever the containers; using one then fails with CancelledError "Session has been closed."
      assertThrows(dev.quiver.errors.NotFoundException.class, () -> Session.reset("bogus://x", null, null));
      assertFalse(f.session.isClosed(), "a refused reset closes nothing");
      Session.reset("", List.of("no-such-container"), null);
      assertTrue(f.session.isClosed());
      assertTrue(other.session.isClosed(), "the session of another graph too");
      for (Executable use : List.<Executable>of(() -> f.session.run(c), h::eval, () -> f.session.partialRunSetup(c,
          null), () -> other.session.run(other.tf.constant(2f)))) {
        assertEquals("Session has been closed.", assertThrows(CancelledException.class, use).getMessage());
      }
      f.session.close(); // closed by the user: a closed session's RuntimeError from now on, as in TF
      assertEquals("Attempted to use a closed Session.", assertThrows(IllegalStateException.class,
          () -> f.session.run(c)).getMessage());
      try (Session later = new Session(f.graph); Result r = later.run(c)) {
        assertEquals(1f, r.tensor().getFloat(0), "a session made after the reset runs");
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aSessionTheUserClosesDuringAResetStaysClosedByTheUser(BufferAllocator allocator) throws Exception {
    // Whichever of close() and reset("") runs first, the user closed it: using it is then the RuntimeError of a
    // closed session (IllegalStateException), never the CancelledError a reset alone leaves.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 200; i++) {
        try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder())) {
          Output c = f.tf.constant(1f);
          CyclicBarrier start = new CyclicBarrier(2);
          Future<?> closing = pool.submit(() -> {
            start.await();
            f.session.close();
            return null;
          });
          Future<?> resetting = pool.submit(() -> {
            start.await();
            Session.reset("", null, null);
            return null;
          });
          closing.get();
          resetting.get();
          assertEquals("Attempted to use a closed Session.", assertThrows(IllegalStateException.class,
              () -> f.session.run(c)).getMessage(), "round " + i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
