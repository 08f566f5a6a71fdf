package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tf.array / tf.random / tf.sparse facades: op types, names and static shapes at graph build time. */
@ExtendWith(LeakCheckedAllocator.class)
class ArrayFacadeTest {
  @Test
  void reshapeInfersTheStaticShapeFromItsConstantArgument(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output x = tf.constant(new float[][] {{1, 2, 3}, {4, 5, 6}});
      Output r = tf.array.reshape(x, -1, 2);
      assertEquals("Reshape", r.op().type());
      assertEquals(Shape.of(3, 2), r.shape());
      assertEquals("Reshape/shape", r.op().inputs().get(1).op().name());
    }
  }

  @Test
  void aBadReshapeFailsWhenTheGraphIsBuiltNamingTheOp(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output x = tf.constant(new int[] {1, 2, 3, 4, 5, 6});
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> tf.withName("bad").array.reshape(x, 4));
      assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
    }
  }

  @Test
  void aNamedOpKeepsItsNameAndItsArgumentsGoBelowIt(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output x = tf.constant(new int[] {1, 2, 3, 4, 5, 6});
      Output t = tf.withName("tiled").array.tile(x, 2);
      assertEquals("tiled", t.op().name());
      assertEquals("tiled/multiples", t.op().inputs().get(1).op().name());
      assertEquals(Shape.of(12), t.shape());
    }
  }

  @Test
  void integerArgumentsThatDoNotFitInt32BecomeInt64AsInTensorFlow(BufferAllocator a) {
    // TF 2.21: tf.constant([2**31, 2]).dtype == tf.int64; a Java long must not wrap to a negative int32
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output big = tf.placeholder(DType.FLOAT32, Shape.of(65536, 32768, 2));
      Output r = tf.array.reshape(big, 1L << 31, 2);
      assertEquals(Shape.of(1L << 31, 2), r.shape());
      assertEquals(DType.INT64, r.op().inputs().get(1).dtype());
      assertEquals(DType.INT32, tf.array.reshape(big, -1, 2).op().inputs().get(1).dtype());
      // tensordot flattens a's free dims to 2**31 rows, then reshapes back
      Output d = tf.linalg.tensordot(big, tf.placeholder(DType.FLOAT32, Shape.of(2, 3)), new int[] {2}, new int[] {0});
      assertEquals(Shape.of(65536, 32768, 3), d.shape());
      // begin, end and strides share one dtype: all int64 when one needs it
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(3));
      Output s = tf.array.stridedSlice(x, new long[] {1}, new long[] {Long.MAX_VALUE}, new long[] {1});
      assertEquals(Shape.of(2), s.shape(), "x[1:huge] is x[1:], not x[1:-1]");
      for (int i = 1; i <= 3; i++) {
        assertEquals(DType.INT64, s.op().inputs().get(i).dtype());
      }
      Output sl = tf.array.slice(x, new long[] {0}, new long[] {-1});
      assertEquals(DType.INT32, sl.op().inputs().get(1).dtype());
    }
  }

  @Test
  void stridedSliceShapesFollowTheMasks(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(4, 5, 6));
      Output s = tf.array.stridedSlice(x, new long[] {0, 1, 0}, new long[] {0, -1, 0}, new long[] {1, 2, 1},
          0, 0, 1, 4, 0);
      // x[..., 1:-1:2, tf.newaxis] with the ellipsis covering dims 0 and 1: shape (4, 5, 2, 1)
      assertEquals(Shape.of(4, 5, 2, 1), s.shape());
    }
  }

  @Test
  void concatSplitAndUnstackAgreeOnShapes(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output x = tf.placeholder(DType.STRING, Shape.of(2, -1));
      Output y = tf.placeholder(DType.STRING, Shape.of(3, 4));
      Output c = tf.array.concat(List.of(x, y), 0);
      assertEquals(Shape.of(5, 4), c.shape());
      List<Output> parts = tf.array.split(c, new long[] {1, -1}, 0);
      assertEquals(Shape.of(4, 4), parts.get(1).shape());
      assertEquals(4, tf.array.unstack(parts.get(1), 1).size());
    }
  }

  @Test
  void zerosOnesAndRandomOpsHaveTheirShapes(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      assertEquals(Shape.of(2, 3), tf.array.zeros(Shape.of(2, 3), DType.INT64).shape());
      assertEquals(DType.BOOL, tf.array.ones(Shape.of(1), DType.BOOL).dtype());
      Output u = tf.random.uniform(Shape.of(3, 3), DType.FLOAT32, 7L);
      assertEquals(Shape.of(3, 3), u.shape());
      assertEquals(7L, u.op().attrs().getLong("seed2"));
      assertTrue(u.op().isStateful());
    }
  }

  @Test
  void gatherNdWithBatchDimsInfersTheBatchedShape(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output params = tf.placeholder(DType.FLOAT32, Shape.of(2, 3, 4, 5));
      Output ix = tf.placeholder(DType.INT32, Shape.of(2, 6, 2));
      Output out = tf.array.gatherNd(params, ix, 1);
      assertEquals(Shape.of(2, 6, 5), out.shape(), "known shapes: the composite's reshapes take constants");
      assertEquals("Reshape", out.op().type(), "TensorFlow's GatherNd has no batch_dims: a composite around it");
      assertFalse(tf.array.gatherNd(params, ix, 0).op().attrs().has("batch_dims"),
          "batch_dims 0 is TensorFlow's plain GatherNd");
      // TF 2.21: ValueError "tf.gather_nd does not allow negative batch_dims."
      assertThrows(IllegalArgumentException.class, () -> tf.array.gatherNd(params, ix, -1));
    }
  }

  @Test
  void sparseOpsInferDenseShapes(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output idx = tf.constant(new long[][] {{0, 0}, {1, 2}});
      Output vals = tf.constant(new float[] {1, 2});
      Output shape = tf.constant(new long[] {3, 4});
      assertEquals(Shape.of(3, 4), tf.sparse.toDense(idx, vals, shape).shape());
      Output b = tf.constant(new float[4][5]);
      assertEquals(Shape.of(3, 5), tf.sparse.denseMatMul(idx, vals, shape, b, false, false).shape());
      assertEquals(Shape.of(3), tf.sparse.reduceSum(idx, vals, shape, new int[] {1}, false).shape());
    }
  }
}
