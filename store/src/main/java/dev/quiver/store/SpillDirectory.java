package dev.quiver.store;

import dev.quiver.errors.DataLossException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.interchange.TensorIpc;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory a {@link HandleStore} spills tensors to, one Arrow IPC file per tensor in the interchange
 * format. Files are named by a counter, never by handle, so a directory listing reveals no handle secrets; on
 * POSIX file systems they are readable by their owner only (as is a directory the store creates), since they
 * hold the tensors themselves. Thread-safe. {@link #close()} removes the files it wrote, and the directory if
 * it created it.
 */
final class SpillDirectory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpillDirectory.class);

  /**
   * Spill files hold one record batch up to this size, so most reloads read the file's one buffer straight into
   * the tensor's memory; a batch's element count stays below Arrow's int32 limit.
   */
  static final long BATCH_BYTES = 1L << 30;

  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<OpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

  private final Path dir;
  private final boolean created;
  private final boolean posix;
  private final String prefix;
  private final long batchBytes;
  private final UnaryOperator<WritableByteChannel> channels;
  private final AtomicLong sequence = new AtomicLong();
  private final Set<Path> files = ConcurrentHashMap.newKeySet();

  private SpillDirectory(Path dir, boolean created, String prefix, long batchBytes,
      UnaryOperator<WritableByteChannel> channels) throws IOException {
    this.dir = dir;
    this.created = created;
    this.posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
    this.prefix = prefix;
    this.batchBytes = batchBytes;
    this.channels = channels;
  }

  /**
   * Opens {@code requested}, creating it owner-only if needed, or a fresh owner-only temporary directory if it is
   * null. Files are prefixed with {@code storeId} so that stores can share a directory.
   *
   * @param batchBytes the most element bytes in one record batch of a spill file
   * @param channels wraps the channel each spill file is written through (tests use it to stall or fail writes)
   */
  static SpillDirectory open(Path requested, String storeId, long batchBytes,
      UnaryOperator<WritableByteChannel> channels) throws IOException {
    if (requested == null) {
      return new SpillDirectory(Files.createTempDirectory("quiver-spill-"), true, storeId + "-", batchBytes, channels);
    }
    boolean existed = Files.isDirectory(requested);
    if (!existed) {
      Files.createDirectories(requested);
      if (Files.getFileStore(requested).supportsFileAttributeView(PosixFileAttributeView.class)) {
        Files.setPosixFilePermissions(requested, OWNER_DIR); // explicitly, whatever the umask
      }
    }
    return new SpillDirectory(requested, !existed, storeId + "-", batchBytes, channels);
  }

  Path path() {
    return dir;
  }

  /** Writes {@code tensor} to a new file; a partly written file is removed on failure. */
  Path write(Tensor tensor) throws IOException {
    Path file = dir.resolve(prefix + sequence.incrementAndGet() + ".arrow");
    // A new file, never an existing one: if the name is taken, that file is not ours to replace or remove.
    FileChannel channel = posix ? FileChannel.open(file, CREATE, ownerOnly()) : FileChannel.open(file, CREATE);
    files.add(file);
    boolean done = false;
    try {
      try (FileChannel out = channel) {
        TensorIpc.writeFile(tensor, channels.apply(out), batchBytes);
      }
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

  private static FileAttribute<Set<PosixFilePermission>> ownerOnly() {
    return PosixFilePermissions.asFileAttribute(OWNER_FILE); // the umask can only remove bits from these
  }
}
