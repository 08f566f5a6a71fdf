package dev.quiver.executor;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The steps under way in one session, so that closing it can wait for them: once {@link #closeAndAwait()} began,
 * no step starts, and it returns when every step under way has ended (and so freed its memory). Thread-safe.
 */
final class ActiveSteps {
  private final AtomicInteger active = new AtomicInteger();
  private final Object allEnded = new Object();
  private volatile boolean closing;
  private boolean closed; // guarded by allEnded

  /** True once closing began: running steps stop at their next check. */
  boolean isClosing() {
    return closing;
  }

  /**
   * Counts a step in; each {@code begin} is paired with one {@link #end()}.
   *
   * @throws IllegalStateException (TensorFlow's RuntimeError) if the session is closing
   */
  void begin() {
    active.incrementAndGet();
    if (closing) {
      end();
      throw new IllegalStateException("Attempted to use a closed Session.");
    }
  }

  void end() {
    if (active.decrementAndGet() == 0 && closing) {
      synchronized (allEnded) {
        allEnded.notifyAll();
      }
    }
  }

  /**
   * Refuses new steps and waits until the ones under way ended; an interrupt does not cut the wait short (the
   * steps' memory must be freed first) and is restored after it.
   *
   * @return false if the session was closed before, by this or another thread
   */
  boolean closeAndAwait() {
    synchronized (allEnded) {
      if (closed) {
        return false;
      }
      closed = true;
      closing = true;
      boolean interrupted = false;
      while (active.get() > 0) {
        try {
          allEnded.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return true;
    }
  }
}
