package dev.quiver.store;

import dev.quiver.errors.DataLossException;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One handle's tensor and where it lives: in memory (the store's own reference), on disk (a spill file), or
 * freed. Every move between places happens under this object's monitor and moves the byte counts with it,
 * so a reader never finds the handle in neither place while it moves, and never reads a freed one.
 *
 * <p>Readers that took a {@link Tensor#share() share} keep it after the handle is spilled or freed: the
 * memory is reference counted and goes away with the last reference.
 */
final class StoredTensor {
  enum Place { MEMORY, DISK, FREED }

  final String handle;
  final DType dtype;
  final Shape shape;
  final long byteSize;
  private final StoreCounters counters;

  // Guarded by this.
  private Place place;
  private Tensor tensor; // MEMORY: the store's reference
  private Path file; // DISK
  private boolean spilling;

  private StoredTensor(String handle, DType dtype, Shape shape, long byteSize, StoreCounters counters) {
    this.handle = handle;
    this.dtype = dtype;
    this.shape = shape;
    this.byteSize = byteSize;
    this.counters = counters;
  }

  /**
   * The bytes a tensor's elements take (plus int32 offsets for strings): its weight in the store's budgets.
   * Unlike {@link Tensor#byteSize()} it does not count the allocator's rounding, so it is the same in memory,
   * on disk and after a reload.
   */
  static long sizeOf(Tensor t) {
    if (t.dtype().isFixedWidth()) {
      return Tensor.byteSizeOf(t.dtype(), t.shape());
    }
    long offsetBytes = (t.numElements() + 1) * 4;
    ArrowBuf offsets = t.offsetBuffer();
    return offsetBytes + offsets.getInt(offsetBytes - 4) - offsets.getInt(0);
  }

  /** A handle in memory, taking ownership of {@code owned}. */
  static StoredTensor inMemory(String handle, Tensor owned, StoreCounters counters) {
    StoredTensor s = new StoredTensor(handle, owned.dtype(), owned.shape(), sizeOf(owned), counters);
    s.place = Place.MEMORY;
    s.tensor = owned;
    counters.addMemory(s.byteSize, 1);
    return s;
  }

  /** A handle whose tensor {@code source} was written to {@code file}. */
  static StoredTensor onDisk(String handle, Tensor source, Path file, StoreCounters counters) {
    StoredTensor s = new StoredTensor(handle, source.dtype(), source.shape(), sizeOf(source), counters);
    s.place = Place.DISK;
    s.file = file;
    counters.addDisk(s.byteSize, 1);
    return s;
  }

  synchronized Place place() {
    return place;
  }

  /** A new reference to the tensor if it is in memory, else null. */
  synchronized Tensor shareIfInMemory() {
    return place == Place.MEMORY ? tensor.share() : null;
  }

  /** What the handle holds, or null once it is freed. */
  synchronized TensorInfo info() {
    return place == Place.FREED ? null : new TensorInfo(dtype, shape, byteSize, place == Place.MEMORY);
  }

  /**
   * Writes the tensor to a spill file and drops the in-memory reference. Readers are served from memory
   * while the file is written; a handle freed meanwhile has its new file removed.
   *
   * @return true if this call moved the tensor to disk; false if it was not in memory, another spill of it
   *     is under way, or it was freed during the write
   * @throws IOException if the file cannot be written; the tensor then stays in memory
   */
  boolean spill(SpillDirectory dir) throws IOException {
    Tensor source;
    synchronized (this) {
      if (place != Place.MEMORY || spilling) {
        return false;
      }
      spilling = true;
      source = tensor.share();
    }
    Path written = null;
    try {
      written = dir.write(source);
    } finally {
      source.close();
      if (written == null) {
        synchronized (this) {
          spilling = false;
        }
      }
    }
    Tensor dropped = null;
    synchronized (this) {
      spilling = false;
      if (place == Place.MEMORY) {
        dropped = tensor;
        tensor = null;
        file = written;
        place = Place.DISK;
        counters.addMemory(-byteSize, -1);
        counters.addDisk(byteSize, 1);
      }
    }
    if (dropped == null) {
      dir.delete(written);
      return false;
    }
    dropped.close();
    return true;
  }

  /**
   * Reads a spilled tensor back into {@code allocator}. With {@code keep} the loaded tensor becomes the
   * stored reference and the file is removed; without it the reader gets the only reference and the
   * handle stays on disk.
   *
   * @return a reference for the reader (a share if the tensor is already in memory), or null if the handle
   *     was freed
   * @throws IOException if the file cannot be read; the handle stays on disk
   * @throws DataLossException if the file does not hold the tensor that was spilled
   */
  synchronized Tensor load(SpillDirectory dir, BufferAllocator allocator, boolean keep) throws IOException {
    if (place == Place.FREED) {
      return null;
    }
    if (place == Place.MEMORY) {
      return tensor.share();
    }
    Tensor loaded = dir.read(allocator, file);
    if (loaded.dtype() != dtype || !loaded.shape().equals(shape) || sizeOf(loaded) != byteSize) {
      String found = loaded.dtype() + " " + loaded.shape() + " of " + sizeOf(loaded) + " bytes";
      loaded.close();
      throw new DataLossException("spill file " + file + " of handle '" + handle + "' holds a " + found
          + " tensor, not the " + dtype + " " + shape + " of " + byteSize + " bytes that was spilled");
    }
    if (!keep) {
      return loaded;
    }
    Path old = file;
    tensor = loaded;
    file = null;
    place = Place.MEMORY;
    counters.addDisk(-byteSize, -1);
    counters.addMemory(byteSize, 1);
    dir.delete(old);
    return loaded.share();
  }

  /** Releases the store's reference or removes the spill file. Idempotent. */
  void free(SpillDirectory dir) {
    Tensor dropped = null;
    Path removed = null;
    synchronized (this) {
      if (place == Place.MEMORY) {
        dropped = tensor;
        tensor = null;
        counters.addMemory(-byteSize, -1);
      } else if (place == Place.DISK) {
        removed = file;
        file = null;
        counters.addDisk(-byteSize, -1);
      }
      place = Place.FREED;
    }
    if (dropped != null) {
      dropped.close();
    }
    if (removed != null) {
      dir.delete(removed);
    }
  }
}
