package dev.quiver.executor;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.lang.ref.Cleaner;
import java.util.Objects;

/**
 * A tensor kept in a session between steps: what fetching the output of {@link Ops#getSessionHandle} gives,
 * TensorFlow's {@code TensorHandle}. The tensor stays in the session's handle store, without copy, until
 * {@link #delete()}, until this object becomes unreachable (a {@link Cleaner} deletes it then), or until the
 * session closes.
 *
 * <p>Feed it where a handle string is expected (the placeholder of {@link Ops#getSessionTensor}) or where a
 * value of its dtype is expected: the stored tensor is then fed in place, never copied. Thread-safe.
 */
public final class TensorHandle {
  private static final Cleaner CLEANER = Cleaner.create();

  private final Session session;
  private final String handle;
  private final DType dtype;
  private final Shape shape;
  private final Deleter deleter;

  TensorHandle(Session session, String handle, DType dtype, Shape shape) {
    this.session = session;
    this.handle = handle;
    this.dtype = dtype;
    this.shape = shape;
    this.deleter = new Deleter(session.handles(), handle);
    CLEANER.register(this, deleter);
  }

  /** True for the outputs whose fetched value is a handle: those of {@code GetSessionHandle} ops. */
  static boolean isHandleOutput(Output o) {
    return "GetSessionHandle".equals(o.op().type());
  }

  /** The handle string {@code name;id;device} (TensorFlow's {@code TensorHandle.handle}). */
  public String handle() {
    return handle;
  }

  /** The dtype of the stored tensor. */
  public DType dtype() {
    return dtype;
  }

  /** The shape of the stored tensor. */
  public Shape shape() {
    return shape;
  }

  /** The session whose store holds the tensor. */
  public Session session() {
    return session;
  }

  /**
   * The stored tensor: a new reference to the same memory, never a copy. The caller closes it.
   *
   * @throws dev.quiver.errors.InvalidArgumentException naming the handle if it was deleted
   * @throws IllegalStateException if the session is closed
   */
  public Tensor eval() {
    session.checkOpen();
    return session.handles().readTensor(handle);
  }

  /**
   * Deletes the stored tensor from the session ({@code TensorHandle.delete()}); tensors already read from it
   * stay valid until closed.
   *
   * @throws dev.quiver.errors.InvalidArgumentException naming the handle if it was deleted already
   * @throws IllegalStateException if the session is closed
   */
  public void delete() {
    session.checkOpen();
    deleter.deleted = true;
    session.handles().deleteTensor(handle);
  }

  /** True while the store still holds the tensor. */
  public boolean isAlive() {
    return !session.isClosing() && session.handles().contains(handle);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorHandle h && h.handle.equals(handle);
  }

  @Override
  public int hashCode() {
    return Objects.hash(handle);
  }

  /** The handle string, as TensorFlow's {@code str(handle)}. */
  @Override
  public String toString() {
    return handle;
  }

  /** Deletes the handle once its Java object is unreachable; holds no reference to the handle object. */
  private static final class Deleter implements Runnable {
    private final SessionHandles handles;
    private final String handle;
    volatile boolean deleted;

    Deleter(SessionHandles handles, String handle) {
      this.handles = handles;
      this.handle = handle;
    }

    @Override
    public void run() {
      if (!deleted) {
        handles.deleteQuietly(handle);
      }
    }
  }
}
