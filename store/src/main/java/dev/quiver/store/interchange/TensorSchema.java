package dev.quiver.store.interchange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The Arrow schema of a tensor stream, and its inverse: reading dtype and shape back from a schema.
 *
 * <p>A tensor of rank &ge; 2 is one column of {@link FixedShapeTensorType} whose values have the shape
 * {@code shape[1:]}, one row per index of the first dim; a rank-1 tensor is one plain column of its element type;
 * a scalar is that column with one row. The schema metadata carries {@value #DTYPE_KEY} (TensorFlow's dtype name),
 * {@value #SHAPE_KEY} (the full shape as a JSON array) and {@value #VERSION_KEY}, so a reader rebuilds the exact
 * tensor, empty dims included. See {@code docs/interchange-format.md}. Stateless and thread-safe.
 */
public final class TensorSchema {
  /** Schema metadata key of the dtype: {@code float32}, {@code int64}, {@code bool}, {@code string}, ... */
  public static final String DTYPE_KEY = "quiver:dtype";
  /** Schema metadata key of the full shape, a JSON array of integers such as {@code [3,0,2]} ({@code []} for a scalar). */
  public static final String SHAPE_KEY = "quiver:shape";
  /** Schema metadata key of the format version; readers reject versions they do not know. */
  public static final String VERSION_KEY = "quiver:version";
  /** The version this code writes and reads. */
  public static final String VERSION = "1";
  /** The name of the one column. Readers ignore it. */
  public static final String COLUMN_NAME = "tensor";
  /** The name of the storage's child field, as pyarrow names it. Readers ignore it. */
  public static final String ITEM_NAME = "item";
  /** The largest rank a stream may declare (TensorFlow's limit). */
  public static final int MAX_RANK = 254;

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    FixedShapeTensorType.ensureRegistered();
  }

  private TensorSchema() {}

  /** What a tensor stream holds: the dtype and the full shape of its tensor. */
  public record Spec(DType dtype, Shape shape) {
    public Spec {
      Objects.requireNonNull(dtype, "dtype");
      Objects.requireNonNull(shape, "shape");
    }

    /** Rows of the stream's column: {@code shape[0]}, or 1 for a scalar. */
    public long rows() {
      return shape.rank() == 0 ? 1 : shape.dim(0);
    }

    /** Elements per row: the product of {@code shape[1:]} (1 for ranks 0 and 1). */
    public long elementsPerRow() {
      return shape.rank() <= 1 ? 1 : shape.innerElements();
    }
  }

  /**
   * The schema of a stream holding a tensor of this dtype and shape.
   *
   * @throws InvalidArgumentException if the shape is partial, its elements overflow, or one row of a rank &ge; 2
   *     tensor holds more than {@code Integer.MAX_VALUE} elements
   */
  public static Schema of(DType dtype, Shape shape) {
    Objects.requireNonNull(dtype, "dtype");
    if (!shape.isFullyDefined()) {
      throw new InvalidArgumentException("a tensor stream needs a fully defined shape, not " + shape);
    }
    if (shape.rank() > MAX_RANK) {
      throw new InvalidArgumentException("a tensor of rank " + shape.rank() + " exceeds the maximum rank " + MAX_RANK);
    }
    Tensor.byteSizeOf(dtype, shape); // overflow check
    Field column;
    if (shape.rank() >= 2) {
      FixedShapeTensorType type = FixedShapeTensorType.of(shape.dropFirst());
      Field item = new Field(ITEM_NAME, FieldType.nullable(dtype.arrowType()), null);
      column = new Field(COLUMN_NAME, FieldType.notNullable(type), List.of(item));
    } else {
      column = new Field(COLUMN_NAME, FieldType.notNullable(dtype.arrowType()), null);
    }
    return new Schema(List.of(column), Map.of(DTYPE_KEY, dtype.tfName(), SHAPE_KEY, shapeJson(shape),
        VERSION_KEY, VERSION));
  }

  /** The schema of a stream holding {@code tensor}. */
  public static Schema of(Tensor tensor) {
    return of(tensor.dtype(), tensor.shape());
  }

  /**
   * Reads dtype and shape from a tensor stream's schema, checking that the column agrees with them.
   *
   * @throws InvalidArgumentException "not a tensor stream: ..." naming what is missing or inconsistent
   */
  public static Spec describe(Schema schema) {
    Map<String, String> meta = schema.getCustomMetadata() == null ? Map.of() : schema.getCustomMetadata();
    String version = meta.get(VERSION_KEY);
    if (version != null && !version.equals(VERSION)) {
      throw notATensor("format version " + VERSION_KEY + "='" + version + "' is not supported (this reader knows "
          + VERSION + ")");
    }
    String dtypeName = meta.get(DTYPE_KEY);
    if (dtypeName == null) {
      throw notATensor("schema metadata has no '" + DTYPE_KEY + "'");
    }
    DType dtype = parseDType(dtypeName);
    String shapeJson = meta.get(SHAPE_KEY);
    if (shapeJson == null) {
      throw notATensor("schema metadata has no '" + SHAPE_KEY + "'");
    }
    Shape shape = parseShape(shapeJson);
    try {
      Tensor.byteSizeOf(dtype, shape);
    } catch (InvalidArgumentException e) {
      throw notATensor(SHAPE_KEY + " " + shape + " is too large: " + e.getMessage());
    }
    List<Field> fields = schema.getFields();
    if (fields.size() != 1) {
      throw notATensor("the schema has " + fields.size() + " columns; a tensor has exactly one");
    }
    Field column = fields.get(0);
    if (column.getDictionary() != null) {
      throw notATensor("column '" + column.getName() + "' is dictionary-encoded");
    }
    if (shape.rank() >= 2) {
      checkTensorColumn(column, dtype, shape);
    } else {
      checkElementType(column, dtype, "column '" + column.getName() + "'");
      if (!column.getChildren().isEmpty()) {
        throw notATensor("column '" + column.getName() + "' has children");
      }
    }
    return new Spec(dtype, shape);
  }

  // ---------------------------------------------------------------------------------------------

  private static void checkTensorColumn(Field column, DType dtype, Shape shape) {
    FixedShapeTensorType type = tensorTypeOf(column);
    if (type == null) {
      throw notATensor("column '" + column.getName() + "' is " + column.getType() + " but a rank-" + shape.rank()
          + " tensor is stored as " + FixedShapeTensorType.EXTENSION_NAME);
    }
    Shape rowShape = shape.dropFirst();
    if (!type.shape().equals(rowShape)) {
      throw notATensor("the column's " + FixedShapeTensorType.EXTENSION_NAME + " shape " + type.shape()
          + " disagrees with " + SHAPE_KEY + " " + shape + " (expected " + rowShape + ")");
    }
    if (!type.isRowMajor()) {
      throw notATensor("the column's permutation " + java.util.Arrays.toString(type.permutation())
          + " is not the identity; only row-major tensors are supported");
    }
    if (column.getChildren().size() != 1) {
      throw notATensor("column '" + column.getName() + "' has " + column.getChildren().size()
          + " child fields; a FixedSizeList has one");
    }
    Field item = column.getChildren().get(0);
    if (item.getDictionary() != null) {
      throw notATensor("the elements of column '" + column.getName() + "' are dictionary-encoded");
    }
    checkElementType(item, dtype, "the elements of column '" + column.getName() + "'");
  }

  /** The tensor type of a column: registered as an extension, or still its storage with the extension metadata. */
  private static FixedShapeTensorType tensorTypeOf(Field column) {
    ArrowType type = column.getType();
    if (type instanceof FixedShapeTensorType) {
      return (FixedShapeTensorType) type;
    }
    Map<String, String> meta = column.getMetadata();
    if (type instanceof ArrowType.FixedSizeList && meta != null
        && FixedShapeTensorType.EXTENSION_NAME.equals(meta.get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_NAME))) {
      try {
        return FixedShapeTensorType.parse(type, meta.get(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_METADATA));
      } catch (InvalidArgumentException e) {
        throw notATensor(e.getMessage());
      }
    }
    return null;
  }

  private static void checkElementType(Field field, DType dtype, String what) {
    if (!dtype.arrowType().equals(field.getType())) {
      throw notATensor(what + " are " + field.getType() + " but " + DTYPE_KEY + " '" + dtype
          + "' is stored as " + dtype.arrowType());
    }
  }

  private static DType parseDType(String name) {
    for (DType d : DType.values()) {
      if (d.tfName().equals(name)) {
        return d;
      }
    }
    throw notATensor(DTYPE_KEY + " '" + name + "' is not one of float32, float64, int8, int16, int32, int64, uint8, "
        + "bool, string");
  }

  private static Shape parseShape(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw notATensor(SHAPE_KEY + " '" + json + "' is not JSON");
    }
    if (node == null || !node.isArray()) {
      throw notATensor(SHAPE_KEY + " '" + json + "' is not a JSON array");
    }
    if (node.size() > MAX_RANK) {
      throw notATensor(SHAPE_KEY + " declares rank " + node.size() + ", above the maximum " + MAX_RANK);
    }
    long[] dims = new long[node.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw notATensor(SHAPE_KEY + " '" + json + "': dim " + i + " is not an integer >= 0");
      }
      dims[i] = d.asLong();
    }
    return Shape.of(dims);
  }

  static String shapeJson(Shape shape) {
    try {
      return JSON.writeValueAsString(shape.dims());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static InvalidArgumentException notATensor(String why) {
    return notATensor(why, null);
  }

  static InvalidArgumentException notATensor(String why, Throwable cause) {
    return new InvalidArgumentException("not a tensor stream: " + why, cause);
  }
}
