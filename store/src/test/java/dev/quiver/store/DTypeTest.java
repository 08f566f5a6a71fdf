package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.StatusCode;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

/** Each dtype's names, width and Arrow type, as the interchange format (docs/interchange-format.md) fixes them. */
class DTypeTest {
  /** TensorFlow's name, bytes per element in memory, and the Arrow element type of every dtype. */
  private record Row(String name, int width, ArrowType arrow) {}

  private static final Map<DType, Row> TABLE = Map.of(
      DType.FLOAT32, new Row("float32", 4, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
      DType.FLOAT64, new Row("float64", 8, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
      DType.INT8, new Row("int8", 1, new ArrowType.Int(8, true)),
      DType.INT16, new Row("int16", 2, new ArrowType.Int(16, true)),
      DType.INT32, new Row("int32", 4, new ArrowType.Int(32, true)),
      DType.INT64, new Row("int64", 8, new ArrowType.Int(64, true)),
      DType.UINT8, new Row("uint8", 1, new ArrowType.Int(8, false)),
      DType.BOOL, new Row("bool", 1, ArrowType.Bool.INSTANCE),
      DType.STRING, new Row("string", -1, ArrowType.Utf8.INSTANCE));

  @Test
  void everyDtypeHasTensorFlowsNameItsWidthAndItsArrowType() {
    assertEquals(EnumSet.allOf(DType.class), EnumSet.copyOf(TABLE.keySet()), "the table covers every dtype");
    for (DType d : DType.values()) {
      Row row = TABLE.get(d);
      assertEquals(row.name(), d.tfName(), d.name());
      assertEquals(row.name(), d.toString(), d.name());
      assertEquals(row.width(), d.byteWidth(), d.name());
      assertEquals(row.arrow(), d.arrowType(), d.name());
      assertEquals(d != DType.STRING, d.isFixedWidth(), d.name());
    }
  }

  @Test
  void floatingIntegerAndNumericPartitionTheTypesButBoolAndString() {
    Set<DType> floating = EnumSet.of(DType.FLOAT32, DType.FLOAT64);
    Set<DType> integer = EnumSet.of(DType.INT8, DType.INT16, DType.INT32, DType.INT64, DType.UINT8);
    for (DType d : DType.values()) {
      assertEquals(floating.contains(d), d.isFloating(), d.name());
      assertEquals(integer.contains(d), d.isInteger(), d.name());
      assertEquals(floating.contains(d) || integer.contains(d), d.isNumeric(), d.name());
    }
  }

  @Test
  void fromNameReadsTensorFlowsNameOfEveryDtype() {
    for (DType d : DType.values()) {
      assertSame(d, DType.fromName(d.tfName()));
      assertSame(d, DType.fromName("tf." + d.tfName()), "TensorFlow's tf.<name> spelling");
      assertSame(d, DType.fromName(" " + d.tfName().toUpperCase(java.util.Locale.ROOT) + "\t"), "case and blanks");
    }
  }

  @Test
  void fromNameReadsTheCommonAliases() {
    Map<String, DType> aliases = Map.ofEntries(
        Map.entry("float", DType.FLOAT32), Map.entry("f4", DType.FLOAT32),
        Map.entry("double", DType.FLOAT64), Map.entry("f8", DType.FLOAT64),
        Map.entry("i1", DType.INT8), Map.entry("i2", DType.INT16), Map.entry("i4", DType.INT32),
        Map.entry("i8", DType.INT64), Map.entry("u1", DType.UINT8),
        Map.entry("boolean", DType.BOOL), Map.entry("str", DType.STRING), Map.entry("utf8", DType.STRING));
    aliases.forEach((alias, d) -> assertSame(d, DType.fromName(alias), alias));
  }

  @Test
  void fromNameRefusesWhatIsNoDtypeNamingIt() {
    for (String bad : List.of("", "complex64", "float16", "uint32", "int", "tf.", "float32x")) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> DType.fromName(bad), bad);
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertEquals("unknown dtype '" + bad + "'; expected one of float32, float64, int8, int16, int32, int64, uint8, "
          + "bool, string", e.getMessage());
    }
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> DType.fromName(null));
    assertEquals("dtype name must not be null", e.getMessage());
  }

  @Test
  void fromArrowTypeInvertsArrowType() {
    for (DType d : DType.values()) {
      assertSame(d, DType.fromArrowType(d.arrowType()));
      assertSame(d, DType.fromArrowType(TABLE.get(d).arrow()), "an equal type, not the same instance");
    }
  }

  @Test
  void fromArrowTypeReadsLargeUtf8AsString() {
    assertSame(DType.STRING, DType.fromArrowType(ArrowType.LargeUtf8.INSTANCE));
  }

  @Test
  void fromArrowTypeRefusesOtherTypesNamingThem() {
    List<ArrowType> others = List.of(new ArrowType.Int(32, false), new ArrowType.Int(16, false),
        new ArrowType.FloatingPoint(FloatingPointPrecision.HALF), ArrowType.Binary.INSTANCE,
        new ArrowType.FixedSizeList(4), ArrowType.Null.INSTANCE);
    for (ArrowType t : others) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> DType.fromArrowType(t));
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith("Arrow type " + t + " is not a tensor element type"), e.getMessage());
    }
    assertFalse(others.stream().anyMatch(t -> TABLE.values().stream().anyMatch(r -> r.arrow().equals(t))));
  }
}
