package dev.quiver.executor.ops;

import dev.quiver.store.Tensor;

/**
 * The per-session state kernels can reach through {@link KernelContext#sessionState()}: TensorFlow's session
 * tensor store, behind the persistent-handle ops. Thread-safe.
 */
public interface SessionState {
  /**
   * Keeps a new reference to {@code tensor} across steps (the caller still closes its own).
   *
   * @param name the first part of the handle, the op's name
   * @return the handle string {@code name;id;device}
   */
  String saveTensor(String name, Tensor tensor);

  /**
   * A new reference to the tensor under {@code handle}, never a copy; the caller closes it.
   *
   * @throws dev.quiver.errors.InvalidArgumentException naming the handle if it is unknown or deleted
   */
  Tensor readTensor(String handle);

  /**
   * Deletes {@code handle}.
   *
   * @throws dev.quiver.errors.InvalidArgumentException naming the handle if it is unknown or deleted
   */
  void deleteTensor(String handle);
}
