package dev.quiver.executor.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IntraOpPoolTest {

  @Test
  void everyIndexRunsExactlyOnceInChunksOfAtLeastMinChunk() {
    try (IntraOpPool pool = new IntraOpPool(3)) {
      int n = 100_003;
      AtomicIntegerArray seen = new AtomicIntegerArray(n);
      AtomicLong smallest = new AtomicLong(Long.MAX_VALUE);
      pool.parallelFor(n, 1000, (s, e) -> {
        smallest.accumulateAndGet(e - s, Math::min);
        for (long i = s; i < e; i++) {
          seen.incrementAndGet((int) i);
        }
      });
      for (int i = 0; i < n; i++) {
        assertEquals(1, seen.get(i), "index " + i);
      }
      assertTrue(smallest.get() >= 1000, "a chunk of " + smallest.get() + " indices");
    }
  }

  @Test
  void smallRangesRunInlineOnTheCaller() {
    try (IntraOpPool pool = new IntraOpPool(2)) {
      Thread caller = Thread.currentThread();
      pool.parallelFor(10, 100, (s, e) -> {
        assertSame(caller, Thread.currentThread());
        assertEquals(0, s);
        assertEquals(10, e);
      });
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang, not a speed: the old static split waited here forever
  void theCallerFinishesTheWorkWhenEveryPoolThreadIsBusy() throws Exception {
    try (IntraOpPool pool = new IntraOpPool(2)) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch busy = new CountDownLatch(3);
      // two steps whose chunks wait until this test is done: their callers and the pool's one helper (a pool of 2
      // threads counts the caller as one) are stuck
      Thread[] blockers = new Thread[2];
      for (int b = 0; b < 2; b++) {
        blockers[b] = new Thread(() -> pool.parallelFor(2, 1, (s, e) -> {
          busy.countDown();
          try {
            release.await();
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
        }));
        blockers[b].start();
      }
      busy.await();
      AtomicLong sum = new AtomicLong();
      pool.parallelFor(1 << 20, 1 << 10, (s, e) -> sum.addAndGet(e - s));
      assertEquals(1 << 20, sum.get());
      release.countDown();
      for (Thread b : blockers) {
        b.join();
      }
    }
  }

  @Test
  void aFailingChunkIsRethrownAfterTheOthersFinished() {
    try (IntraOpPool pool = new IntraOpPool(2)) {
      AtomicLong running = new AtomicLong();
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> pool.parallelFor(1 << 16, 1 << 10, (s, end) -> {
            running.incrementAndGet();
            try {
              if (s == 0) {
                throw new InvalidArgumentException("chunk at 0 failed");
              }
            } finally {
              running.decrementAndGet();
            }
          }));
      assertEquals("chunk at 0 failed", e.getMessage());
      assertEquals(0, running.get(), "no chunk may still run when parallelFor throws");
    }
  }

  @Test
  void aCancellableViewStopsBetweenSlicesAndThrowsWhatTheCheckThrew() {
    for (int threads : new int[] {1, 3}) {
      try (IntraOpPool pool = new IntraOpPool(threads)) {
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        IntraOpPool view = pool.withCancellation(() -> {
          if (cancelled.get()) {
            throw new dev.quiver.errors.DeadlineExceededException("step past its deadline");
          }
        });
        long n = 1L << 20;
        AtomicLong done = new AtomicLong();
        var e = assertThrows(dev.quiver.errors.DeadlineExceededException.class,
            () -> view.parallelFor(n, 1, (s, end) -> {
              done.addAndGet(end - s);
              cancelled.set(true); // after the first slice of each thread, every later one is refused
            }));
        assertEquals("step past its deadline", e.getMessage());
        assertTrue(done.get() <= (long) threads * (n / IntraOpPool.MAX_SLICES + 1),
            threads + " threads ran " + done.get() + " indices after the cancellation");
      }
    }
  }

  @Test
  void aCancellableViewRunsEveryIndexOnceInSlicesOfAtLeastMinChunk() {
    try (IntraOpPool pool = new IntraOpPool(2)) {
      IntraOpPool view = pool.withCancellation(() -> { });
      int n = 3_000_001;
      AtomicIntegerArray seen = new AtomicIntegerArray(n);
      AtomicLong calls = new AtomicLong();
      AtomicLong smallest = new AtomicLong(Long.MAX_VALUE);
      view.parallelFor(n, 1000, (s, e) -> {
        calls.incrementAndGet();
        if (e < n) {
          smallest.accumulateAndGet(e - s, Math::min);
        }
        for (long i = s; i < e; i++) {
          seen.incrementAndGet((int) i);
        }
      });
      for (int i = 0; i < n; i++) {
        assertEquals(1, seen.get(i), "index " + i);
      }
      assertTrue(smallest.get() >= 1000, "a slice of " + smallest.get() + " indices");
      assertTrue(calls.get() <= IntraOpPool.MAX_SLICES + 8, calls.get() + " slices");
    }
  }

  @Test
  void parallelForEachRunsEveryItemOnceEachClaimedOnItsOwn() {
    for (int threads : new int[] {1, 3}) {
      try (IntraOpPool pool = new IntraOpPool(threads)) {
        int items = 1000;
        AtomicIntegerArray seen = new AtomicIntegerArray(items);
        pool.parallelForEach(items, i -> seen.incrementAndGet((int) i));
        for (int i = 0; i < items; i++) {
          assertEquals(1, seen.get(i), threads + " threads, item " + i);
        }
      }
    }
  }

  /** A cancellable view checks before every item, the first and a lone one too, so it never starts one late. */
  @Test
  void aCancellableViewChecksBeforeEachItem() {
    for (int threads : new int[] {1, 3}) {
      try (IntraOpPool pool = new IntraOpPool(threads)) {
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicLong checks = new AtomicLong();
        IntraOpPool view = pool.withCancellation(() -> {
          checks.incrementAndGet();
          if (cancelled.get()) {
            throw new dev.quiver.errors.CancelledException("cancelled");
          }
        });
        view.parallelForEach(50, i -> { });
        assertEquals(50, checks.get(), threads + " threads");
        AtomicLong ran = new AtomicLong();
        assertThrows(dev.quiver.errors.CancelledException.class, () -> view.parallelForEach(1000, i -> {
          ran.incrementAndGet();
          cancelled.set(true);
        }));
        assertTrue(ran.get() <= threads, threads + " threads ran " + ran.get() + " items after the cancellation");
        assertThrows(dev.quiver.errors.CancelledException.class, () -> view.parallelForEach(1, i -> ran.set(-1)));
        assertThrows(dev.quiver.errors.CancelledException.class, () -> view.parallelFor(8, 1, (s, e) -> ran.set(-1)),
            "a chunk of a single slice is checked too");
        assertTrue(ran.get() >= 0, "no item ran once the step was cancelled");
      }
    }
  }

  @Test
  void closingAViewLeavesThePoolsThreadsRunning() {
    try (IntraOpPool pool = new IntraOpPool(2)) {
      pool.withCancellation(() -> { }).close();
      java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
      CountDownLatch both = new CountDownLatch(2);
      pool.parallelFor(2, 1, (s, e) -> {
        threads.add(Thread.currentThread());
        both.countDown();
        try {
          both.await(20, TimeUnit.SECONDS); // finishes only if two threads run the two chunks at once
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      });
      assertEquals(2, threads.size());
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void anIdleHelperParksAfterItsSpinAndClosingThePoolEndsIt() throws Exception {
    Thread helper;
    try (IntraOpPool pool = new IntraOpPool(2)) {
      Thread caller = Thread.currentThread();
      java.util.concurrent.atomic.AtomicReference<Thread> seen = new java.util.concurrent.atomic.AtomicReference<>();
      CountDownLatch both = new CountDownLatch(2);
      pool.parallelFor(2, 1, (s, e) -> {
        if (Thread.currentThread() != caller) {
          seen.set(Thread.currentThread());
        }
        both.countDown();
        try {
          both.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        }
      });
      helper = seen.get();
      assertTrue(helper != null && helper.isDaemon(), "a daemon helper ran one of the chunks");
      // it spins for at most HelperThreads.SPIN_NANOS, then parks: it does not keep a core busy while idle
      while (helper.getState() != Thread.State.WAITING) {
        Thread.sleep(1);
      }
    }
    helper.join(TimeUnit.SECONDS.toMillis(20));
    assertTrue(!helper.isAlive(), "closing the pool ends its helper");
  }
}
