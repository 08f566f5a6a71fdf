package dev.quiver.executor;

import dev.quiver.store.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What a step fetched, in the structure of its {@code fetches}: a {@link Tensor} for an {@link Output}, null
 * for an {@link Operation}, a {@link SparseTensorValue}, a {@link TensorHandle}, or Lists, Maps, arrays and
 * records of them.
 *
 * <p><b>Ownership.</b> The result owns every tensor in it: {@link #close()} releases them all, so one
 * try-with-resources block frees a whole step's values. To keep a tensor longer, take {@link Tensor#share()}
 * of it. A tensor or handle fetched at several places of the structure is one object, at each of them (as
 * TensorFlow returns the same object); closing it (closing is idempotent) closes it everywhere. Handles are
 * persistent: closing the result does not delete them. Not thread-safe.
 */
public final class Result implements AutoCloseable {
  private final Object value;
  private final List<AutoCloseable> owned;
  private final RunMetadata metadata;
  private final Session session;
  private boolean closed;

  Result(Object value, List<AutoCloseable> owned, RunMetadata metadata, Session session) {
    this.value = value;
    this.owned = owned;
    this.metadata = metadata;
    this.session = session;
  }

  /** The fetched structure. */
  public Object value() {
    checkOpen();
    return value;
  }

  /**
   * The value when a single tensor was fetched.
   *
   * @throws IllegalStateException if the fetch was not a single tensor
   */
  public Tensor tensor() {
    checkOpen();
    if (value instanceof Tensor t) {
      return t;
    }
    throw new IllegalStateException("the fetch was not a single tensor but " + describe(value));
  }

  /** The value when a single persistent handle was fetched (the output of {@code getSessionHandle}). */
  public TensorHandle handle() {
    checkOpen();
    if (value instanceof TensorHandle h) {
      return h;
    }
    throw new IllegalStateException("the fetch was not a session handle but " + describe(value));
  }

  /** Element {@code i} of a List (or array) fetch, as a tensor. */
  public Tensor get(int i) {
    Object v = element(i);
    if (v instanceof Tensor t) {
      return t;
    }
    throw new IllegalStateException("fetch " + i + " is not a tensor but " + describe(v));
  }

  /** Element {@code i} of a List (or array) fetch, whatever it is. */
  public Object element(int i) {
    checkOpen();
    if (value instanceof List<?> l) {
      return l.get(i);
    }
    if (value instanceof Object[] a) {
      return a[i];
    }
    throw new IllegalStateException("the fetch was not a List but " + describe(value));
  }

  /** The value under {@code key} of a Map fetch, as a tensor. */
  public Tensor get(Object key) {
    checkOpen();
    if (value instanceof Map<?, ?> m) {
      if (!m.containsKey(key)) {
        throw new IllegalArgumentException("the fetched Map has no key " + key);
      }
      Object v = m.get(key);
      if (v instanceof Tensor t) {
        return t;
      }
      throw new IllegalStateException("fetch '" + key + "' is not a tensor but " + describe(v));
    }
    throw new IllegalStateException("the fetch was not a Map but " + describe(value));
  }

  /** The fetched structure cast to {@code type} (a record type, List, Map...). */
  public <T> T as(Class<T> type) {
    checkOpen();
    return type.cast(value);
  }

  /** The metadata of a traced step ({@link Runner#runAndFetchMetadata()}), or null. */
  public RunMetadata metadata() {
    return metadata;
  }

  /** Releases every tensor this result holds. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (AutoCloseable c : owned) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing a fetched value failed", e);
        }
      }
    } finally {
      session.resultClosed();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this Result is closed; its tensors were released");
    }
  }

  private static String describe(Object v) {
    return v == null ? "null (an Operation)" : v.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return closed ? "Result(closed)" : "Result(" + value + ")";
  }
}
