package dev.quiver.store;

import dev.quiver.errors.InvalidArgumentException;
import java.util.Arrays;

/**
 * An immutable tensor shape: dims as longs, possibly partial.
 *
 * <p>A dim of {@value #UNKNOWN_DIM} is unknown (TensorFlow's {@code None}); a shape of unknown rank is
 * {@link #unknown()}. Tensors always have fully defined shapes; partial ones describe placeholders and
 * the results of build-time shape inference.
 */
public final class Shape {
  /** The value of a dim whose size is not known. */
  public static final long UNKNOWN_DIM = -1;

  private static final Shape SCALAR = new Shape(new long[0]);
  private static final Shape UNKNOWN = new Shape(null);

  private final long[] dims; // null when the rank is unknown

  private Shape(long[] dims) {
    this.dims = dims;
  }

  /**
   * A shape with the given dims; each must be &ge; 0 or {@link #UNKNOWN_DIM}.
   *
   * @throws InvalidArgumentException naming the dim if one is below -1
   */
  public static Shape of(long... dims) {
    if (dims.length == 0) {
      return SCALAR;
    }
    long[] copy = dims.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] < UNKNOWN_DIM) {
        throw new InvalidArgumentException("dimension " + i + " of shape " + Arrays.toString(dims)
            + " is " + copy[i] + "; dims must be >= 0 (or -1 for unknown)");
      }
    }
    return new Shape(copy);
  }

  /** A shape from int dims, as Java arrays give them. */
  public static Shape of(int... dims) {
    long[] l = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      l[i] = dims[i];
    }
    return of(l);
  }

  /** The shape of a scalar: rank 0, one element. */
  public static Shape scalar() {
    return SCALAR;
  }

  /** A shape of unknown rank (TensorFlow's {@code TensorShape(None)}). */
  public static Shape unknown() {
    return UNKNOWN;
  }

  /** A shape of the given rank whose dims are all unknown. */
  public static Shape unknownDims(int rank) {
    long[] d = new long[rank];
    Arrays.fill(d, UNKNOWN_DIM);
    return new Shape(d);
  }

  public boolean hasUnknownRank() {
    return dims == null;
  }

  /** The number of dims, or -1 if the rank is unknown. */
  public int rank() {
    return dims == null ? -1 : dims.length;
  }

  /** The size of dim {@code i}, or {@link #UNKNOWN_DIM}; negative {@code i} counts from the end. */
  public long dim(int i) {
    requireKnownRank();
    int k = i < 0 ? i + dims.length : i;
    if (k < 0 || k >= dims.length) {
      throw new IndexOutOfBoundsException("dim " + i + " of a rank-" + dims.length + " shape");
    }
    return dims[k];
  }

  /** A copy of the dims. */
  public long[] dims() {
    requireKnownRank();
    return dims.clone();
  }

  /** The dims as ints, for Java array creation; fails if one does not fit. */
  public int[] intDims() {
    requireKnownRank();
    int[] r = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] > Integer.MAX_VALUE || dims[i] < 0) {
        throw new InvalidArgumentException("dimension " + i + " of shape " + this + " does not fit a Java array");
      }
      r[i] = (int) dims[i];
    }
    return r;
  }

  /** True if the rank and every dim are known. */
  public boolean isFullyDefined() {
    if (dims == null) {
      return false;
    }
    for (long d : dims) {
      if (d == UNKNOWN_DIM) {
        return false;
      }
    }
    return true;
  }

  /**
   * The number of elements, the product of the dims.
   *
   * @throws InvalidArgumentException if the shape is partial or the product overflows a long
   */
  public long numElements() {
    if (!isFullyDefined()) {
      throw new InvalidArgumentException("shape " + this + " is not fully defined; it has no element count");
    }
    long n = 1;
    for (long d : dims) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new InvalidArgumentException("shape " + this + " has more elements than fit in a long");
      }
    }
    return n;
  }

  /** The product of the dims after the first: the elements in one row of the first dim. */
  public long innerElements() {
    requireKnownRank();
    if (dims.length == 0) {
      return 1;
    }
    return Shape.of(Arrays.copyOfRange(dims, 1, dims.length)).numElements();
  }

  /**
   * True if some tensor could have both shapes: equal ranks (or either unknown) and dims that are
   * equal or unknown on at least one side.
   */
  public boolean isCompatibleWith(Shape other) {
    if (dims == null || other.dims == null) {
      return true;
    }
    if (dims.length != other.dims.length) {
      return false;
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] != UNKNOWN_DIM && other.dims[i] != UNKNOWN_DIM && dims[i] != other.dims[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The most specific shape compatible with both.
   *
   * @throws InvalidArgumentException if the shapes are incompatible
   */
  public Shape mergeWith(Shape other) {
    if (!isCompatibleWith(other)) {
      throw new InvalidArgumentException("shapes " + this + " and " + other + " are incompatible");
    }
    if (dims == null) {
      return other;
    }
    if (other.dims == null) {
      return this;
    }
    long[] m = new long[dims.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = dims[i] != UNKNOWN_DIM ? dims[i] : other.dims[i];
    }
    return new Shape(m);
  }

  /** The shape without its first dim. */
  public Shape dropFirst() {
    requireKnownRank();
    if (dims.length == 0) {
      throw new IllegalStateException("a scalar shape has no first dim");
    }
    return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
  }

  /** This shape with its first dim replaced. */
  public Shape withFirstDim(long first) {
    requireKnownRank();
    if (dims.length == 0) {
      throw new IllegalStateException("a scalar shape has no first dim");
    }
    long[] d = dims.clone();
    d[0] = first;
    return of(d);
  }

  /** This shape with {@code outer} prepended. */
  public Shape prepend(long outer) {
    requireKnownRank();
    long[] d = new long[dims.length + 1];
    d[0] = outer;
    System.arraycopy(dims, 0, d, 1, dims.length);
    return of(d);
  }

  private void requireKnownRank() {
    if (dims == null) {
      throw new IllegalStateException("shape has unknown rank");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims)
        && (dims == null) == (((Shape) o).dims == null);
  }

  @Override
  public int hashCode() {
    return dims == null ? -7 : Arrays.hashCode(dims);
  }

  /** TensorFlow's notation: {@code (2, 3)}, {@code (?, 3)}, {@code ()} for a scalar, {@code <unknown>}. */
  @Override
  public String toString() {
    if (dims == null) {
      return "<unknown>";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dims[i] == UNKNOWN_DIM ? "?" : Long.toString(dims[i]));
    }
    if (dims.length == 1) {
      sb.append(',');
    }
    return sb.append(')').toString();
  }
}
