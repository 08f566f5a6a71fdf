package dev.quiver.store.interchange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;

import java.util.Objects;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Arrow's canonical extension type {@code arrow.fixed_shape_tensor}: every value of a column is one tensor of
 * the same {@link #shape() shape}, stored row-major in a {@code FixedSizeList} of
 * {@link #listSize() product(shape)} elements.
 *
 * <p>The serialized metadata is the canonical JSON object: {@code {"shape": [d0, d1, ...]}}, with the optional
 * {@code "dim_names"} (one name per dim) and {@code "permutation"} (a permutation of {@code 0..n-1}) kept as
 * given. The element type is not part of the type: it is the type of the storage's child field, as in
 * {@code FixedSizeList}.
 *
 * <p>Arrow Java reads an extension type from a stream only if it is registered before the schema is parsed;
 * loading this class registers it, and every class of this package loads it first. Code that parses schemas by
 * other means (an Arrow Flight client, say) calls {@link #ensureRegistered()} once beforehand. Instances are
 * immutable and thread-safe.
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {
  /** The extension name, {@code ARROW:extension:name}. */
  public static final String EXTENSION_NAME = "arrow.fixed_shape_tensor";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FixedShapeTensorType PROTOTYPE = new FixedShapeTensorType(Shape.of(1), 1, null, null);

  static {
    ExtensionTypeRegistry.register(PROTOTYPE);
  }

  private final Shape shape;
  private final int listSize;
  private final java.util.List<String> dimNames; // null when absent
  private final int[] permutation; // null when absent

  private FixedShapeTensorType(Shape shape, int listSize, java.util.List<String> dimNames, int[] permutation) {
    this.shape = shape;
    this.listSize = listSize;
    this.dimNames = dimNames;
    this.permutation = permutation;
  }

  /**
   * The type of a column whose values are tensors of {@code shape}, row-major, without dim names or
   * permutation.
   *
   * @throws InvalidArgumentException if the shape is partial, has rank 0, or holds more than
   *     {@code Integer.MAX_VALUE} elements (the limit of a {@code FixedSizeList})
   */
  public static FixedShapeTensorType of(Shape shape) {
    if (!shape.isFullyDefined() || shape.rank() == 0) {
      throw new InvalidArgumentException("a fixed_shape_tensor needs a fully defined shape of rank >= 1, not " + shape);
    }
    return new FixedShapeTensorType(shape, listSizeOf(shape), null, null);
  }

  /**
   * Makes sure Arrow Java knows this type, so that schemas parsed from now on carry it instead of its bare
   * storage type. Idempotent and thread-safe.
   */
  public static void ensureRegistered() {
    if (!(ExtensionTypeRegistry.lookup(EXTENSION_NAME) instanceof FixedShapeTensorType)) {
      ExtensionTypeRegistry.register(PROTOTYPE);
    }
  }

  /** The shape of one value (the tensor's shape without its first dim). */
  public Shape shape() {
    return shape;
  }

  /** Elements per value: the product of the shape, the storage's {@code FixedSizeList} size. */
  public int listSize() {
    return listSize;
  }

  /** The optional dim names, or an empty list when the metadata has none. */
  public java.util.List<String> dimNames() {
    return dimNames == null ? java.util.List.of() : dimNames;
  }

  /** The optional permutation of the logical dims, or null when the metadata has none. */
  public int[] permutation() {
    return permutation == null ? null : permutation.clone();
  }

  /** True if the logical dims are the physical, row-major ones: no permutation or the identity. */
  public boolean isRowMajor() {
    if (permutation == null) {
      return true;
    }
    for (int i = 0; i < permutation.length; i++) {
      if (permutation[i] != i) {
        return false;
      }
    }
    return true;
  }

  @Override
  public ArrowType storageType() {
    return new ArrowType.FixedSizeList(listSize);
  }

  @Override
  public String extensionName() {
    return EXTENSION_NAME;
  }

  @Override
  public boolean extensionEquals(ArrowType.ExtensionType other) {
    if (!(other instanceof FixedShapeTensorType)) {
      return false;
    }
    FixedShapeTensorType o = (FixedShapeTensorType) other;
    return shape.equals(o.shape) && Objects.equals(dimNames, o.dimNames) && Arrays.equals(permutation, o.permutation);
  }

  @Override
  public String serialize() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode dims = root.putArray("shape");
    for (long d : shape.dims()) {
      dims.add(d);
    }
    if (dimNames != null) {
      ArrayNode names = root.putArray("dim_names");
      dimNames.forEach(names::add);
    }
    if (permutation != null) {
      ArrayNode perm = root.putArray("permutation");
      for (int p : permutation) {
        perm.add(p);
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + this, e);
    }
  }

  /**
   * Parses the canonical metadata against its storage type.
   *
   * @throws InvalidArgumentException naming the metadata if it is not the canonical JSON or does not match the
   *     storage's list size
   */
  @Override
  public ArrowType deserialize(ArrowType storageType, String serializedData) {
    return parse(storageType, serializedData);
  }

  /** {@link #deserialize} without a receiver, for columns whose schema was parsed before registration. */
  static FixedShapeTensorType parse(ArrowType storageType, String serializedData) {
    if (!(storageType instanceof ArrowType.FixedSizeList)) {
      throw invalid(serializedData, "the storage type is " + storageType + ", not a FixedSizeList");
    }
    JsonNode root;
    try {
      root = JSON.readTree(serializedData == null ? "" : serializedData);
    } catch (JsonProcessingException e) {
      throw invalid(serializedData, "it is not JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject()) {
      throw invalid(serializedData, "it is not a JSON object");
    }
    Shape parsed = parseDims(root.get("shape"), serializedData);
    long elements;
    try {
      elements = parsed.numElements();
    } catch (InvalidArgumentException e) {
      throw invalid(serializedData, "the shape has more elements than fit in a long");
    }
    int size = ((ArrowType.FixedSizeList) storageType).getListSize();
    if (elements != size) {
      throw invalid(serializedData, "the shape holds " + elements + " elements but the storage list size is " + size);
    }
    java.util.List<String> names = parseDimNames(root.get("dim_names"), parsed.rank(), serializedData);
    int[] perm = parsePermutation(root.get("permutation"), parsed.rank(), serializedData);
    return new FixedShapeTensorType(parsed, size, names, perm);
  }

  @Override
  public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
    FieldType storage = new FieldType(fieldType.isNullable(), storageType(), fieldType.getDictionary(),
        fieldType.getMetadata());
    return new FixedShapeTensorVector(name, fieldType, allocator, new FixedSizeListVector(name, allocator, storage, null));
  }

  @Override
  public String toString() {
    return "FixedShapeTensor" + serialize();
  }

  // ---------------------------------------------------------------------------------------------

  static int listSizeOf(Shape shape) {
    long n = shape.numElements();
    if (n > Integer.MAX_VALUE) {
      throw new InvalidArgumentException("a fixed_shape_tensor value of shape " + shape + " has " + n
          + " elements, more than a FixedSizeList holds (" + Integer.MAX_VALUE + ")");
    }
    return (int) n;
  }

  private static Shape parseDims(JsonNode node, String metadata) {
    if (node == null || !node.isArray()) {
      throw invalid(metadata, "\"shape\" is missing or not an array");
    }
    long[] dims = new long[node.size()];
    for (int i = 0; i < dims.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw invalid(metadata, "shape dim " + i + " is " + d + ", not an integer >= 0");
      }
      dims[i] = d.asLong();
    }
    return Shape.of(dims);
  }

  private static java.util.List<String> parseDimNames(JsonNode node, int rank, String metadata) {
    if (node == null) {
      return null;
    }
    if (!node.isArray() || node.size() != rank) {
      throw invalid(metadata, "\"dim_names\" must be an array of " + rank + " strings");
    }
    java.util.List<String> names = new ArrayList<>(rank);
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        throw invalid(metadata, "\"dim_names\" holds " + n + ", not a string");
      }
      names.add(n.asText());
    }
    return Collections.unmodifiableList(names);
  }

  private static int[] parsePermutation(JsonNode node, int rank, String metadata) {
    if (node == null) {
      return null;
    }
    if (!node.isArray() || node.size() != rank) {
      throw invalid(metadata, "\"permutation\" must be an array of " + rank + " indices");
    }
    int[] perm = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      JsonNode p = node.get(i);
      if (!p.isIntegralNumber() || !p.canConvertToInt() || p.asInt() < 0 || p.asInt() >= rank || seen[p.asInt()]) {
        throw invalid(metadata, "\"permutation\" is not a permutation of 0.." + (rank - 1));
      }
      perm[i] = p.asInt();
      seen[perm[i]] = true;
    }
    return perm;
  }

  private static InvalidArgumentException invalid(String metadata, String why) {
    return new InvalidArgumentException("invalid " + EXTENSION_NAME + " metadata '" + metadata + "': " + why);
  }
}
