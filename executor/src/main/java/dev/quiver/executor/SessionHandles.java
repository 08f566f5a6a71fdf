package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.executor.ops.SessionState;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.store.TensorInfo;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's view of its handle store: the handles this session created (deleted when it closes) and
 * TensorFlow's errors (an unknown handle is InvalidArgument: "The tensor with handle '...' is not in the
 * session store."). Thread-safe.
 */
final class SessionHandles implements SessionState {
  private static final Logger LOG = LoggerFactory.getLogger(SessionHandles.class);

  private final HandleStore store;
  private final boolean owned;
  private final Set<String> mine = ConcurrentHashMap.newKeySet();

  SessionHandles(HandleStore store, boolean owned) {
    this.store = store;
    this.owned = owned;
  }

  HandleStore store() {
    return store;
  }

  @Override
  public String saveTensor(String name, Tensor tensor) {
    String handle = store.put(name, tensor);
    mine.add(handle);
    return handle;
  }

  @Override
  public Tensor readTensor(String handle) {
    try {
      return store.get(handle);
    } catch (NotFoundException e) {
      throw notInStore(handle, e);
    }
  }

  @Override
  public void deleteTensor(String handle) {
    try {
      store.delete(handle);
    } catch (NotFoundException e) {
      throw new InvalidArgumentException("Failed to delete a tensor with handle '" + handle + "' in the session store.",
          e);
    } finally {
      mine.remove(handle);
    }
  }

  TensorInfo info(String handle) {
    try {
      return store.info(handle);
    } catch (NotFoundException e) {
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

  /** Deletes every handle this session created, and closes the store if the session made it. */
  void close() {
    for (String h : new ArrayList<>(mine)) {
      deleteQuietly(h);
    }
    if (owned) {
      try {
        store.close();
      } catch (IllegalStateException e) {
        // Fetched tensors the caller still holds keep their memory until they are closed.
        LOG.debug("session store closed while fetched tensors are still open: {}", e.getMessage());
      }
    }
  }

  private static InvalidArgumentException notInStore(String handle, NotFoundException cause) {
    return new InvalidArgumentException("The tensor with handle '" + handle + "' is not in the session store.", cause);
  }
}
