package dev.quiver.executor.ops;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;

/**
 * The kinds of value an op attribute holds, TensorFlow's attr types ({@code int}, {@code float}, {@code type},
 * {@code list(int)}, ...), each with the Java type {@link Attrs} keeps it as.
 */
public enum AttrType {
  INT("int", Long.class),
  FLOAT("float", Double.class),
  BOOL("bool", Boolean.class),
  STRING("string", String.class),
  TYPE("type", DType.class),
  SHAPE("shape", Shape.class),
  INT_LIST("list(int)", long[].class),
  FLOAT_LIST("list(float)", double[].class),
  STRING_LIST("list(string)", String[].class),
  TENSOR("tensor", Tensor.class);

  private final String tfName;
  private final Class<?> javaType;

  AttrType(String tfName, Class<?> javaType) {
    this.tfName = tfName;
    this.javaType = javaType;
  }

  /** TensorFlow's name of the type, as an OpDef writes it ({@code "list(int)"}). */
  public String tfName() {
    return tfName;
  }

  /** The class of the values {@link Attrs} holds for this type (after its normalization). */
  public Class<?> javaType() {
    return javaType;
  }

  /**
   * {@code value} as this type, or null if it is not one: exact for every type but {@link #FLOAT}, which also
   * takes whole numbers ({@code 0} for {@code 0.0}), and {@link #FLOAT_LIST}, which takes a {@code list(int)}.
   */
  Object coerce(Object value) {
    if (javaType.isInstance(value)) {
      return value;
    }
    if (this == FLOAT && value instanceof Long l) {
      return l.doubleValue();
    }
    if (this == FLOAT_LIST && value instanceof long[] a) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i];
      }
      return d;
    }
    return null;
  }

  /** TensorFlow's name of the type a value {@link Attrs} holds is of ({@code "int"} for a Long), for messages. */
  static String nameOf(Object value) {
    for (AttrType t : values()) {
      if (t.javaType.isInstance(value)) {
        return t.tfName;
      }
    }
    return value.getClass().getSimpleName();
  }

  @Override
  public String toString() {
    return tfName;
  }
}
