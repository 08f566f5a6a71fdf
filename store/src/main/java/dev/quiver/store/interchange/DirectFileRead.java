package dev.quiver.store.interchange;

import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a fixed-width tensor from an Arrow IPC file by copying each record batch's element buffer from the file
 * straight into the tensor's memory: one allocation, one pass over the bytes, as fast as the file can be read.
 * Arrow's reader would first read each batch body into a buffer of its own (and, for several batches, gather
 * them into another).
 *
 * <p>Only what it can read exactly is read here: fixed-width dtypes other than bool, uncompressed batches whose
 * nodes and buffers are the interchange format's. For anything else (bool, string, compression, dictionaries, a
 * layout it does not expect, a damaged file) {@link #tryRead} answers null and the caller uses Arrow's reader,
 * which reads it or names what is wrong. Stateless and thread-safe.
 */
final class DirectFileRead {
  /** The largest metadata block read into the heap; the interchange format's are a few hundred bytes. */
  private static final int MAX_METADATA_BYTES = 1 << 20;
  /** The most bytes asked of one {@code FileChannel.read}: NIO buffers are int-indexed. */
  private static final long MAX_CHUNK = 1L << 30;

  private DirectFileRead() {}

  /** Where one batch's elements are in the file. */
  private record Piece(long position, long bytes) {}

  /**
   * The file's tensor in new memory of {@code allocator}, or null if this reader does not read such a file.
   *
   * @param source the open file, also used through {@code seekable} for the footer
   * @throws IOException if reading the file fails
   * @throws ResourceExhaustedException if {@code allocator} cannot hold the tensor
   */
  static Tensor tryRead(BufferAllocator allocator, FileChannel source, KeepOpen.Seekable seekable)
      throws IOException {
    TensorSchema.Spec spec;
    List<ArrowBlock> blocks;
    try (ArrowFileReader reader = new ArrowFileReader(seekable, allocator)) {
      Schema schema = reader.getVectorSchemaRoot().getSchema();
      if (!reader.getDictionaryBlocks().isEmpty()) {
        return null;
      }
      spec = TensorSchema.describe(schema);
      blocks = reader.getRecordBlocks();
    } catch (IOException | RuntimeException e) {
      if (seekable.failure() != null) {
        throw seekable.failure(); // the file failed, not the format
      }
      return null; // Arrow's reader will say what is wrong
    }
    DType dtype = spec.dtype();
    if (!dtype.isFixedWidth() || dtype == DType.BOOL) {
      return null;
    }
    List<Piece> pieces = locate(source, spec, blocks);
    if (pieces == null) {
      return null;
    }
    Tensor tensor;
    try {
      tensor = Tensor.allocateUninitialized(allocator, dtype, spec.shape());
    } catch (OutOfMemoryException e) {
      throw new ResourceExhaustedException("reading a " + dtype + " " + spec.shape() + " tensor file: the allocator "
          + "cannot hold it (" + e.getMessage() + ")", e);
    }
    try {
      ArrowBuf into = tensor.dataBuffer();
      long at = 0;
      for (Piece p : pieces) {
        readFully(source, p.position(), into, at, p.bytes());
        at += p.bytes();
      }
      return tensor;
    } catch (IOException | RuntimeException e) {
      tensor.close();
      throw e;
    }
  }

  /**
   * Where each batch's elements are, checking every batch against the spec as Arrow's reader and the
   * {@link TensorAssembler} would; null if any batch is not what this reader reads exactly.
   */
  private static List<Piece> locate(FileChannel source, TensorSchema.Spec spec, List<ArrowBlock> blocks)
      throws IOException {
    long size = source.size();
    boolean list = spec.shape().rank() >= 2;
    long perRow = spec.elementsPerRow();
    long width = spec.dtype().byteWidth();
    List<Piece> pieces = new ArrayList<>(blocks.size());
    long rows = 0;
    for (ArrowBlock block : blocks) {
      long bodyStart = block.getOffset() + block.getMetadataLength();
      if (block.getOffset() < 0 || block.getMetadataLength() <= 8 || block.getMetadataLength() > MAX_METADATA_BYTES
          || block.getBodyLength() < 0 || bodyStart > size || block.getBodyLength() > size - bodyStart) {
        return null;
      }
      RecordBatch batch = recordBatch(source, block);
      if (batch == null || batch.compression() != null || batch.variadicBufferCountsLength() != 0
          || batch.nodesLength() != (list ? 2 : 1) || batch.buffersLength() != (list ? 3 : 2)) {
        return null;
      }
      long batchRows = batch.length();
      if (batchRows < 0 || batchRows > spec.rows() - rows) {
        return null;
      }
      long elements = batchRows * perRow;
      if (!node(batch.nodes(0), batchRows) || (list && !node(batch.nodes(1), elements))) {
        return null;
      }
      Buffer data = batch.buffers(batch.buffersLength() - 1);
      long bytes = elements * width;
      if (data.offset() < 0 || data.length() < bytes || data.offset() > block.getBodyLength() - bytes) {
        return null;
      }
      if (bytes > 0) {
        pieces.add(new Piece(bodyStart + data.offset(), bytes));
      }
      rows += batchRows;
    }
    return rows == spec.rows() ? pieces : null;
  }

  /** A node of {@code length} values, none of them null. */
  private static boolean node(FieldNode node, long length) {
    return node.length() == length && node.nullCount() == 0;
  }

  /** The record batch header of a block's message, or null if it is not one. */
  private static RecordBatch recordBatch(FileChannel source, ArrowBlock block) throws IOException {
    ByteBuffer metadata = ByteBuffer.allocate(block.getMetadataLength()).order(ByteOrder.LITTLE_ENDIAN);
    readFully(source, block.getOffset(), metadata);
    metadata.flip();
    int length = metadata.getInt();
    if (length == MessageSerializer.IPC_CONTINUATION_TOKEN) {
      length = metadata.getInt();
    }
    if (length <= 0 || length > metadata.remaining()) {
      return null;
    }
    try {
      Message message = Message.getRootAsMessage(metadata.slice().limit(length).order(ByteOrder.LITTLE_ENDIAN));
      if (message.headerType() != MessageHeader.RecordBatch || message.bodyLength() != block.getBodyLength()) {
        return null;
      }
      return (RecordBatch) message.header(new RecordBatch());
    } catch (RuntimeException e) {
      return null; // not a flatbuffer: Arrow's reader will say so
    }
  }

  private static void readFully(FileChannel source, long position, ByteBuffer into) throws IOException {
    long at = position;
    while (into.hasRemaining()) {
      int n = source.read(into, at);
      if (n < 0) {
        throw new EOFException("the file ended at " + at + ", before the " + into.remaining() + " bytes its "
            + "footer promises");
      }
      at += n;
    }
  }

  /** Reads {@code bytes} from the file at {@code position} into {@code into} at {@code offset}. */
  private static void readFully(FileChannel source, long position, ArrowBuf into, long offset, long bytes)
      throws IOException {
    for (long done = 0; done < bytes; ) {
      int chunk = (int) Math.min(MAX_CHUNK, bytes - done);
      readFully(source, position + done, into.nioBuffer(offset + done, chunk));
      done += chunk;
    }
  }
}
