package dev.quiver.executor;

/**
 * What {@link Ops#deleteSessionTensor} builds: the placeholder to feed a handle (string or {@link TensorHandle})
 * to, and the op that deletes the tensor under that handle when run.
 */
public record SessionTensorDeleter(Output placeholder, Operation deleter) {
}
