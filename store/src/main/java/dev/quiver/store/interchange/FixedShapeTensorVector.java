package dev.quiver.store.interchange;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.hash.ArrowBufHasher;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The vector of a {@link FixedShapeTensorType} column: a {@link FixedSizeListVector} (its
 * {@link #getUnderlyingVector() storage}) under the extension field. Arrow creates it when it builds a
 * {@code VectorSchemaRoot} for a tensor schema; not thread-safe, like every Arrow vector.
 */
public final class FixedShapeTensorVector extends ExtensionTypeVector<FixedSizeListVector> {
  private final FieldType fieldType;

  FixedShapeTensorVector(String name, FieldType fieldType, BufferAllocator allocator, FixedSizeListVector storage) {
    super(name, allocator, storage);
    this.fieldType = fieldType;
  }

  /** The tensor type of this column. */
  public FixedShapeTensorType tensorType() {
    return (FixedShapeTensorType) fieldType.getType();
  }

  /** The extension field (Arrow's default would describe the storage instead). */
  @Override
  public Field getField() {
    return new Field(getName(), fieldType, getUnderlyingVector().getField().getChildren());
  }

  @Override
  public int hashCode(int index) {
    return getUnderlyingVector().hashCode(index);
  }

  @Override
  public int hashCode(int index, ArrowBufHasher hasher) {
    return getUnderlyingVector().hashCode(index, hasher);
  }

  @Override
  public void copyFrom(int fromIndex, int thisIndex, ValueVector from) {
    getUnderlyingVector().copyFrom(fromIndex, thisIndex, storageOf(from));
  }

  @Override
  public void copyFromSafe(int fromIndex, int thisIndex, ValueVector from) {
    getUnderlyingVector().copyFromSafe(fromIndex, thisIndex, storageOf(from));
  }

  private static ValueVector storageOf(ValueVector v) {
    return v instanceof FixedShapeTensorVector ? ((FixedShapeTensorVector) v).getUnderlyingVector() : v;
  }

  /** The elements of row {@code index} as a list, or null for a null row. */
  @Override
  public List<?> getObject(int index) {
    return getUnderlyingVector().getObject(index);
  }
}
