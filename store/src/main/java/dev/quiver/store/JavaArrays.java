package dev.quiver.store;

import dev.quiver.errors.InvalidArgumentException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/** Conversions between tensors and Java scalars and nested arrays. */
final class JavaArrays {
  private JavaArrays() {}

  /** Builds a tensor from a scalar or nested array; {@code target} null means "infer from the Java type". */
  static Tensor toTensor(BufferAllocator allocator, Object value, DType target) {
    if (value == null) {
      throw new InvalidArgumentException("cannot make a tensor from null");
    }
    if (value instanceof Tensor) {
      throw new InvalidArgumentException("value is already a Tensor; use share() to reference it");
    }
    List<Long> dims = new ArrayList<>();
    Class<?> leaf = shapeOf(value, dims);
    DType inferred = inferDType(leaf, value);
    DType dtype = target == null ? inferred : target;
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i);
    }
    Shape shape = Shape.of(d);
    long n = shape.numElements();
    if (n > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException("a Java array of " + n + " elements is too large");
    }
    int count = (int) n;
    // Flatten the leaves in row-major order, checking raggedness against the first-seen dims.
    Object[] boxed = null;
    Object flatPrimitive = null;
    if (d.length == 1 && value.getClass().getComponentType().isPrimitive()) {
      flatPrimitive = value;
    } else {
      boxed = new Object[count];
      int[] pos = {0};
      flatten(value, 0, d, boxed, pos);
    }
    if (dtype == DType.STRING) {
      String[] s = new String[count];
      for (int i = 0; i < count; i++) {
        Object v = boxed != null ? boxed[i] : Array.get(flatPrimitive, i);
        if (!(v instanceof String)) {
          throw new InvalidArgumentException("element " + i + " (" + v + ") cannot be converted to string");
        }
        s[i] = (String) v;
      }
      return Tensor.of(allocator, s, shape);
    }
    if (flatPrimitive != null && dtype == inferred) {
      return fromPrimitive(allocator, flatPrimitive, shape, dtype);
    }
    Tensor t = Tensor.allocate(allocator, dtype, shape);
    try {
      var buf = t.dataBuffer();
      for (int i = 0; i < count; i++) {
        Object v = boxed != null ? boxed[i] : Array.get(flatPrimitive, i);
        store(buf, dtype, i, v);
      }
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private static Tensor fromPrimitive(BufferAllocator a, Object arr, Shape shape, DType dtype) {
    if (arr instanceof float[]) {
      return Tensor.of(a, (float[]) arr, shape);
    } else if (arr instanceof double[]) {
      return Tensor.of(a, (double[]) arr, shape);
    } else if (arr instanceof int[]) {
      return Tensor.of(a, (int[]) arr, shape);
    } else if (arr instanceof long[]) {
      return Tensor.of(a, (long[]) arr, shape);
    } else if (arr instanceof short[]) {
      return Tensor.of(a, (short[]) arr, shape);
    } else if (arr instanceof byte[]) {
      return Tensor.of(a, (byte[]) arr, shape.dims());
    } else if (arr instanceof boolean[]) {
      return Tensor.of(a, (boolean[]) arr, shape);
    }
    throw new InvalidArgumentException("unsupported array type " + arr.getClass().getSimpleName());
  }

  private static void store(org.apache.arrow.memory.ArrowBuf buf, DType dtype, long i, Object v) {
    if (v instanceof Boolean) {
      v = ((Boolean) v) ? 1 : 0;
    }
    if (!(v instanceof Number)) {
      throw new InvalidArgumentException("element " + i + " (" + v + ") cannot be converted to " + dtype);
    }
    Number num = (Number) v;
    switch (dtype) {
      case FLOAT32: buf.setFloat(i * 4, num.floatValue()); break;
      case FLOAT64: buf.setDouble(i * 8, num.doubleValue()); break;
      case INT8: case UINT8: buf.setByte(i, (byte) integral(num, dtype, i)); break;
      case INT16: buf.setShort(i * 2, (short) integral(num, dtype, i)); break;
      case INT32: buf.setInt(i * 4, (int) integral(num, dtype, i)); break;
      case INT64: buf.setLong(i * 8, integral(num, dtype, i)); break;
      case BOOL: buf.setByte(i, num.doubleValue() != 0 ? 1 : 0); break;
      default: throw new AssertionError(dtype);
    }
  }

  private static long integral(Number num, DType dtype, long i) {
    if (num instanceof Float || num instanceof Double) {
      double d = num.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new InvalidArgumentException("element " + i + " (" + d + ") cannot be converted to " + dtype);
      }
      return (long) d;
    }
    return num.longValue();
  }

  private static Class<?> shapeOf(Object value, List<Long> dims) {
    Object v = value;
    while (v.getClass().isArray()) {
      int len = Array.getLength(v);
      dims.add((long) len);
      if (len == 0) {
        Class<?> c = v.getClass().getComponentType();
        while (c.isArray()) {
          c = c.getComponentType();
          dims.add(0L);
        }
        return c;
      }
      Object first = Array.get(v, 0);
      if (first == null) {
        throw new InvalidArgumentException("array element 0 at depth " + dims.size() + " is null");
      }
      v = first;
    }
    return v.getClass();
  }

  private static void flatten(Object v, int depth, long[] dims, Object[] out, int[] pos) {
    if (depth == dims.length) {
      if (v == null || v.getClass().isArray()) {
        throw new InvalidArgumentException("ragged array: expected a scalar at depth " + depth + ", got "
            + (v == null ? "null" : "an array"));
      }
      out[pos[0]++] = v;
      return;
    }
    if (v == null || !v.getClass().isArray() || Array.getLength(v) != dims[depth]) {
      throw new InvalidArgumentException("ragged array: expected " + dims[depth] + " elements at depth " + depth
          + ", got " + (v == null ? "null" : v.getClass().isArray() ? Array.getLength(v) + "" : "a scalar"));
    }
    int len = (int) dims[depth];
    for (int i = 0; i < len; i++) {
      flatten(Array.get(v, i), depth + 1, dims, out, pos);
    }
  }

  private static DType inferDType(Class<?> leaf, Object value) {
    if (leaf == float.class || leaf == Float.class) {
      return DType.FLOAT32;
    } else if (leaf == double.class || leaf == Double.class) {
      return DType.FLOAT64;
    } else if (leaf == int.class || leaf == Integer.class) {
      return DType.INT32;
    } else if (leaf == long.class || leaf == Long.class) {
      return DType.INT64;
    } else if (leaf == short.class || leaf == Short.class) {
      return DType.INT16;
    } else if (leaf == byte.class || leaf == Byte.class) {
      return DType.INT8;
    } else if (leaf == boolean.class || leaf == Boolean.class) {
      return DType.BOOL;
    } else if (leaf == String.class) {
      return DType.STRING;
    }
    throw new InvalidArgumentException("cannot make a tensor from a " + value.getClass().getSimpleName()
        + "; expected a number, boolean, String, or a (nested) array of them");
  }

  /** The tensor as a boxed scalar (rank 0) or nested primitive array. */
  static Object toJava(Tensor t) {
    if (t.rank() == 0) {
      return t.getFlat(0);
    }
    int[] dims = t.shape().intDims();
    Class<?> leaf;
    switch (t.dtype()) {
      case FLOAT32: leaf = float.class; break;
      case FLOAT64: leaf = double.class; break;
      case INT8: case UINT8: leaf = byte.class; break;
      case INT16: leaf = short.class; break;
      case INT32: leaf = int.class; break;
      case INT64: leaf = long.class; break;
      case BOOL: leaf = boolean.class; break;
      case STRING: leaf = String.class; break;
      default: throw new AssertionError(t.dtype());
    }
    Object flat;
    switch (t.dtype()) {
      case FLOAT32: flat = t.toFloatArray(); break;
      case FLOAT64: flat = t.toDoubleArray(); break;
      case INT8: case UINT8: flat = t.toByteArray(); break;
      case INT16: flat = t.toShortArray(); break;
      case INT32: flat = t.toIntArray(); break;
      case INT64: flat = t.toLongArray(); break;
      case BOOL: flat = t.toBooleanArray(); break;
      default: flat = t.toStringArray(); break;
    }
    if (dims.length == 1) {
      return flat;
    }
    Object result = Array.newInstance(leaf, dims);
    int[] pos = {0};
    fill(result, flat, dims, 0, pos);
    return result;
  }

  private static void fill(Object target, Object flat, int[] dims, int depth, int[] pos) {
    if (depth == dims.length - 1) {
      System.arraycopy(flat, pos[0], target, 0, dims[depth]);
      pos[0] += dims[depth];
      return;
    }
    for (int i = 0; i < dims[depth]; i++) {
      fill(Array.get(target, i), flat, dims, depth + 1, pos);
    }
  }
}
