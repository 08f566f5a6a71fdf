package dev.quiver.store;

import dev.quiver.errors.InvalidArgumentException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable n-dimensional value whose elements live in Arrow memory.
 *
 * <p>Fixed-width elements are one {@link ArrowBuf}, row-major and little-endian, with no validity bitmap.
 * Strings use Arrow's {@code utf8} layout: {@code numElements + 1} int32 offsets into a UTF-8 data buffer.
 *
 * <p><b>Ownership.</b> A {@code Tensor} object is one reference to its buffers: whoever holds it closes it.
 * {@link #share()}, {@link #slice} and {@link #reshape} return new references to the same memory (reference
 * counting, never a copy); the memory is freed when the last reference closes. Closing twice is harmless. A
 * tensor that becomes unreachable without being closed is released by a {@link Cleaner} and logged as a
 * leak; do not rely on that, use try-with-resources.
 *
 * <p><b>Immutability.</b> Only code that just {@link #allocate allocated} a tensor writes to it (the kernels
 * filling an output), before anyone else can see it. Instances are safe to read from many threads.
 */
public final class Tensor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Tensor.class);
  private static final Cleaner CLEANER = Cleaner.create();

  private final DType dtype;
  private final Shape shape;
  private final long numElements;
  private final ArrowBuf data;
  private final ArrowBuf offsets; // STRING only
  private final Releaser releaser;
  private final Cleaner.Cleanable cleanable;

  private Tensor(DType dtype, Shape shape, ArrowBuf data, ArrowBuf offsets) {
    this.dtype = dtype;
    this.shape = shape;
    this.numElements = shape.numElements();
    this.data = data;
    this.offsets = offsets;
    this.releaser = new Releaser(data, offsets, dtype, shape);
    this.cleanable = CLEANER.register(this, releaser);
  }

  // ---------------------------------------------------------------------------------------------
  // Construction

  /**
   * Allocates a zero-filled tensor of a fixed-width dtype: the way kernels and readers create outputs.
   *
   * @throws InvalidArgumentException if the shape is partial, too large, or the dtype is {@link DType#STRING}
   */
  public static Tensor allocate(BufferAllocator allocator, DType dtype, Shape shape) {
    Tensor t = allocateUninitialized(allocator, dtype, shape);
    t.data.setZero(0, t.data.capacity());
    return t;
  }

  /**
   * Allocates a tensor of a fixed-width dtype whose bytes are whatever the allocator handed out. Only for code
   * that writes every element before anyone reads the tensor (a kernel overwriting its whole output): it saves
   * {@link #allocate}'s extra pass over the memory, which for an elementwise op costs as much as the op.
   *
   * @throws InvalidArgumentException if the shape is partial, too large, or the dtype is {@link DType#STRING}
   */
  public static Tensor allocateUninitialized(BufferAllocator allocator, DType dtype, Shape shape) {
    requireDefined(shape);
    if (!dtype.isFixedWidth()) {
      throw new InvalidArgumentException("cannot allocate a " + dtype + " tensor by size; build it from values");
    }
    return new Tensor(dtype, shape, exactBuffer(allocator, byteSizeOf(dtype, shape)), null);
  }

  /**
   * A tensor over {@code data}, taking ownership of the one reference the caller holds to it.
   *
   * @throws InvalidArgumentException if the buffer's length does not match dtype and shape
   */
  public static Tensor wrap(DType dtype, Shape shape, ArrowBuf data) {
    requireDefined(shape);
    if (!dtype.isFixedWidth()) {
      throw new InvalidArgumentException("a " + dtype + " tensor needs offsets; use wrapStrings");
    }
    long expected = byteSizeOf(dtype, shape);
    if (data.capacity() != expected) {
      throw new InvalidArgumentException("a " + dtype + " tensor of shape " + shape + " takes " + expected
          + " bytes but the buffer has " + data.capacity());
    }
    return new Tensor(dtype, shape, data, null);
  }

  /**
   * A string tensor over Arrow {@code utf8} buffers, taking ownership of both references.
   *
   * @param offsets {@code numElements + 1} little-endian int32 offsets into {@code data}, non-decreasing
   * @throws InvalidArgumentException if the offsets do not fit the shape or the data
   */
  public static Tensor wrapStrings(Shape shape, ArrowBuf offsets, ArrowBuf data) {
    requireDefined(shape);
    long n = shape.numElements();
    if (offsets.capacity() < (n + 1) * 4) {
      throw new InvalidArgumentException("a string tensor of shape " + shape + " needs " + (n + 1)
          + " offsets but the offset buffer holds " + offsets.capacity() / 4);
    }
    int first = offsets.getInt(0);
    int last = offsets.getInt(n * 4);
    if (first < 0 || last < first || last > data.capacity()) {
      throw new InvalidArgumentException("string offsets [" + first + ", " + last + "] do not fit a data buffer of "
          + data.capacity() + " bytes");
    }
    return new Tensor(DType.STRING, shape, data, offsets);
  }

  /** A float32 scalar. */
  public static Tensor scalar(BufferAllocator allocator, float value) {
    return of(allocator, new float[] {value}, Shape.scalar());
  }

  /** A float64 scalar. */
  public static Tensor scalar(BufferAllocator allocator, double value) {
    return of(allocator, new double[] {value}, Shape.scalar());
  }

  /** An int32 scalar. */
  public static Tensor scalar(BufferAllocator allocator, int value) {
    return of(allocator, new int[] {value}, Shape.scalar());
  }

  /** An int64 scalar. */
  public static Tensor scalar(BufferAllocator allocator, long value) {
    return of(allocator, new long[] {value}, Shape.scalar());
  }

  /** A bool scalar. */
  public static Tensor scalar(BufferAllocator allocator, boolean value) {
    return of(allocator, new boolean[] {value}, Shape.scalar());
  }

  /** A string scalar. */
  public static Tensor scalar(BufferAllocator allocator, String value) {
    return of(allocator, new String[] {value}, Shape.scalar());
  }

  /** A float32 tensor of the given shape (a rank-1 tensor of all values if no shape is given). */
  public static Tensor of(BufferAllocator allocator, float[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, float[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.FLOAT32, shape, values.length);
    ElementCopier.put(t.data, values);
    return t;
  }

  /** A float64 tensor of the given shape. */
  public static Tensor of(BufferAllocator allocator, double[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, double[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.FLOAT64, shape, values.length);
    ElementCopier.put(t.data, values);
    return t;
  }

  /** An int32 tensor of the given shape. */
  public static Tensor of(BufferAllocator allocator, int[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, int[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.INT32, shape, values.length);
    ElementCopier.put(t.data, values);
    return t;
  }

  /** An int64 tensor of the given shape. */
  public static Tensor of(BufferAllocator allocator, long[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, long[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.INT64, shape, values.length);
    ElementCopier.put(t.data, values);
    return t;
  }

  /** An int16 tensor of the given shape. */
  public static Tensor of(BufferAllocator allocator, short[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, short[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.INT16, shape, values.length);
    ElementCopier.put(t.data, values);
    return t;
  }

  /** An int8 tensor of the given shape; use {@link #ofUint8} for the same bytes read as unsigned. */
  public static Tensor of(BufferAllocator allocator, byte[] values, long... shape) {
    return of(allocator, DType.INT8, values, shapeFor(values.length, shape));
  }

  /** A uint8 tensor of the given shape; each byte is read as an unsigned value 0..255. */
  public static Tensor ofUint8(BufferAllocator allocator, byte[] values, long... shape) {
    return of(allocator, DType.UINT8, values, shapeFor(values.length, shape));
  }

  private static Tensor of(BufferAllocator allocator, DType dtype, byte[] values, Shape shape) {
    Tensor t = allocateFor(allocator, dtype, shape, values.length);
    t.data.setBytes(0, values);
    return t;
  }

  /** A bool tensor of the given shape. */
  public static Tensor of(BufferAllocator allocator, boolean[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, boolean[] values, Shape shape) {
    Tensor t = allocateFor(allocator, DType.BOOL, shape, values.length);
    for (int i = 0; i < values.length; i++) {
      t.data.setByte(i, values[i] ? 1 : 0);
    }
    return t;
  }

  /** A string tensor of the given shape; each string is stored as UTF-8. Nulls are not allowed. */
  public static Tensor of(BufferAllocator allocator, String[] values, long... shape) {
    return of(allocator, values, shapeFor(values.length, shape));
  }

  public static Tensor of(BufferAllocator allocator, String[] values, Shape shape) {
    requireDefined(shape);
    if (shape.numElements() != values.length) {
      throw countMismatch(shape, values.length);
    }
    byte[][] encoded = new byte[values.length][];
    long total = 0;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new InvalidArgumentException("string tensor element " + i + " is null; tensors hold no nulls");
      }
      encoded[i] = values[i].getBytes(StandardCharsets.UTF_8);
      total += encoded[i].length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new InvalidArgumentException("string tensor data of " + total + " bytes exceeds the 2 GiB utf8 limit");
    }
    ArrowBuf offsets = exactBuffer(allocator, (values.length + 1L) * 4);
    ArrowBuf data;
    try {
      data = exactBuffer(allocator, total);
    } catch (RuntimeException e) {
      offsets.close();
      throw e;
    }
    int pos = 0;
    offsets.setInt(0, 0);
    for (int i = 0; i < encoded.length; i++) {
      data.setBytes(pos, encoded[i]);
      pos += encoded[i].length;
      offsets.setInt((i + 1L) * 4, pos);
    }
    return new Tensor(DType.STRING, shape, data, offsets);
  }

  /**
   * A tensor from a Java value: a scalar ({@code Float}, {@code Double}, {@code Integer}, {@code Long},
   * {@code Short}, {@code Byte}, {@code Boolean}, {@code String}) or a (nested) array of one of those types.
   * The dtype follows the Java type; the shape follows the nesting.
   *
   * @throws InvalidArgumentException for ragged arrays or unsupported element types
   */
  public static Tensor fromArray(BufferAllocator allocator, Object value) {
    return JavaArrays.toTensor(allocator, value, null);
  }

  /**
   * A tensor of {@code dtype} from a Java scalar or (nested) array, converting each element as numpy's
   * {@code np.asarray(value, dtype)} would (numbers to numbers, bools to 0/1); strings only to string.
   *
   * @throws InvalidArgumentException naming the element that cannot be converted
   */
  public static Tensor fromArray(BufferAllocator allocator, DType dtype, Object value) {
    return JavaArrays.toTensor(allocator, value, dtype);
  }

  /**
   * A fixed-width tensor whose bytes are copied from {@code bytes} (from its position to its limit),
   * read as little-endian elements of {@code dtype}.
   */
  public static Tensor fromBuffer(BufferAllocator allocator, DType dtype, Shape shape, ByteBuffer bytes) {
    requireDefined(shape);
    long need = byteSizeOf(dtype, shape);
    if (!dtype.isFixedWidth() || bytes.remaining() != need) {
      throw new InvalidArgumentException("a " + dtype + " tensor of shape " + shape + " takes " + need
          + " bytes but the buffer has " + bytes.remaining());
    }
    Tensor t = allocate(allocator, dtype, shape);
    t.data.setBytes(0, bytes.duplicate());
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // Description

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  public int rank() {
    return shape.rank();
  }

  public long numElements() {
    return numElements;
  }

  /** Bytes of Arrow memory this tensor spans (data plus offsets for strings). */
  public long byteSize() {
    return data.capacity() + (offsets == null ? 0 : offsets.capacity());
  }

  /** The data buffer: elements for fixed-width dtypes, UTF-8 bytes for strings. For kernels and IPC. */
  public ArrowBuf dataBuffer() {
    checkOpen();
    return data;
  }

  /** The int32 offsets of a string tensor, or null for fixed-width dtypes. */
  public ArrowBuf offsetBuffer() {
    checkOpen();
    return offsets;
  }

  /** The address of the first element, for kernels that read memory directly. */
  public long address() {
    checkOpen();
    return data.memoryAddress();
  }

  /** The allocator that owns the memory (accounting follows the first reference). */
  public BufferAllocator allocator() {
    return data.getReferenceManager().getAllocator();
  }

  /** How many live references the memory has, across all tensors sharing it. */
  public int refCount() {
    return data.refCnt();
  }

  public boolean isClosed() {
    return releaser.closed.get();
  }

  // ---------------------------------------------------------------------------------------------
  // Element access

  public float getFloat(long index) {
    check(DType.FLOAT32, index);
    return data.getFloat(index * 4);
  }

  public double getDouble(long index) {
    check(DType.FLOAT64, index);
    return data.getDouble(index * 8);
  }

  /** An int8 or uint8 element, as the raw byte. */
  public byte getByte(long index) {
    checkIndex(index);
    if (dtype != DType.INT8 && dtype != DType.UINT8) {
      throw wrongType("int8 or uint8");
    }
    return data.getByte(index);
  }

  public short getShort(long index) {
    check(DType.INT16, index);
    return data.getShort(index * 2);
  }

  public int getInt(long index) {
    check(DType.INT32, index);
    return data.getInt(index * 4);
  }

  public long getLong(long index) {
    check(DType.INT64, index);
    return data.getLong(index * 8);
  }

  public boolean getBoolean(long index) {
    check(DType.BOOL, index);
    return data.getByte(index) != 0;
  }

  public String getString(long index) {
    check(DType.STRING, index);
    int start = offsets.getInt(index * 4);
    int end = offsets.getInt((index + 1) * 4);
    byte[] b = new byte[end - start];
    data.getBytes(start, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes of a string element. */
  public byte[] getStringBytes(long index) {
    check(DType.STRING, index);
    int start = offsets.getInt(index * 4);
    int end = offsets.getInt((index + 1) * 4);
    byte[] b = new byte[end - start];
    data.getBytes(start, b);
    return b;
  }

  /** Any numeric or bool element converted to double (uint8 read unsigned, bool as 0 or 1). */
  public double getAsDouble(long index) {
    checkIndex(index);
    switch (dtype) {
      case FLOAT32: return data.getFloat(index * 4);
      case FLOAT64: return data.getDouble(index * 8);
      case INT8: return data.getByte(index);
      case UINT8: return data.getByte(index) & 0xFF;
      case INT16: return data.getShort(index * 2);
      case INT32: return data.getInt(index * 4);
      case INT64: return data.getLong(index * 8);
      case BOOL: return data.getByte(index) != 0 ? 1 : 0;
      default: throw wrongType("a numeric dtype");
    }
  }

  /** Any integer or bool element as a long (uint8 read unsigned). */
  public long getAsLong(long index) {
    checkIndex(index);
    switch (dtype) {
      case INT8: return data.getByte(index);
      case UINT8: return data.getByte(index) & 0xFF;
      case INT16: return data.getShort(index * 2);
      case INT32: return data.getInt(index * 4);
      case INT64: return data.getLong(index * 8);
      case BOOL: return data.getByte(index) != 0 ? 1 : 0;
      case FLOAT32: return (long) data.getFloat(index * 4);
      case FLOAT64: return (long) data.getDouble(index * 8);
      default: throw wrongType("a numeric dtype");
    }
  }

  /** The element at a multi-dimensional index, boxed (Float, Double, Byte, ..., String). */
  public Object get(long... index) {
    return getFlat(flatIndex(index));
  }

  /** The element at a flat row-major index, boxed; uint8 comes back as an Integer 0..255. */
  public Object getFlat(long i) {
    switch (dtype) {
      case FLOAT32: return getFloat(i);
      case FLOAT64: return getDouble(i);
      case INT8: return getByte(i);
      case UINT8: return getByte(i) & 0xFF;
      case INT16: return getShort(i);
      case INT32: return getInt(i);
      case INT64: return getLong(i);
      case BOOL: return getBoolean(i);
      case STRING: return getString(i);
      default: throw new AssertionError(dtype);
    }
  }

  /** The row-major flat index of a multi-dimensional index, bounds-checked against the shape. */
  public long flatIndex(long... index) {
    if (index.length != shape.rank()) {
      throw new InvalidArgumentException("index of rank " + index.length + " into a tensor of shape " + shape);
    }
    long flat = 0;
    for (int d = 0; d < index.length; d++) {
      long size = shape.dim(d);
      if (index[d] < 0 || index[d] >= size) {
        throw new InvalidArgumentException("index " + index[d] + " is out of range for dim " + d + " of shape " + shape);
      }
      flat = flat * size + index[d];
    }
    return flat;
  }

  public float[] toFloatArray() {
    requireType(DType.FLOAT32);
    float[] r = new float[arrayLength()];
    ElementCopier.get(data, r);
    return r;
  }

  public double[] toDoubleArray() {
    requireType(DType.FLOAT64);
    double[] r = new double[arrayLength()];
    ElementCopier.get(data, r);
    return r;
  }

  public int[] toIntArray() {
    requireType(DType.INT32);
    int[] r = new int[arrayLength()];
    ElementCopier.get(data, r);
    return r;
  }

  public long[] toLongArray() {
    requireType(DType.INT64);
    long[] r = new long[arrayLength()];
    ElementCopier.get(data, r);
    return r;
  }

  public short[] toShortArray() {
    requireType(DType.INT16);
    short[] r = new short[arrayLength()];
    ElementCopier.get(data, r);
    return r;
  }

  /** The raw bytes of an int8, uint8 or bool tensor. */
  public byte[] toByteArray() {
    if (dtype != DType.INT8 && dtype != DType.UINT8 && dtype != DType.BOOL) {
      throw wrongType("int8, uint8 or bool");
    }
    byte[] r = new byte[arrayLength()];
    data.getBytes(0, r);
    return r;
  }

  public boolean[] toBooleanArray() {
    requireType(DType.BOOL);
    boolean[] r = new boolean[arrayLength()];
    for (int i = 0; i < r.length; i++) {
      r[i] = data.getByte(i) != 0;
    }
    return r;
  }

  public String[] toStringArray() {
    requireType(DType.STRING);
    String[] r = new String[arrayLength()];
    for (int i = 0; i < r.length; i++) {
      r[i] = getString(i);
    }
    return r;
  }

  /** Every element converted to double, flat in row-major order (for tests and comparisons). */
  public double[] toDoubles() {
    double[] r = new double[arrayLength()];
    for (int i = 0; i < r.length; i++) {
      r[i] = getAsDouble(i);
    }
    return r;
  }

  /**
   * The value as a Java object shaped like the tensor: a boxed scalar for rank 0, otherwise a nested
   * primitive array ({@code float[][]} for a float32 matrix; uint8 as {@code byte[]} holding the raw bytes,
   * strings as {@code String[]}).
   */
  public Object toArray() {
    checkOpen();
    return JavaArrays.toJava(this);
  }

  /**
   * A read-only little-endian view of the element bytes, without copying. Valid while this reference is
   * open. Fixed-width tensors under 2 GiB only.
   */
  public ByteBuffer asByteBuffer() {
    checkOpen();
    if (!dtype.isFixedWidth()) {
      throw wrongType("a fixed-width dtype");
    }
    if (data.capacity() > Integer.MAX_VALUE) {
      throw new InvalidArgumentException("a tensor of " + data.capacity() + " bytes has no single NIO view");
    }
    if (data.capacity() == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    }
    return data.nioBuffer(0, (int) data.capacity()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  // ---------------------------------------------------------------------------------------------
  // Views that share memory

  /** A new reference to the same memory; the caller closes it. */
  public Tensor share() {
    checkOpen();
    return view(shape, 0, numElements);
  }

  /**
   * Rows {@code [start, end)} of the first dim, sharing memory.
   *
   * @throws InvalidArgumentException for a scalar or a range outside the first dim
   */
  public Tensor slice(long start, long end) {
    checkOpen();
    if (shape.rank() == 0) {
      throw new InvalidArgumentException("cannot slice a scalar tensor");
    }
    long rows = shape.dim(0);
    if (start < 0 || end < start || end > rows) {
      throw new InvalidArgumentException("slice [" + start + ", " + end + ") is outside the first dim of shape " + shape);
    }
    long inner = shape.innerElements();
    return view(shape.withFirstDim(end - start), start * inner, (end - start) * inner);
  }

  /**
   * The same elements under another shape, sharing memory; one dim may be -1 and is inferred.
   *
   * @throws InvalidArgumentException if the element counts differ
   */
  public Tensor reshape(Shape newShape) {
    checkOpen();
    Shape resolved = resolveReshape(newShape, numElements);
    return view(resolved, 0, numElements);
  }

  private Tensor view(Shape newShape, long firstElement, long count) {
    if (dtype == DType.STRING) {
      offsets.getReferenceManager().retain();
      data.getReferenceManager().retain();
      ArrowBuf o = offsets.slice(firstElement * 4, (count + 1) * 4);
      return new Tensor(dtype, newShape, data.slice(0, data.capacity()), o);
    }
    data.getReferenceManager().retain();
    long w = dtype.byteWidth();
    return new Tensor(dtype, newShape, data.slice(firstElement * w, count * w), null);
  }

  /** Resolves a reshape target (with at most one -1) against an element count. */
  public static Shape resolveReshape(Shape target, long numElements) {
    long[] d = target.dims();
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < d.length; i++) {
      if (d[i] == Shape.UNKNOWN_DIM) {
        if (unknown >= 0) {
          throw new InvalidArgumentException("reshape to " + target + " has more than one unknown dim");
        }
        unknown = i;
      } else {
        known = Math.multiplyExact(known, d[i]);
      }
    }
    if (unknown >= 0) {
      if (known == 0 || numElements % known != 0) {
        throw new InvalidArgumentException("cannot reshape " + numElements + " elements to " + target);
      }
      d[unknown] = numElements / known;
    } else if (known != numElements) {
      throw new InvalidArgumentException("cannot reshape a tensor of " + numElements + " elements to shape " + target
          + " (" + known + " elements)");
    }
    return Shape.of(d);
  }

  // ---------------------------------------------------------------------------------------------

  /** True if both tensors have the same dtype, shape and element bytes (NaNs compare by bits). */
  public boolean contentEquals(Tensor other) {
    if (dtype != other.dtype || !shape.equals(other.shape)) {
      return false;
    }
    if (dtype == DType.STRING) {
      for (long i = 0; i < numElements; i++) {
        if (!java.util.Arrays.equals(getStringBytes(i), other.getStringBytes(i))) {
          return false;
        }
      }
      return true;
    }
    long n = data.capacity();
    for (long i = 0; i < n; i++) {
      if (data.getByte(i) != other.data.getByte(i)) {
        return false;
      }
    }
    return true;
  }

  /** Releases this reference; the memory is freed when no reference remains. Idempotent. */
  @Override
  public void close() {
    if (releaser.closed.compareAndSet(false, true)) {
      cleanable.clean();
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(", shape=").append(shape);
    if (isClosed()) {
      return sb.append(", closed)").toString();
    }
    sb.append(", [");
    long n = Math.min(numElements, 8);
    for (long i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(getFlat(i));
    }
    if (numElements > n) {
      sb.append(", ...");
    }
    return sb.append("])").toString();
  }

  // ---------------------------------------------------------------------------------------------

  /** Bytes that the elements of a fixed-width tensor take (overflow-checked). */
  public static long byteSizeOf(DType dtype, Shape shape) {
    try {
      return Math.multiplyExact(shape.numElements(), (long) Math.max(dtype.byteWidth(), 0));
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException("a " + dtype + " tensor of shape " + shape + " is larger than 2^63 bytes");
    }
  }

  private static Tensor allocateFor(BufferAllocator allocator, DType dtype, Shape shape, int count) {
    requireDefined(shape);
    if (shape.numElements() != count) {
      throw countMismatch(shape, count);
    }
    long bytes = byteSizeOf(dtype, shape);
    return new Tensor(dtype, shape, exactBuffer(allocator, bytes), null);
  }

  /**
   * A buffer of exactly {@code bytes}: allocators round capacities up (to powers of two), and a tensor's
   * buffer must span its elements only, or byte views and comparisons would see the padding.
   */
  private static ArrowBuf exactBuffer(BufferAllocator allocator, long bytes) {
    ArrowBuf buf = allocator.buffer(bytes);
    return buf.capacity() == bytes ? buf : buf.slice(0, bytes);
  }

  private static Shape shapeFor(int count, long[] shape) {
    return shape.length == 0 ? Shape.of(count) : Shape.of(shape);
  }

  private static InvalidArgumentException countMismatch(Shape shape, long count) {
    return new InvalidArgumentException(count + " values do not fill shape " + shape + " (" + shape.numElements()
        + " elements)");
  }

  private static void requireDefined(Shape shape) {
    if (!shape.isFullyDefined()) {
      throw new InvalidArgumentException("a tensor needs a fully defined shape, not " + shape);
    }
    shape.numElements(); // overflow check
  }

  private int arrayLength() {
    checkOpen();
    if (numElements > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException("a tensor of " + numElements + " elements does not fit a Java array");
    }
    return (int) numElements;
  }

  private void check(DType expected, long index) {
    requireType(expected);
    checkIndex(index);
  }

  private void requireType(DType expected) {
    checkOpen();
    if (dtype != expected) {
      throw wrongType(expected.tfName());
    }
  }

  private void checkIndex(long index) {
    checkOpen();
    if (index < 0 || index >= numElements) {
      throw new InvalidArgumentException("flat index " + index + " is out of range for a tensor of " + numElements
          + " elements");
    }
  }

  private InvalidArgumentException wrongType(String expected) {
    return new InvalidArgumentException("tensor is " + dtype + " " + shape + ", not " + expected);
  }

  private void checkOpen() {
    if (releaser.closed.get()) {
      throw new IllegalStateException("tensor " + dtype + " " + shape + " is closed");
    }
  }

  /** Releases the buffers; run by close() or, for a leaked tensor, by the Cleaner. */
  private static final class Releaser implements Runnable {
    final AtomicBoolean closed = new AtomicBoolean();
    private final ArrowBuf data;
    private final ArrowBuf offsets;
    private final String description;

    Releaser(ArrowBuf data, ArrowBuf offsets, DType dtype, Shape shape) {
      this.data = data;
      this.offsets = offsets;
      this.description = dtype + " " + shape;
    }

    @Override
    public void run() {
      if (closed.compareAndSet(false, true)) {
        LOG.warn("a tensor {} was garbage-collected without close(); releasing it now", description);
      }
      try {
        data.close();
        if (offsets != null) {
          offsets.close();
        }
      } catch (RuntimeException e) {
        LOG.warn("releasing tensor {} failed: {}", description, e.toString());
      }
    }
  }
}
