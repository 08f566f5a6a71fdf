package dev.quiver.client;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;

/**
 * What a server says about one stored tensor, without fetching it: its handle, dtype, shape and size in
 * bytes. Immutable.
 */
public record TensorListing(String handle, DType dtype, Shape shape, long byteSize) {}
