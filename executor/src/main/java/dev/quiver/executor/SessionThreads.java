package dev.quiver.executor;

import dev.quiver.executor.ops.IntraOpPool;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread pools of one session, TensorFlow's inter- and intra-op pools: independent ops of a step run on the
 * first, kernels split their work over the second. Each is created on first use and stopped by {@link #close()}.
 * Thread-safe.
 */
final class SessionThreads {
  private final SessionConfig config;
  private final int sessionId;
  private final Object lock = new Object();
  private volatile IntraOpPool intraOp;
  private volatile ThreadPoolExecutor interOp;

  SessionThreads(SessionConfig config, int sessionId) {
    this.config = config;
    this.sessionId = sessionId;
  }

  IntraOpPool intraOp() {
    IntraOpPool p = intraOp;
    if (p == null) {
      synchronized (lock) {
        p = intraOp;
        if (p == null) {
          p = new IntraOpPool(config.intraOpThreads());
          intraOp = p;
        }
      }
    }
    return p;
  }

  /** The inter-op pool, or null if the session runs every op on the caller's thread (one inter-op thread). */
  Executor interOp() {
    ThreadPoolExecutor p = interOp;
    if (p == null) {
      int n = config.interOpThreads() == 0 ? Runtime.getRuntime().availableProcessors() : config.interOpThreads();
      if (n <= 1) {
        return null;
      }
      synchronized (lock) {
        p = interOp;
        if (p == null) {
          AtomicInteger seq = new AtomicInteger();
          p = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "quiver-inter-op-" + sessionId + "-" + seq.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
          p.allowCoreThreadTimeOut(true);
          interOp = p;
        }
      }
    }
    return p;
  }

  /** Stops both pools; ops already handed to them finish (the session waited for its steps before). */
  void close() {
    synchronized (lock) {
      if (interOp != null) {
        interOp.shutdown();
      }
      if (intraOp != null) {
        intraOp.close();
      }
    }
  }
}
