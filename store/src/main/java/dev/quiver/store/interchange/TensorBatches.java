package dev.quiver.store.interchange;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Cuts a tensor into the record batches of its stream ({@link TensorSchema}), each a run of whole rows of the
 * first dim.
 *
 * <p><b>No copy.</b> A batch's buffers are slices of the tensor's own buffers, retained by the batch: the
 * tensor may be closed while batches live, and each batch frees its references when closed. Two documented
 * exceptions copy: bool elements (one byte each in memory) are bit-packed as Arrow's boolean type requires, and
 * a string batch whose offsets do not start at 0 (every batch after the first, or a sliced tensor) gets its own
 * offsets rebased to 0 (4 bytes per element; the UTF-8 data is still a slice). Those copies come from the
 * tensor's allocator. Stateless and thread-safe.
 */
public final class TensorBatches {
  /** The default bound of a batch's element bytes: 4 MiB. */
  public static final long DEFAULT_MAX_BATCH_BYTES = 4L << 20;

  /** Java vectors count elements with ints; a batch never holds more. */
  private static final long MAX_BATCH_ELEMENTS = Integer.MAX_VALUE - 1;

  static {
    FixedShapeTensorType.ensureRegistered();
  }

  private TensorBatches() {}

  /** {@link #of(Tensor, long)} with batches of at most {@link #DEFAULT_MAX_BATCH_BYTES}. */
  public static List<ArrowRecordBatch> of(Tensor tensor) {
    return of(tensor, DEFAULT_MAX_BATCH_BYTES);
  }

  /**
   * The record batches of {@code tensor}'s stream, in order. Each holds as many whole rows as fit in
   * {@code maxBatchBytes} of element bytes (data plus offsets for strings), and at least one row; a tensor
   * without rows gives one empty batch. The caller closes every batch.
   *
   * @throws IllegalArgumentException if {@code maxBatchBytes < 1}
   * @throws InvalidArgumentException if the tensor has no stream form ({@link TensorSchema#of})
   * @throws IllegalStateException if the tensor is closed
   */
  public static List<ArrowRecordBatch> of(Tensor tensor, long maxBatchBytes) {
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException("maxBatchBytes must be >= 1, not " + maxBatchBytes);
    }
    TensorSchema.Spec spec = new TensorSchema.Spec(tensor.dtype(), tensor.shape());
    TensorSchema.of(spec.dtype(), spec.shape()); // validates the shape once
    tensor.dataBuffer(); // fails on a closed tensor
    long rows = spec.rows();
    long perRow = spec.elementsPerRow();
    List<ArrowRecordBatch> batches = new ArrayList<>();
    try {
      if (rows == 0) {
        batches.add(batch(tensor, spec, 0, 0));
        return batches;
      }
      long row = 0;
      while (row < rows) {
        long end = batchEnd(tensor, spec, row, maxBatchBytes);
        batches.add(batch(tensor, spec, row, end));
        row = end;
      }
      return batches;
    } catch (RuntimeException e) {
      batches.forEach(ArrowRecordBatch::close);
      throw e;
    }
  }

  /**
   * Loads {@code batch} into {@code root} (whose schema is the tensor's {@link TensorSchema}), replacing what it
   * held: the root's vectors retain the batch's buffers, without copying, so the batch can be closed afterwards.
   * This is how a tensor feeds a root that is sent batch by batch, as by an Arrow Flight
   * {@code ServerStreamListener}. The root's allocator must share a root allocator with the tensor's memory.
   */
  public static void load(VectorSchemaRoot root, ArrowRecordBatch batch) {
    new VectorLoader(root).load(batch);
  }

  /**
   * Where the batch that {@link #of(Tensor, long)} starts at row {@code row} of the first dim ends (exclusive):
   * as many whole rows as fit in {@code maxBatchBytes}, and at least one. For a sender that cuts a tensor's
   * batches one at a time, as they are needed, exactly as {@code of} would.
   *
   * @throws IllegalArgumentException if the tensor is a scalar or {@code row} is not one of its rows
   */
  public static long batchEnd(Tensor tensor, long row, long maxBatchBytes) {
    if (tensor.rank() == 0 || row < 0 || row >= tensor.shape().dim(0)) {
      throw new IllegalArgumentException("row " + row + " is not a row of a " + tensor.shape() + " tensor");
    }
    return batchEnd(tensor, new TensorSchema.Spec(tensor.dtype(), tensor.shape()), row, maxBatchBytes);
  }

  private static long batchEnd(Tensor tensor, TensorSchema.Spec spec, long row, long maxBatchBytes) {
    long rows = spec.rows();
    long perRow = spec.elementsPerRow();
    long end;
    if (tensor.dtype() == DType.STRING) {
      end = stringBatchEnd(tensor, row, rows, perRow, maxBatchBytes);
    } else {
      long rowBytes = perRow * tensor.dtype().byteWidth();
      long byBytes = rowBytes == 0 ? rows : Math.max(1, maxBatchBytes / rowBytes);
      end = row + Math.min(rows - row, byBytes);
    }
    long maxRowsByCount = perRow == 0 ? MAX_BATCH_ELEMENTS : Math.max(1, MAX_BATCH_ELEMENTS / perRow);
    return Math.min(end, row + maxRowsByCount);
  }

  // ---------------------------------------------------------------------------------------------

  /** The end of a string batch starting at {@code row}: rows while the bytes fit, and at least one. */
  private static long stringBatchEnd(Tensor tensor, long row, long rows, long perRow, long maxBatchBytes) {
    ArrowBuf offsets = tensor.offsetBuffer();
    long start = offsets.getInt(row * perRow * 4);
    long end = row;
    while (end < rows) {
      long next = end + 1;
      long bytes = offsets.getInt(next * perRow * 4) - start + (next - row) * perRow * 4;
      if (end > row && bytes > maxBatchBytes) {
        break;
      }
      end = next;
    }
    return end;
  }

  /** The batch of rows {@code [from, to)}. */
  private static ArrowRecordBatch batch(Tensor tensor, TensorSchema.Spec spec, long from, long to) {
    int rows = Math.toIntExact(to - from);
    long perRow = spec.elementsPerRow();
    long first = from * perRow;
    long count = (to - from) * perRow;
    int elements = Math.toIntExact(count);
    ArrowBuf data = tensor.dataBuffer();
    ArrowBuf empty = data.slice(0, 0); // validity: no nulls, so an empty bitmap
    List<ArrowFieldNode> nodes = new ArrayList<>(2);
    List<ArrowBuf> buffers = new ArrayList<>(4);
    if (spec.shape().rank() >= 2) {
      nodes.add(new ArrowFieldNode(rows, 0));
      buffers.add(empty);
    }
    nodes.add(new ArrowFieldNode(elements, 0));
    buffers.add(empty);
    List<ArrowBuf> owned = new ArrayList<>(1); // buffers made here: the batch retains them, we drop ours
    try {
      switch (tensor.dtype()) {
        case BOOL -> {
          if (count == 0) {
            buffers.add(empty);
            break;
          }
          ArrowBuf bits = allocate(data, (count + 7) / 8);
          owned.add(bits);
          BitPacking.pack(data, first, count, bits);
          buffers.add(bits);
        }
        case STRING -> addStringBuffers(tensor, first, count, buffers, owned);
        default -> {
          long w = tensor.dtype().byteWidth();
          buffers.add(data.slice(first * w, count * w));
        }
      }
      return new ArrowRecordBatch(rows, nodes, buffers);
    } finally {
      owned.forEach(ArrowBuf::close);
    }
  }

  private static void addStringBuffers(Tensor tensor, long first, long count, List<ArrowBuf> buffers,
      List<ArrowBuf> owned) {
    ArrowBuf offsets = tensor.offsetBuffer();
    ArrowBuf data = tensor.dataBuffer();
    int start = offsets.getInt(first * 4);
    int end = offsets.getInt((first + count) * 4);
    if (start == 0) {
      buffers.add(offsets.slice(first * 4, (count + 1) * 4));
    } else {
      // Readers expect offsets from 0 into the batch's own data; rebasing copies 4 bytes per element.
      ArrowBuf rebased = allocate(offsets, (count + 1) * 4);
      owned.add(rebased);
      for (long i = 0; i <= count; i++) {
        rebased.setInt(i * 4, offsets.getInt((first + i) * 4) - start);
      }
      buffers.add(rebased);
    }
    buffers.add(data.slice(start, end - start));
  }

  /** A new buffer accounted like {@code like}'s memory (which is real: it has elements to convert). */
  private static ArrowBuf allocate(ArrowBuf like, long bytes) {
    ReferenceManager rm = like.getReferenceManager();
    BufferAllocator allocator = rm.getAllocator();
    ArrowBuf buf = allocator.buffer(bytes);
    buf.setZero(0, bytes);
    buf.writerIndex(bytes);
    return buf;
  }
}
