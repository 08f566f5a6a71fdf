package dev.quiver.store;

import dev.quiver.errors.DataLossException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One handle's tensor and where it lives: in memory (the store's own reference), on disk (a spill file), or
 * freed. Every move between places happens under this object's monitor and tells {@link StorageTiers} at once,
 * so a reader never finds the handle in neither place while it moves, never reads a freed one, and the tiers'
 * books always agree with the places. No file is read or written under the monitor: readers of an in-memory
 * handle never wait for the disk.
 *
 * <p>Budgets: whoever moves a tensor into a tier has reserved its bytes there first; the bytes are released
 * only after the tensor left the tier (its file removed, its reference dropped). Readers that took a
 * {@link Tensor#share() share} keep it after the handle is spilled or freed: the memory is reference counted
 * and goes away with the last reference.
 */
final class StoredTensor {
  enum Place { MEMORY, DISK, FREED }

  final String handle;
  final DType dtype;
  final Shape shape;
  final long byteSize;
  /** Held by the reader that reads the tensor back from disk: others wait for it instead of reading it twice. */
  final ReentrantLock reloading = new ReentrantLock();
  private final StorageTiers tiers;

  // Written under this object's monitor; place and spilling are volatile so that they can be read without it.
  private volatile Place place;
  private Tensor tensor; // MEMORY: the store's reference
  private Path file; // DISK
  private volatile boolean spilling;

  private StoredTensor(String handle, DType dtype, Shape shape, long byteSize, StorageTiers tiers) {
    this.handle = handle;
    this.dtype = dtype;
    this.shape = shape;
    this.byteSize = byteSize;
    this.tiers = tiers;
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

  /** A handle in memory, taking ownership of {@code owned}; its bytes are reserved in the memory budget. */
  static StoredTensor inMemory(String handle, Tensor owned, StorageTiers tiers) {
    StoredTensor s = new StoredTensor(handle, owned.dtype(), owned.shape(), sizeOf(owned), tiers);
    synchronized (s) {
      s.place = Place.MEMORY;
      s.tensor = owned;
      tiers.enteredMemory(s);
    }
    return s;
  }

  /** A handle whose tensor {@code source} was written to {@code file}; its bytes are reserved in the disk budget. */
  static StoredTensor onDisk(String handle, Tensor source, Path file, StorageTiers tiers) {
    StoredTensor s = new StoredTensor(handle, source.dtype(), source.shape(), sizeOf(source), tiers);
    synchronized (s) {
      s.place = Place.DISK;
      s.file = file;
      tiers.enteredDisk(s);
    }
    return s;
  }

  /** Where the tensor is now; reads no lock. */
  Place place() {
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
   * True if spilling this handle would free memory now: it is in memory, not empty, and not being spilled.
   * Reads no lock, so it can be asked under Caffeine's.
   */
  boolean isSpillCandidate() {
    return place == Place.MEMORY && !spilling && byteSize > 0;
  }

  /**
   * Writes the tensor to a spill file and drops the in-memory reference. The caller has reserved
   * {@link #byteSize} in the disk budget; on success the file holds that reservation and this handle's
   * memory reservation passes to the caller, who uses or releases it. Readers are served from memory while the
   * file is written; a handle freed meanwhile has its new file removed.
   *
   * @return true if this call moved the tensor to disk; false if it was not in memory, another spill of it is
   *     under way, or it was freed during the write (then the caller's disk reservation is unused)
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
        tiers.leftMemory(this);
        dropped = tensor;
        tensor = null;
        file = written;
        place = Place.DISK;
        tiers.enteredDisk(this);
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
   * Reads a spilled tensor back into {@code allocator}, without holding this object's monitor while the file is
   * read. With {@code keep} the caller has reserved {@link #byteSize} in the memory budget: the loaded tensor
   * becomes the stored reference, holding that reservation, and the file is removed; if that cannot happen
   * (freed meanwhile, or the read fails) the reservation is released here. Without {@code keep} the reader
   * gets the only reference and the handle stays on disk.
   *
   * @return a reference for the reader (a share if the tensor is in memory already), or null if the handle was
   *     freed
   * @throws IOException if the file cannot be read; the handle stays on disk
   * @throws DataLossException if the file does not hold the tensor that was spilled
   */
  Tensor load(SpillDirectory dir, BufferAllocator allocator, boolean keep) throws IOException {
    boolean committed = false;
    try {
      Path from;
      synchronized (this) {
        if (place == Place.FREED) {
          return null;
        }
        if (place == Place.MEMORY) {
          return tensor.share();
        }
        from = file;
      }
      Tensor loaded;
      try {
        loaded = dir.read(allocator, from);
      } catch (IOException e) {
        if (place() == Place.FREED) {
          return null; // deleted or expired while we read: its file went with it
        }
        throw e;
      }
      if (loaded.dtype() != dtype || !loaded.shape().equals(shape) || sizeOf(loaded) != byteSize) {
        String found = loaded.dtype() + " " + loaded.shape() + " of " + sizeOf(loaded) + " bytes";
        loaded.close();
        throw new DataLossException("spill file " + from + " of handle '" + handle + "' holds a " + found
            + " tensor, not the " + dtype + " " + shape + " of " + byteSize + " bytes that was spilled");
      }
      if (!keep) {
        return loaded;
      }
      Tensor share;
      synchronized (this) {
        if (place != Place.DISK || file != from) {
          loaded.close();
          return place == Place.MEMORY ? tensor.share() : null;
        }
        tiers.leftDisk(this);
        tensor = loaded;
        file = null;
        place = Place.MEMORY;
        tiers.enteredMemory(this);
        committed = true;
        share = loaded.share();
      }
      dir.delete(from);
      tiers.releaseDisk(byteSize);
      return share;
    } finally {
      if (keep && !committed) {
        tiers.releaseMemory(byteSize);
      }
    }
  }

  /** Releases the store's reference or removes the spill file, then the budget it held. Idempotent. */
  void free(SpillDirectory dir) {
    Tensor dropped = null;
    Path removed = null;
    boolean inMemory;
    synchronized (this) {
      inMemory = place == Place.MEMORY;
      if (inMemory) {
        tiers.leftMemory(this);
        dropped = tensor;
        tensor = null;
      } else if (place == Place.DISK) {
        tiers.leftDisk(this);
        removed = file;
        file = null;
      }
      place = Place.FREED;
    }
    if (inMemory) {
      dropped.close();
      tiers.releaseMemory(byteSize);
    }
    if (removed != null) {
      dir.delete(removed);
      tiers.releaseDisk(byteSize);
    }
  }

  @Override
  public String toString() {
    return "StoredTensor(" + dtype + " " + shape + ", " + byteSize + " bytes, " + place() + ")";
  }
}
