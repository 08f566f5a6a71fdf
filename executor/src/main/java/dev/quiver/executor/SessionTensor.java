package dev.quiver.executor;

/**
 * What {@link Ops#getSessionTensor} builds: the placeholder to feed a handle (string or {@link TensorHandle})
 * to, and the tensor stored under that handle.
 */
public record SessionTensor(Output placeholder, Output tensor) {
}
