package dev.quiver.store;

import java.util.Objects;

/**
 * What a handle holds, as {@link HandleStore#info} reports it without loading the tensor.
 *
 * @param dtype the element type
 * @param shape the (fully defined) shape
 * @param byteSize bytes of the elements (for strings: UTF-8 bytes plus {@code numElements + 1} int32 offsets),
 *     the weight the store's budgets count
 * @param inMemory true if the tensor is in memory, false if it is spilled to disk
 */
public record TensorInfo(DType dtype, Shape shape, long byteSize, boolean inMemory) {
  public TensorInfo {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    if (byteSize < 0) {
      throw new IllegalArgumentException("byteSize must be >= 0, not " + byteSize);
    }
  }
}
