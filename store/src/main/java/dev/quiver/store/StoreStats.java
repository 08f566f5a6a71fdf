package dev.quiver.store;

/**
 * A snapshot of a {@link HandleStore}'s contents and counters since it was built.
 *
 * <p>Byte counts are the tensors' {@link TensorInfo#byteSize() element bytes}, the weights the budgets count;
 * neither the allocator's rounding nor a spill file's Arrow framing is included. In memory a tensor spans at most
 * twice its bytes: Arrow rounds allocations below 16 MiB up to a power of two, and a tensor moved into the store
 * keeps the buffer it lives in (a slice spanning less than half of its buffer is copied instead).
 *
 * @param handlesInMemory handles whose tensor is in memory
 * @param bytesInMemory bytes of those tensors (at most the memory budget)
 * @param handlesOnDisk handles whose tensor is spilled to disk
 * @param bytesOnDisk bytes of those tensors (at most the disk budget)
 * @param hits reads served from memory ({@code get})
 * @param misses reads of a well-formed handle of this store that is not in it (deleted, expired, never
 *     stored)
 * @param spills tensors written to disk: evicted from memory, or put straight to disk
 * @param reloads reads served from disk
 * @param expiries handles freed because they were not read for the expire-after-access time
 * @param deletes handles freed by {@code delete}
 * @param bytesPooled bytes of freed memory blocks the store keeps to serve its next large allocations: held by
 *     the process but outside the allocator's accounting and the budgets; at most a quarter of the memory
 *     budget, returned to the operating system after 10 s unused and when the store closes
 */
public record StoreStats(long handlesInMemory, long bytesInMemory, long handlesOnDisk, long bytesOnDisk,
    long hits, long misses, long spills, long reloads, long expiries, long deletes, long bytesPooled) {

  /** Handles in the store, in memory or on disk. */
  public long handles() {
    return handlesInMemory + handlesOnDisk;
  }

  /** Bytes in the store, in memory or on disk. */
  public long bytes() {
    return bytesInMemory + bytesOnDisk;
  }
}
