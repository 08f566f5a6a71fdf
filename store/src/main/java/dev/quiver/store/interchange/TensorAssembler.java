package dev.quiver.store.interchange;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ReferenceManager;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rebuilds a tensor from the record batches of its stream, as a reader receives them.
 *
 * <p>{@link #append} keeps references to a batch's element buffers (the root may be reused for the next batch);
 * {@link #finish} then makes the tensor. <b>No copy</b> for a one-batch stream: the tensor's memory is the
 * received buffer itself, retained and, when it shares a root allocator with this assembler's, accounted to this
 * assembler's allocator once the reader lets go. A stream of several batches is gathered once into one new
 * buffer. Bool elements are always unpacked from bits into bytes (the documented copy).
 *
 * <p>Every batch is validated against the schema's declared dtype and shape: element type, no nulls, row count
 * (never more rows than {@code shape[0]}, exactly that many at {@link #finish}), buffer sizes and string offsets.
 * On any failure the assembler releases everything it holds and becomes unusable. Not thread-safe: one reader
 * thread feeds it.
 */
public final class TensorAssembler implements AutoCloseable {
  static {
    FixedShapeTensorType.ensureRegistered();
  }

  private final BufferAllocator allocator;
  private final TensorSchema.Spec spec;
  private final ArrowType columnType;
  private final long perRow;
  private final List<Piece> pieces = new ArrayList<>();
  private long rows;
  private boolean done;

  /** The buffers of one batch's elements, owned by this assembler. */
  private record Piece(long elements, ArrowBuf data, ArrowBuf offsets) {
    void close() {
      data.close();
      if (offsets != null) {
        offsets.close();
      }
    }
  }

  /**
   * An assembler for the tensor that {@code schema} describes; its memory will belong to {@code allocator}.
   *
   * @throws InvalidArgumentException if the schema is not a tensor stream's ({@link TensorSchema#describe})
   */
  public TensorAssembler(BufferAllocator allocator, Schema schema) {
    this.allocator = java.util.Objects.requireNonNull(allocator, "allocator");
    this.spec = TensorSchema.describe(schema);
    this.columnType = schema.getFields().get(0).getType();
    this.perRow = spec.elementsPerRow();
  }

  /** The dtype and shape the stream declares. */
  public TensorSchema.Spec spec() {
    return spec;
  }

  /** Rows received so far. */
  public long rows() {
    return rows;
  }

  /**
   * Takes the rows of one batch: retains the root's element buffers without copying. The root stays the
   * caller's and may be cleared or reloaded afterwards.
   *
   * @throws InvalidArgumentException naming what is wrong with the batch (the assembler is then closed)
   * @throws IllegalStateException after {@link #finish} or {@link #close}, or after a failure
   */
  public void append(VectorSchemaRoot root) {
    checkUsable();
    try {
      appendChecked(root);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The tensor: the received buffer itself for one batch, a gathered copy for several. The caller owns it.
   *
   * @throws InvalidArgumentException if the stream held fewer rows than the shape declares (nothing leaks)
   * @throws IllegalStateException if called twice, after {@link #close}, or after a failure
   */
  public Tensor finish() {
    checkUsable();
    try {
      if (rows != spec.rows()) {
        throw TensorSchema.notATensor("the stream ended after " + rows + " rows but " + TensorSchema.SHAPE_KEY + " "
            + spec.shape() + " declares " + spec.rows());
      }
      Tensor t = build();
      pieces.clear();
      done = true;
      return t;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Releases every buffer still held; idempotent. After {@link #finish} the tensor is unaffected. */
  @Override
  public void close() {
    done = true;
    RuntimeException first = null;
    for (Piece p : pieces) {
      try {
        p.close();
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    pieces.clear();
    if (first != null) {
      throw first;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void checkUsable() {
    if (done) {
      throw new IllegalStateException("the tensor assembler for " + spec.dtype() + " " + spec.shape()
          + " is finished or closed");
    }
  }

  private void appendChecked(VectorSchemaRoot root) {
    List<FieldVector> vectors = root.getFieldVectors();
    if (vectors.size() != 1) {
      throw TensorSchema.notATensor("a batch has " + vectors.size() + " columns; a tensor has exactly one");
    }
    FieldVector column = vectors.get(0);
    if (!columnType.equals(column.getField().getType())) {
      throw TensorSchema.notATensor("a batch's column is " + column.getField().getType() + " but the schema declared "
          + columnType);
    }
    int batchRows = root.getRowCount();
    if (column.getValueCount() != batchRows) {
      throw TensorSchema.notATensor("a batch of " + batchRows + " rows has a column of " + column.getValueCount()
          + " values");
    }
    if (batchRows > spec.rows() - rows) {
      throw TensorSchema.notATensor("the stream holds more than the " + spec.rows() + " rows "
          + TensorSchema.SHAPE_KEY + " " + spec.shape() + " declares");
    }
    FieldVector elements = elementsOf(column, batchRows);
    if (elements.getNullCount() != 0) {
      throw TensorSchema.notATensor("the stream holds " + elements.getNullCount() + " null elements; tensors hold"
          + " no nulls");
    }
    if (!spec.dtype().arrowType().equals(elements.getField().getType())) {
      throw TensorSchema.notATensor("a batch holds " + elements.getField().getType() + " elements, not "
          + spec.dtype());
    }
    long count = (long) batchRows * perRow;
    if (elements.getValueCount() != count) {
      throw TensorSchema.notATensor("a batch of " + batchRows + " rows holds " + elements.getValueCount()
          + " elements instead of " + count);
    }
    rows += batchRows;
    if (count > 0) {
      pieces.add(take(elements, count));
    }
  }

  /** The vector of a batch's elements: the column itself (ranks 0, 1) or its list's child (rank &ge; 2). */
  private FieldVector elementsOf(FieldVector column, int batchRows) {
    if (spec.shape().rank() < 2) {
      return column;
    }
    FieldVector storage = column instanceof FixedShapeTensorVector
        ? ((FixedShapeTensorVector) column).getUnderlyingVector() : column;
    if (!(storage instanceof FixedSizeListVector)) {
      throw TensorSchema.notATensor("a batch's column is " + column.getField().getType() + ", not "
          + FixedShapeTensorType.EXTENSION_NAME);
    }
    FixedSizeListVector list = (FixedSizeListVector) storage;
    if (list.getListSize() != perRow) {
      throw TensorSchema.notATensor("a batch's rows hold " + list.getListSize() + " elements, not " + perRow);
    }
    if (list.getNullCount() != 0) {
      throw TensorSchema.notATensor("a batch holds " + list.getNullCount() + " null rows; tensors hold no nulls");
    }
    return list.getDataVector();
  }

  private Piece take(FieldVector elements, long count) {
    DType dtype = spec.dtype();
    if (dtype == DType.STRING) {
      VarCharVector strings = (VarCharVector) elements;
      ArrowBuf offsets = strings.getOffsetBuffer();
      ArrowBuf data = strings.getDataBuffer();
      checkCapacity(offsets, (count + 1) * 4, "string offsets");
      checkOffsets(offsets, count, data.capacity());
      ArrowBuf ownOffsets = retainSlice(offsets, (count + 1) * 4);
      try {
        return new Piece(count, retainSlice(data, data.capacity()), ownOffsets);
      } catch (RuntimeException e) {
        ownOffsets.close();
        throw e;
      }
    }
    ArrowBuf data = elements instanceof BitVector
        ? ((BitVector) elements).getDataBuffer() : ((BaseFixedWidthVector) elements).getDataBuffer();
    long bytes = dtype == DType.BOOL ? (count + 7) / 8 : count * dtype.byteWidth();
    checkCapacity(data, bytes, dtype + " elements");
    return new Piece(count, retainSlice(data, bytes), null);
  }

  private static void checkCapacity(ArrowBuf buf, long need, String what) {
    if (buf.capacity() < need) {
      throw TensorSchema.notATensor("a batch's " + what + " take " + buf.capacity() + " bytes, fewer than the "
          + need + " its length requires (truncated?)");
    }
  }

  private static void checkOffsets(ArrowBuf offsets, long count, long dataBytes) {
    int previous = offsets.getInt(0);
    if (previous < 0) {
      throw TensorSchema.notATensor("string offsets start at " + previous);
    }
    for (long i = 1; i <= count; i++) {
      int next = offsets.getInt(i * 4);
      if (next < previous) {
        throw TensorSchema.notATensor("string offset " + i + " (" + next + ") is below the one before (" + previous + ")");
      }
      previous = next;
    }
    if (previous > dataBytes) {
      throw TensorSchema.notATensor("string offsets end at " + previous + ", beyond the " + dataBytes
          + " bytes of string data");
    }
  }

  /**
   * A new reference to the first {@code length} bytes of {@code buf}: the same memory, accounted to this
   * assembler's allocator when both share a root allocator (otherwise it stays with the sender's).
   */
  private ArrowBuf retainSlice(ArrowBuf buf, long length) {
    ReferenceManager rm = buf.getReferenceManager();
    if (length == 0 || rm == ReferenceManager.NO_OP) {
      return allocator.getEmpty();
    }
    ArrowBuf mine;
    if (rm.getAllocator().getRoot() == allocator.getRoot()) {
      mine = rm.retain(buf, allocator);
    } else {
      rm.retain();
      mine = buf;
    }
    return mine.slice(0, length);
  }

  /** A new buffer of exactly {@code bytes} (Arrow rounds allocations up; the tensor must not see the slack). */
  private ArrowBuf exactBuffer(long bytes) {
    return allocator.buffer(bytes).slice(0, bytes);
  }

  private Tensor build() {
    DType dtype = spec.dtype();
    if (dtype == DType.STRING) {
      return buildStrings();
    }
    if (dtype == DType.BOOL) {
      Tensor t = Tensor.allocate(allocator, dtype, spec.shape());
      try {
        long at = 0;
        for (Piece p : pieces) {
          BitPacking.unpack(p.data(), p.elements(), t.dataBuffer(), at);
          at += p.elements();
        }
        close();
        return t;
      } catch (RuntimeException e) {
        t.close();
        throw e;
      }
    }
    if (pieces.size() == 1) {
      return Tensor.wrap(dtype, spec.shape(), pieces.get(0).data());
    }
    // Several batches (or none, for an empty tensor): gather once.
    ArrowBuf gathered = exactBuffer(Tensor.byteSizeOf(dtype, spec.shape()));
    try {
      long at = 0;
      for (Piece p : pieces) {
        long n = p.data().capacity();
        gathered.setBytes(at, p.data(), 0, n);
        at += n;
      }
      close();
      return Tensor.wrap(dtype, spec.shape(), gathered);
    } catch (RuntimeException e) {
      gathered.close();
      throw e;
    }
  }

  private Tensor buildStrings() {
    if (pieces.isEmpty()) {
      return Tensor.of(allocator, new String[0], spec.shape());
    }
    if (pieces.size() == 1) {
      Piece p = pieces.get(0);
      return Tensor.wrapStrings(spec.shape(), p.offsets(), p.data());
    }
    long n = spec.shape().numElements();
    long total = 0;
    for (Piece p : pieces) {
      total += p.offsets().getInt(p.elements() * 4) - p.offsets().getInt(0);
    }
    if (total > Integer.MAX_VALUE) {
      throw TensorSchema.notATensor("the stream's strings take " + total + " bytes, beyond the 2 GiB of utf8");
    }
    ArrowBuf offsets = exactBuffer((n + 1) * 4);
    ArrowBuf data;
    try {
      data = exactBuffer(total);
    } catch (RuntimeException e) {
      offsets.close();
      throw e;
    }
    try {
      int pos = 0;
      long at = 0;
      offsets.setInt(0, 0);
      for (Piece p : pieces) {
        int start = p.offsets().getInt(0);
        int end = p.offsets().getInt(p.elements() * 4);
        data.setBytes(pos, p.data(), start, end - start);
        for (long i = 1; i <= p.elements(); i++) {
          offsets.setInt((at + i) * 4, pos + p.offsets().getInt(i * 4) - start);
        }
        pos += end - start;
        at += p.elements();
      }
      close();
      return Tensor.wrapStrings(spec.shape(), offsets, data);
    } catch (RuntimeException e) {
      offsets.close();
      data.close();
      throw e;
    }
  }
}
