package dev.quiver.executor.kernels.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tf.math / tf.linalg / tf.nn facade builds TF's op types and infers static shapes when the graph is built. */
@ExtendWith(LeakCheckedAllocator.class)
class MathFacadeTest {
  @Test
  void addBroadcastsPartialShapesAtBuildTime(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(-1, 3));
      Output y = tf.math.add(x, tf.constant(new float[] {1, 2, 3}));
      assertEquals("AddV2", y.op().type());
      assertEquals(Shape.of(-1, 3), y.shape());
    }
  }

  @Test
  void javaNumbersBecomeConstantsOfTheOtherOperandsDtype(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.INT64, Shape.of(2));
      assertEquals(DType.INT64, tf.math.multiply(x, 3).dtype());
      // TF: tf.multiply(int_tensor, 2.5) is a TypeError (2.5 cannot be converted to int64)
      assertThrows(IllegalArgumentException.class, () -> tf.math.multiply(x, 2.5));
    }
  }

  @Test
  void reduceSumWithKeepDimsKeepsRank(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(4, -1, 5));
      assertEquals(Shape.of(4, 1, 1), tf.math.reduceSum(x, new int[] {1, -1}, true).shape());
      assertEquals(Shape.of(-1), tf.math.reduceMax(x, 0, 2).shape());
      assertEquals(Shape.scalar(), tf.math.reduceMean(x).shape());
    }
  }

  @Test
  void outOfRangeReductionAxisFailsNamingTheOp(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(2, 3));
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> tf.math.reduceSum(x, 2));
      assertTrue(e.getMessage().contains("Sum op 'Sum'"), e.getMessage());
    }
  }

  @Test
  void trueDivisionOfInt32GivesFloat64(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      // tf.math.truediv casts int32 to float64 before RealDiv
      Output q = tf.math.divide(tf.constant(new int[] {1, 2}), tf.constant(new int[] {2, 2}));
      assertEquals(DType.FLOAT64, q.dtype());
      assertEquals("RealDiv", q.op().type());
    }
  }

  @Test
  void matMulOfMismatchedMatricesFailsAtBuildTime(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output a = tf.placeholder(DType.FLOAT32, Shape.of(2, 3));
      Output b = tf.placeholder(DType.FLOAT32, Shape.of(4, 5));
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> tf.linalg.matMul(a, b));
      assertTrue(e.getMessage().contains("MatMul op 'MatMul'"), e.getMessage());
      assertEquals(Shape.of(3, 5), tf.linalg.matMul(a, tf.placeholder(DType.FLOAT32, Shape.of(2, 5)), true, false)
          .shape());
    }
  }

  @Test
  void batchMatMulBroadcastsBatchDims(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output a = tf.placeholder(DType.FLOAT32, Shape.of(7, 1, 2, 3));
      Output b = tf.placeholder(DType.FLOAT32, Shape.of(5, 3, 4));
      Output c = tf.linalg.matMul(a, b);
      assertEquals("BatchMatMulV2", c.op().type());
      assertEquals(Shape.of(7, 5, 2, 4), c.shape());
    }
  }

  @Test
  void softmaxOnAnInnerAxisIsComposed(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(2, 3));
      assertEquals("Softmax", tf.nn.softmax(x, -1).op().type());
      Output s = tf.nn.softmax(x, 0);
      assertEquals("Transpose", s.op().type(), "tf.nn.softmax swaps the axis to the end and back");
      assertEquals("Softmax", s.op().inputs().get(0).op().type());
      assertEquals(Shape.of(2, 3), s.shape());
    }
  }

  @Test
  void argMaxDropsTheAxisAndIsInt64(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      Output i = tf.math.argMax(tf.placeholder(DType.FLOAT64, Shape.of(3, 4, 5)), 1);
      assertEquals(DType.INT64, i.dtype());
      assertEquals(Shape.of(3, 5), i.shape());
    }
  }

  @Test
  void logicalOpsRejectNonBool(BufferAllocator alloc) {
    try (Graph g = new Graph(alloc)) {
      Ops tf = Ops.create(g);
      assertThrows(IllegalArgumentException.class, () -> tf.math.logicalAnd(tf.constant(1f), tf.constant(2f)));
    }
  }
}
