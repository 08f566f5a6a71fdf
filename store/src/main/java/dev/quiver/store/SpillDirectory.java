package dev.quiver.store;

import dev.quiver.errors.DataLossException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.interchange.TensorIpc;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory a {@link HandleStore} spills tensors to, one Arrow IPC file per tensor in the interchange
 * format. Files are named by a counter, never by handle, so a directory listing reveals no handle secrets.
 * Thread-safe. {@link #close()} removes the files it wrote, and the directory if it created it.
 */
final class SpillDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpillDirectory.class);

  /**
   * Spill files hold one record batch up to this size, so most reloads keep the read buffer as the tensor's
   * memory instead of gathering batches; a batch's element count stays below Arrow's int32 limit.
   */
  static final long BATCH_BYTES = 1L << 30;

  private final Path dir;
  private final boolean created;
  private final String prefix;
  private final AtomicLong sequence = new AtomicLong();
  private final Set<Path> files = ConcurrentHashMap.newKeySet();

  private SpillDirectory(Path dir, boolean created, String prefix) {
    this.dir = dir;
    this.created = created;
    this.prefix = prefix;
  }

  /**
   * Opens {@code requested}, creating it if needed, or a fresh owner-only temporary directory if it is null.
   * Files are prefixed with {@code storeId} so that stores can share a directory.
   */
  static SpillDirectory open(Path requested, String storeId) throws IOException {
    if (requested == null) {
      return new SpillDirectory(Files.createTempDirectory("quiver-spill-"), true, storeId + "-");
    }
    boolean existed = Files.isDirectory(requested);
    Files.createDirectories(requested);
    return new SpillDirectory(requested, !existed, storeId + "-");
  }

  Path path() {
    return dir;
  }

  /** Writes {@code tensor} to a new file; a partly written file is removed on failure. */
  Path write(Tensor tensor) throws IOException {
    Path file = dir.resolve(prefix + sequence.incrementAndGet() + ".arrow");
    files.add(file);
    boolean done = false;
    try {
      TensorIpc.writeFile(tensor, file, BATCH_BYTES);
      done = true;
      return file;
    } finally {
      if (!done) {
        delete(file);
      }
    }
  }

  /**
   * Reads a file written by {@link #write} into new memory of {@code allocator}.
   *
   * @throws DataLossException if the file is no longer a tensor's Arrow file
   */
  Tensor read(BufferAllocator allocator, Path file) throws IOException {
    try {
      return TensorIpc.readFile(allocator, file);
    } catch (InvalidArgumentException e) {
      throw new DataLossException("spill file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  /** Removes a file; failures are logged, since the data it held is no longer wanted. */
  void delete(Path file) {
    files.remove(file);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("could not remove spill file {}: {}", file, e.toString());
    }
  }

  @Override
  public void close() {
    for (Path f : Set.copyOf(files)) {
      delete(f);
    }
    if (created) {
      try {
        Files.deleteIfExists(dir);
      } catch (DirectoryNotEmptyException e) {
        LOG.warn("spill directory {} holds files the store did not write; leaving it", dir);
      } catch (IOException e) {
        LOG.warn("could not remove spill directory {}: {}", dir, e.toString());
      }
    }
  }
}
