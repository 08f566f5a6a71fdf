package dev.quiver.store;

import dev.quiver.errors.InvalidArgumentException;
import java.util.Locale;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The element types a {@link Tensor} can hold, named as TensorFlow names them.
 *
 * <p>Fixed-width types are stored row-major and little-endian, one element every {@link #byteWidth()}
 * bytes. {@link #BOOL} takes one byte per element in memory (0 or 1, as numpy and TensorFlow store it);
 * the interchange format writes it bit-packed, as Arrow's boolean type. {@link #STRING} is
 * variable-width: UTF-8 bytes plus 32-bit offsets, Arrow's {@code utf8} layout.
 */
public enum DType {
  FLOAT32("float32", 4, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
  FLOAT64("float64", 8, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
  INT8("int8", 1, new ArrowType.Int(8, true)),
  INT16("int16", 2, new ArrowType.Int(16, true)),
  INT32("int32", 4, new ArrowType.Int(32, true)),
  INT64("int64", 8, new ArrowType.Int(64, true)),
  UINT8("uint8", 1, new ArrowType.Int(8, false)),
  BOOL("bool", 1, ArrowType.Bool.INSTANCE),
  STRING("string", -1, ArrowType.Utf8.INSTANCE);

  private final String tfName;
  private final int byteWidth;
  private final ArrowType arrowType;

  DType(String tfName, int byteWidth, ArrowType arrowType) {
    this.tfName = tfName;
    this.byteWidth = byteWidth;
    this.arrowType = arrowType;
  }

  /** TensorFlow's name of the type: {@code float32}, {@code int64}, {@code string}, ... */
  public String tfName() {
    return tfName;
  }

  /** Bytes per element in memory, or -1 for {@link #STRING}. */
  public int byteWidth() {
    return byteWidth;
  }

  /** The Arrow type of one element in the interchange format. */
  public ArrowType arrowType() {
    return arrowType;
  }

  public boolean isFixedWidth() {
    return byteWidth > 0;
  }

  public boolean isFloating() {
    return this == FLOAT32 || this == FLOAT64;
  }

  public boolean isInteger() {
    return this == INT8 || this == INT16 || this == INT32 || this == INT64 || this == UINT8;
  }

  /** True for the types arithmetic applies to: the floating and integer types. */
  public boolean isNumeric() {
    return isFloating() || isInteger();
  }

  /**
   * Parses a dtype name: TensorFlow's names ({@code float32}, {@code int64}, {@code bool}, {@code string})
   * and the common aliases ({@code float}, {@code double}, numpy's {@code f4}-style codes).
   *
   * @throws InvalidArgumentException naming {@code name} if it is no dtype Quiver supports
   */
  public static DType fromName(String name) {
    if (name == null) {
      throw new InvalidArgumentException("dtype name must not be null");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.startsWith("tf.")) {
      n = n.substring(3);
    }
    switch (n) {
      case "float32": case "float": case "f4": return FLOAT32;
      case "float64": case "double": case "f8": return FLOAT64;
      case "int8": case "i1": return INT8;
      case "int16": case "i2": return INT16;
      case "int32": case "i4": return INT32;
      case "int64": case "i8": return INT64;
      case "uint8": case "u1": return UINT8;
      case "bool": case "boolean": return BOOL;
      case "string": case "str": case "utf8": return STRING;
      default:
        throw new InvalidArgumentException("unknown dtype '" + name + "'; expected one of float32, float64, "
            + "int8, int16, int32, int64, uint8, bool, string");
    }
  }

  /**
   * The dtype whose interchange element type is {@code type}.
   *
   * @throws InvalidArgumentException if no dtype is stored as {@code type}
   */
  public static DType fromArrowType(ArrowType type) {
    for (DType d : values()) {
      if (d.arrowType.equals(type)) {
        return d;
      }
    }
    if (type instanceof ArrowType.LargeUtf8) {
      return STRING;
    }
    throw new InvalidArgumentException("Arrow type " + type + " is not a tensor element type; expected one of "
        + "float32, float64, int8, int16, int32, int64, uint8, bool, utf8");
  }

  @Override
  public String toString() {
    return tfName;
  }
}
