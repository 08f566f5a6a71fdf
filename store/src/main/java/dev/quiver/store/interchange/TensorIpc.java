package dev.quiver.store.interchange;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.store.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A tensor as an Arrow IPC stream or file (the interchange format of {@code docs/interchange-format.md}).
 *
 * <p>Writing sends slices of the tensor's memory ({@link TensorBatches}); reading a one-batch stream or file keeps
 * the received buffer as the tensor's memory ({@link TensorAssembler}). The streams passed in are neither closed
 * nor read past the end of the tensor's stream. Stateless and thread-safe; each call works on its own objects.
 */
public final class TensorIpc {
  static {
    FixedShapeTensorType.ensureRegistered();
  }

  private TensorIpc() {}

  /** Writes {@code tensor} as an Arrow IPC stream in batches of {@link TensorBatches#DEFAULT_MAX_BATCH_BYTES}. */
  public static void writeStream(Tensor tensor, OutputStream out) throws IOException {
    writeStream(tensor, out, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
  }

  /**
   * Writes {@code tensor} as an Arrow IPC stream in batches of at most {@code maxBatchBytes} element bytes.
   *
   * @throws IOException if {@code out} fails
   */
  public static void writeStream(Tensor tensor, OutputStream out, long maxBatchBytes) throws IOException {
    write(tensor, maxBatchBytes, Channels.newChannel(new KeepOpen.Output(out)), false);
  }

  /** Writes {@code tensor} as an Arrow IPC file (replacing {@code path}) in default-sized batches. */
  public static void writeFile(Tensor tensor, Path path) throws IOException {
    writeFile(tensor, path, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
  }

  /** Writes {@code tensor} as an Arrow IPC file (replacing {@code path}) in batches of at most {@code maxBatchBytes}. */
  public static void writeFile(Tensor tensor, Path path, long maxBatchBytes) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      write(tensor, maxBatchBytes, channel, true);
    }
  }

  /**
   * Writes {@code tensor} as an Arrow IPC file to {@code channel}, which must be at the start of an empty file
   * (the file's offsets count from there), in batches of at most {@code maxBatchBytes}. The channel stays open:
   * for callers that open the file themselves, say with permissions of their own.
   *
   * @throws IOException if {@code channel} fails
   */
  public static void writeFile(Tensor tensor, WritableByteChannel channel, long maxBatchBytes) throws IOException {
    write(tensor, maxBatchBytes, new KeepOpen.Channel(channel), true);
  }

  /**
   * Reads the tensor of an Arrow IPC stream; its memory belongs to {@code allocator}. The caller owns it.
   *
   * @throws InvalidArgumentException "not a tensor stream: ..." if the bytes are not a tensor's stream (nothing
   *     leaks)
   * @throws ResourceExhaustedException if {@code allocator} cannot hold a batch
   * @throws IOException if {@code in} itself fails
   */
  public static Tensor readStream(BufferAllocator allocator, InputStream in) throws IOException {
    KeepOpen.Input source = new KeepOpen.Input(in);
    try (ArrowStreamReader reader = new ArrowStreamReader(source, allocator)) {
      return read(reader, allocator, source);
    }
  }

  /**
   * Reads the tensor of an Arrow IPC file; its memory belongs to {@code allocator}. The caller owns it.
   *
   * <p>A tensor of a fixed-width dtype other than bool is read straight from the file into its own buffer, one
   * allocation whatever the number of batches (no copy but the read itself); bool and string tensors go through
   * Arrow's reader like a stream, and so does any file that is not laid out as this format writes it.
   *
   * @throws InvalidArgumentException if the file is not a tensor's Arrow file (nothing leaks)
   * @throws ResourceExhaustedException if {@code allocator} cannot hold the tensor or a batch
   * @throws IOException if the file cannot be opened or read
   */
  public static Tensor readFile(BufferAllocator allocator, Path path) throws IOException {
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      Tensor direct = DirectFileRead.tryRead(allocator, file, new KeepOpen.Seekable(file));
      if (direct != null) {
        return direct;
      }
      file.position(0);
      KeepOpen.Seekable source = new KeepOpen.Seekable(file);
      try (ArrowFileReader reader = new ArrowFileReader(source, allocator)) {
        return read(reader, allocator, source);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Writes the tensor's batches as {@link TensorBatches} cuts them, straight to the writer: loaded into a root's
   * vectors first, each batch would get a validity bitmap of all ones, allocated and sent for nothing (the format
   * has no nulls, and Arrow lets a batch without nulls omit its bitmaps). The root only carries the schema; it
   * never holds a buffer, so its allocator may allocate nothing.
   */
  private static void write(Tensor tensor, long maxBatchBytes, WritableByteChannel channel, boolean file)
      throws IOException {
    Schema schema = TensorSchema.of(tensor);
    List<ArrowRecordBatch> batches = TensorBatches.of(tensor, maxBatchBytes);
    try (BufferAllocator none = new RootAllocator(0);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, none);
        BatchWriter writer = file ? new FileBatchWriter(root, channel) : new StreamBatchWriter(root, channel)) {
      writer.start();
      for (ArrowRecordBatch batch : batches) {
        writer.write(batch);
      }
      writer.end();
    } finally {
      batches.forEach(ArrowRecordBatch::close);
    }
  }

  /** An Arrow IPC writer that takes record batches as they are, not from its root's vectors. */
  private interface BatchWriter extends AutoCloseable {
    void start() throws IOException;

    void write(ArrowRecordBatch batch) throws IOException;

    void end() throws IOException;

    @Override
    void close();
  }

  private static final class StreamBatchWriter extends ArrowStreamWriter implements BatchWriter {
    StreamBatchWriter(VectorSchemaRoot root, WritableByteChannel channel) {
      super(root, null, channel);
    }

    @Override
    public void write(ArrowRecordBatch batch) throws IOException {
      writeRecordBatch(batch);
    }
  }

  private static final class FileBatchWriter extends ArrowFileWriter implements BatchWriter {
    FileBatchWriter(VectorSchemaRoot root, WritableByteChannel channel) {
      super(root, null, channel);
    }

    @Override
    public void write(ArrowRecordBatch batch) throws IOException {
      writeRecordBatch(batch); // the file writer's: it also records the batch's block for the footer
    }
  }

  private static Tensor read(ArrowReader reader, BufferAllocator allocator, KeepOpen source) throws IOException {
    try {
      Schema schema = reader.getVectorSchemaRoot().getSchema();
      try (TensorAssembler assembler = new TensorAssembler(allocator, schema)) {
        while (reader.loadNextBatch()) {
          assembler.append(reader.getVectorSchemaRoot());
        }
        return assembler.finish();
      }
    } catch (IOException e) {
      if (source.failure() != null) {
        throw e; // the source failed, not the format
      }
      throw TensorSchema.notATensor(describe(e), e);
    } catch (OutOfMemoryException e) {
      throw new ResourceExhaustedException("reading a tensor stream: the allocator cannot hold a batch ("
          + e.getMessage() + ")", e);
    } catch (InvalidArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("not a tensor stream")) {
        throw e;
      }
      throw TensorSchema.notATensor(e.getMessage(), e);
    } catch (RuntimeException e) {
      throw TensorSchema.notATensor(describe(e), e);
    }
  }

  private static String describe(Exception e) {
    return "the Arrow reader failed (" + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
  }
}
