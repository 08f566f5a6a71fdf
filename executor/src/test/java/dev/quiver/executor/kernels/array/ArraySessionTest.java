package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.SparseTensor;
import dev.quiver.executor.SparseTensorValue;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The array, random and sparse ops inside real sessions: per-op state across runs, fed inputs, run-time errors. */
@ExtendWith(LeakCheckedAllocator.class)
class ArraySessionTest {
  @Test
  void aRandomOpAdvancesAcrossRunsAndRestartsInANewSession(BufferAllocator a) {
    // TF 2.21, tf.raw_ops.RandomUniform(shape=[6], dtype=float32, seed=1, seed2=2): first and second call.
    float[] first = {0.406396746635437f, 0.8575996160507202f, 0.05539584159851074f, 0.08587229251861572f,
        0.41215360164642334f, 0.036630868911743164f};
    float[] second = {0.49945497512817383f, 0.06284701824188232f, 0.4600658416748047f, 0.20280075073242188f,
        0.0886303186416626f, 0.9726002216339111f};
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output u = tf.scope().addOp("RandomUniform", "random_uniform",
          Attrs.of("dtype", DType.FLOAT32, "seed", 1L, "seed2", 2L), tf.constant(new int[] {6})).output(0);
      try (Session s = new Session(g)) {
        try (Result r = s.run(u)) {
          assertArrayEquals(first, r.tensor().toFloatArray());
        }
        try (Result r = s.run(u)) {
          assertArrayEquals(second, r.tensor().toFloatArray());
        }
      }
      try (Session s = new Session(g); Result r = s.run(u)) {
        assertArrayEquals(first, r.tensor().toFloatArray(), "a new session starts the op's stream again");
      }
    }
  }

  @Test
  void stringsFlowThroughGatherSliceAndConcatWithFedIndices(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output words = tf.constant(new String[] {"zero", "one", "two", "three"});
      Output ix = tf.placeholder(DType.INT32, Shape.of(-1));
      Output picked = tf.array.gather(words, ix, 0);
      Output tail = tf.array.stridedSlice(words, new long[] {-1}, new long[] {0}, new long[] {-2}, 0, 1, 0, 0, 0);
      Output joined = tf.array.concat(List.of(picked, tail), 0);
      try (Session s = new Session(g);
           Tensor feed = Tensor.of(a, new int[] {2, 0});
           Result r = s.run(joined, Map.of(ix, feed))) {
        assertArrayEquals(new String[] {"two", "zero", "three", "one"}, r.tensor().toStringArray());
      }
    }
  }

  @Test
  void anOutOfRangeFedIndexFailsTheRunNamingTheOp(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output ix = tf.placeholder(DType.INT32, Shape.of(-1));
      Output picked = tf.withName("pick").array.gather(tf.constant(new float[] {1, 2, 3}), ix, 0);
      try (Session s = new Session(g); Tensor feed = Tensor.of(a, new int[] {1, 3})) {
        InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
            () -> s.run(picked, Map.of(ix, feed)).close());
        assertTrue(e.getMessage().contains("pick") && e.getMessage().contains("indices[1] = 3 is not in [0, 3)"),
            e.getMessage());
      }
    }
  }

  @Test
  void aShuffleOfOneRowOrNoElementsDrawsNothingFromTheStream(BufferAllocator a) {
    // TF 2.21: one RandomShuffle(seed=1, seed2=2) on an unknown-shape placeholder, run on [5, 0], then [7], then
    // arange(10): the last run gives the first run's permutation of 10, since the passes drew nothing
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      Output value = tf.placeholder(DType.INT64, Shape.unknown());
      Output shuffled = tf.scope().addOp("RandomShuffle", "shuffle", Attrs.of("seed", 1L, "seed2", 2L), value)
          .output(0);
      try (Session s = new Session(g);
           Tensor empty = Tensor.of(a, new long[0], 5, 0);
           Tensor one = Tensor.of(a, new long[] {7});
           Tensor ten = Tensor.of(a, new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) {
        try (Result r = s.run(shuffled, Map.of(value, empty))) {
          assertEquals(Shape.of(5, 0), r.tensor().shape());
        }
        try (Result r = s.run(shuffled, Map.of(value, one))) {
          assertArrayEquals(new long[] {7}, r.tensor().toLongArray());
        }
        try (Result r = s.run(shuffled, Map.of(value, ten))) {
          assertArrayEquals(new long[] {9, 0, 8, 6, 1, 3, 7, 2, 4, 5}, r.tensor().toLongArray());
        }
      }
    }
  }

  @Test
  void aFetchedSparseTensorValueFeedsASparseTensorOfPlaceholders(BufferAllocator a) {
    // TF 1: sess.run(sp) gives a SparseTensorValue, and feed_dict={sp_placeholder: that value} takes it back
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      SparseTensor made = new SparseTensor(tf.constant(new long[][] {{0, 1}, {2, 0}, {2, 3}}),
          tf.constant(new float[] {1.5f, -2, 4}), tf.constant(new long[] {3, 4}));
      SparseTensor fed = new SparseTensor(tf.placeholder(DType.INT64, Shape.of(-1, 2)),
          tf.placeholder(DType.FLOAT32, Shape.of(-1)), tf.placeholder(DType.INT64, Shape.of(2)));
      Output dense = tf.sparse.toDense(fed);
      Output rowSums = tf.sparse.reduceSum(fed, new int[] {1}, false);
      try (Session s = new Session(g); Result fetched = s.run(made)) {
        SparseTensorValue value = fetched.as(SparseTensorValue.class);
        try (Result r = s.run(List.of(dense, rowSums), Map.of(fed, value))) {
          assertEquals(Shape.of(3, 4), r.get(0).shape());
          assertArrayEquals(new float[] {0, 1.5f, 0, 0, 0, 0, 0, 0, -2, 0, 0, 4}, r.get(0).toFloatArray());
          assertArrayEquals(new float[] {1.5f, 0, 2}, r.get(1).toFloatArray());
        }
        try (Result again = s.run(fed, Map.of(fed, value))) {
          SparseTensorValue back = again.as(SparseTensorValue.class);
          assertTrue(back.indices().contentEquals(value.indices()), "indices come back unchanged");
          assertTrue(back.values().contentEquals(value.values()), "values come back unchanged");
          assertTrue(back.denseShape().contentEquals(value.denseShape()), "the dense shape comes back unchanged");
        }
      }
    }
  }

  @Test
  void aSparseTensorBecomesDense(BufferAllocator a) {
    try (Graph g = new Graph(a)) {
      Ops tf = Ops.create(g);
      SparseTensor sp = new SparseTensor(tf.constant(new long[][] {{0, 1}, {2, 3}}), tf.constant(new int[] {7, 9}),
          tf.constant(new long[] {3, 4}));
      Output dense = tf.sparse.toDense(sp);
      Output rowSums = tf.sparse.reduceSum(sp, new int[] {1}, false);
      try (Session s = new Session(g); Result r = s.run(List.of(dense, rowSums))) {
        assertEquals(Shape.of(3, 4), r.get(0).shape());
        assertArrayEquals(new int[] {0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9}, r.get(0).toIntArray());
        assertArrayEquals(new int[] {7, 0, 9}, r.get(1).toIntArray());
      }
    }
  }
}
