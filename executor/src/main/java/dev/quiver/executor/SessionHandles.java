package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.executor.ops.SessionState;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.TensorInfo;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's view of its handle store: the handles this session created (deleted when it closes), the store's
 * lifecycle when the session owns it, and TensorFlow's errors for handles the store does not hold (an unknown,
 * deleted, malformed or foreign handle is InvalidArgument: "The tensor with handle '...' is not in the session
 * store.", with the store's own error as the cause). Thread-safe.
 */
final class SessionHandles implements SessionState {
  private static final Logger LOG = LoggerFactory.getLogger(SessionHandles.class);
  /** Below this many remembered handles, the ones deleted behind the session's back are not looked for. */
  private static final int MIN_PRUNE = 1024;

  private final HandleStore store;
  private final boolean owned;
  private final Set<String> mine = ConcurrentHashMap.newKeySet();
  private volatile int pruneAt = MIN_PRUNE;
  private volatile boolean closing;
  private volatile boolean storeClosed;

  private SessionHandles(HandleStore store, boolean owned) {
    this.store = store;
    this.owned = owned;
  }

  /** The handles of a session with {@code config}: in the store it shares, or in a new store of its own. */
  static SessionHandles forConfig(SessionConfig config) {
    HandleStore shared = config.handleStore();
    return shared != null ? new SessionHandles(shared, false) : new SessionHandles(newStore(config), true);
  }

  private static HandleStore newStore(SessionConfig c) {
    HandleStore.Builder b = HandleStore.builder().device(DeviceAttributes.LOCAL_CPU);
    if (c.handleMemoryBudget() > 0) {
      b.memoryBudget(c.handleMemoryBudget());
    }
    if (c.handleDiskBudget() > 0) {
      b.diskBudget(c.handleDiskBudget());
    }
    if (c.spillDirectory() != null) {
      b.spillDirectory(c.spillDirectory());
    }
    if (c.handleExpiry() != null) {
      b.expireAfterAccess(c.handleExpiry());
    }
    return b.build();
  }

  HandleStore store() {
    return store;
  }

  @Override
  public String saveTensor(String name, Tensor tensor) {
    String handle = store.put(name, tensor);
    mine.add(handle);
    if (mine.size() >= pruneAt) {
      forgetHandlesDeletedElsewhere();
    }
    return handle;
  }

  /**
   * Drops the handles that left the store without this session deleting them (expired, deleted over Flight or
   * by another session sharing the store), so a long-lived session remembers only live ones. Amortized: runs
   * when the set doubled since the last time.
   */
  private synchronized void forgetHandlesDeletedElsewhere() {
    if (mine.size() < pruneAt) {
      return; // another thread pruned meanwhile
    }
    try {
      mine.removeIf(h -> !store.contains(h));
    } catch (IllegalStateException e) {
      return; // the store closed: close() forgets them all
    }
    pruneAt = Math.max(MIN_PRUNE, 2 * mine.size());
  }

  /** How many handles this session remembers having created; for tests. */
  int rememberedHandles() {
    return mine.size();
  }

  @Override
  public Tensor readTensor(String handle) {
    try {
      return store.get(handle);
    } catch (NotFoundException | InvalidArgumentException e) {
      throw notInStore(handle, e);
    }
  }

  @Override
  public void deleteTensor(String handle) {
    try {
      store.delete(handle);
    } catch (NotFoundException | InvalidArgumentException e) {
      throw new InvalidArgumentException("Failed to delete a tensor with handle '" + handle + "' in the session store."
          + detail(e), e);
    } finally {
      mine.remove(handle);
    }
  }

  TensorInfo info(String handle) {
    try {
      return store.info(handle);
    } catch (NotFoundException | InvalidArgumentException e) {
      throw notInStore(handle, e);
    }
  }

  boolean contains(String handle) {
    return store.contains(handle);
  }

  /** Deletes {@code handle} if it is still there; for rollbacks and the Cleaner, which must not throw. */
  void deleteQuietly(String handle) {
    mine.remove(handle);
    try {
      store.delete(handle);
    } catch (RuntimeException e) {
      // already deleted, expired, or the store is closed: nothing left to free
    }
  }

  /** The value of a fetched {@code GetSessionHandle} output: a handle object over the stored tensor. */
  TensorHandle handleFromFetch(Session session, Output output, Tensor handleString) {
    String h = handleString.getString(0);
    Output data = output.op().inputs().get(0);
    Shape shape;
    try {
      shape = info(h).shape();
    } catch (RuntimeException e) {
      shape = data.shape(); // deleted already by a later op of the same step
    }
    return new TensorHandle(session, h, data.dtype(), shape);
  }

  /**
   * The tensor a {@link TensorHandle} fed for {@code key} stands for: the stored tensor itself (a new reference,
   * no copy), whatever the key's dtype, as TensorFlow feeds it.
   *
   * @throws InvalidArgumentException naming the handle and the key if this session's store does not hold it
   */
  Tensor feedStored(Output key, TensorHandle h) {
    try {
      return readTensor(h.handle());
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(e.getMessage() + " (a TensorHandle fed for Tensor '" + key.name() + "')",
          e.getCause());
    }
  }

  /**
   * Deletes every handle this session created, and closes the store if the session made it. If tensors taken
   * from an own store are still open (fetched results the caller keeps), the store closes once they are closed:
   * {@link #retryClose()} tries again, and {@link OwnedStoreCloser} does until it succeeds.
   */
  void close() {
    closing = true;
    for (String h : new ArrayList<>(mine)) {
      deleteQuietly(h);
    }
    if (owned && !tryCloseStore()) {
      LOG.debug("the session's own handle store {} closes once the tensors taken from it are closed", store.id());
      OwnedStoreCloser.closeLater(this);
    }
  }

  /** After {@link #close()}: closes the own store if nothing taken from it is still open. True once it is closed. */
  boolean retryClose() {
    return !owned || (closing && tryCloseStore());
  }

  /** True once the store this session made is closed, its memory all returned; for tests and the closer. */
  boolean isStoreClosed() {
    return storeClosed;
  }

  private synchronized boolean tryCloseStore() {
    if (storeClosed) {
      return true;
    }
    try {
      store.close();
      storeClosed = true;
      return true;
    } catch (IllegalStateException e) {
      return false; // fetched tensors the caller still holds keep their memory until they are closed
    }
  }

  private static InvalidArgumentException notInStore(String handle, RuntimeException cause) {
    return new InvalidArgumentException("The tensor with handle '" + handle + "' is not in the session store."
        + detail(cause), cause);
  }

  /** Why the store refused a handle that is not merely unknown (malformed, or of another store). */
  private static String detail(RuntimeException cause) {
    return cause instanceof InvalidArgumentException ? " (" + cause.getMessage() + ")" : "";
  }
}
