package dev.quiver.executor;

import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values of the {@code Const} ops a session's steps read in place ({@link StepPlan#constOps}): the session
 * takes one reference to each on first use and keeps it until it closes, so steps borrow it without taking a
 * reference of their own. Thread-safe.
 */
final class LentConstants {
  private final ConcurrentHashMap<Operation, Tensor> values = new ConcurrentHashMap<>();

  /** The value of {@code op}, borrowed: the caller does not close it. */
  Tensor get(Operation op) {
    Tensor t = values.get(op);
    return t != null ? t : values.computeIfAbsent(op, o -> o.attrs().as("value", Tensor.class).share());
  }

  /** Releases every reference taken; called once no step runs. */
  void close() {
    for (Operation op : new ArrayList<>(values.keySet())) {
      Tensor t = values.remove(op);
      if (t != null) {
        t.close();
      }
    }
  }
}
