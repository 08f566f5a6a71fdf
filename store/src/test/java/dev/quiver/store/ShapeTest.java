package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import org.junit.jupiter.api.Test;

class ShapeTest {
  @Test
  void elementCountIsTheProductOfDims() {
    assertEquals(24, Shape.of(2, 3, 4).numElements());
    assertEquals(1, Shape.scalar().numElements());
    assertEquals(0, Shape.of(5, 0).numElements());
  }

  @Test
  void negativeDimsOtherThanUnknownAreRejectedNamingTheDim() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> Shape.of(2, -3));
    assertTrue(e.getMessage().contains("dimension 1"), e.getMessage());
  }

  @Test
  void overflowingElementCountIsInvalidArgument() {
    Shape huge = Shape.of(1L << 40, 1L << 40);
    assertThrows(InvalidArgumentException.class, huge::numElements);
  }

  @Test
  void partialShapesAreCompatibleWhereUnknownDimsCouldMatch() {
    assertTrue(Shape.of(-1, 3).isCompatibleWith(Shape.of(5, 3)));
    assertFalse(Shape.of(-1, 3).isCompatibleWith(Shape.of(5, 4)));
    assertFalse(Shape.of(3).isCompatibleWith(Shape.of(3, 1)));
    assertTrue(Shape.unknown().isCompatibleWith(Shape.of(1, 2, 3)));
    assertEquals(Shape.of(5, 3), Shape.of(-1, 3).mergeWith(Shape.of(5, -1)));
    assertThrows(InvalidArgumentException.class, Shape.of(-1, 2)::numElements);
  }

  @Test
  void printsLikeTensorFlow() {
    assertEquals("(2, 3)", Shape.of(2, 3).toString());
    assertEquals("(?, 3)", Shape.of(-1, 3).toString());
    assertEquals("(4,)", Shape.of(4).toString());
    assertEquals("()", Shape.scalar().toString());
    assertEquals("<unknown>", Shape.unknown().toString());
  }
}
