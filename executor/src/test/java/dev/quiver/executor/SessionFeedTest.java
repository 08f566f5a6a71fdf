package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Feeds of Session.run; expectations from the Session page ("feed_dict") and TF 2.21's tf.compat.v1, each checked
 * by the check of executor/src/test/python/session/tf_session_check.py its comment names.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionFeedTest {
  @SessionMatrixTest
  void anyTensorCanBeFedNotOnlyPlaceholders(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.of(2));
      Output c = f.tf.constant(3f);
      Output m = f.mul(a, c);
      // TF (tf_session_check.py feed-values): sess.run(m, {a: [1., 2.], c: 10.0}) == [10., 20.]
      try (Result r = f.session.run(m, Map.of(a, new float[] {1, 2}, c, 10f))) {
        assertArrayEquals(new float[] {10, 20}, r.tensor().toFloatArray());
      }
    }
  }

  @SessionMatrixTest
  void javaValuesAreConvertedToTheTensorsDType(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.of(2));
      // TF (tf_session_check.py feed-values): feeding [1, 2] (ints) to a float32 placeholder gives float32 [1., 2.]
      try (Result r = f.session.run(a, Map.of(a, new int[] {1, 2}))) {
        assertEquals(DType.FLOAT32, r.tensor().dtype());
        assertArrayEquals(new float[] {1, 2}, r.tensor().toFloatArray());
      }
    }
  }

  @SessionMatrixTest
  void aFedTensorIsSharedNotCopied(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      Output id = f.tf.identity(a);
      try (Tensor value = Tensor.of(f.store.allocator(), new float[] {1, 2, 3});
           Result r = f.session.run(id, Map.of(a, value))) {
        assertEquals(value.address(), r.tensor().address(), "Identity of a fed tensor is the same memory");
        assertEquals(2, value.refCount());
      }
    }
  }

  @SessionMatrixTest
  void aValueOfTheWrongShapeIsInvalidArgumentNamingTheTensor(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(2));
      // TF 2.21 (tf_session_check.py feed-bad-values): ValueError: Cannot feed value of shape (3,) for Tensor a:0,
      // which has shape (2,)
      var e = assertThrows(InvalidArgumentException.class,
          () -> f.session.run(a, Map.of(a, new float[] {1, 2, 3})));
      assertEquals("Cannot feed value of shape (3,) for Tensor a:0, which has shape (2,)", e.getMessage());
    }
  }

  @SessionMatrixTest
  void aTensorOfAnotherDTypeIsInvalidArgumentNamingTheTensor(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32);
      // TF (tf_session_check.py feed-bad-values) converts a numpy int32 array for a float32 key; a Tensor is fed
      // as it is, never copied, so one of another dtype is refused
      try (Tensor ints = Tensor.of(allocator, new int[] {1})) {
        var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(a, Map.of(a, ints)));
        assertTrue(e.getMessage().contains("'a:0'") && e.getMessage().contains("int32"), e.getMessage());
      }
    }
  }

  @SessionMatrixTest
  void aValueThatCannotBeConvertedIsInvalidArgumentNamingTheTensor(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32);
      // TF (tf_session_check.py feed-bad-values): ValueError: could not convert string to float
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(a, Map.of(a, new String[] {"x"})));
      assertTrue(e.getMessage().contains("'a:0'"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void anUnfedPlaceholderIsInvalidArgumentWithTensorFlowsMessage(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32, Shape.of(2));
      Output m = f.mul(a, f.tf.constant(2f));
      // TF 2.21 (tf_session_check.py unfed-placeholder): InvalidArgumentError: You must feed a value for placeholder
      // tensor 'a' with dtype float and shape [2]
      var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(m));
      assertTrue(e.getMessage().contains("You must feed a value for placeholder tensor 'a' with dtype float and shape [2]"),
          e.getMessage());
    }
  }

  @SessionMatrixTest
  void anUnfedPlaceholderMessageNamesItsShapeOnlyWhenItHasDimensions(SessionMatrix config,
                                                                    BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      // TF 2.21 (tf_session_check.py unfed-placeholder): "... placeholder tensor 'sc' with dtype float" for shape
      // [], and for an unknown rank (int32 'u'); "... with dtype float and shape [2,?]" and "... and shape [0]"
      Output sc = f.tf.withName("sc").placeholder(DType.FLOAT32, Shape.scalar());
      Output u = f.tf.withName("u").placeholder(DType.INT32);
      Output m2 = f.tf.withName("m2").placeholder(DType.FLOAT32, Shape.of(2, -1));
      Output v0 = f.tf.withName("v0").placeholder(DType.FLOAT32, Shape.of(0));
      assertUnfed(f, sc, "You must feed a value for placeholder tensor 'sc' with dtype float");
      assertUnfed(f, u, "You must feed a value for placeholder tensor 'u' with dtype int32");
      assertUnfed(f, m2, "You must feed a value for placeholder tensor 'm2' with dtype float and shape [2,?]");
      assertUnfed(f, v0, "You must feed a value for placeholder tensor 'v0' with dtype float and shape [0]");
    }
  }

  private static void assertUnfed(SessionFixture f, Output placeholder, String message) {
    var e = assertThrows(InvalidArgumentException.class, () -> f.session.run(f.tf.identity(placeholder)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    String rest = e.getMessage().substring(message.length());
    assertTrue(!rest.startsWith(" and shape"), "no shape after the dtype: " + e.getMessage());
  }

  @SessionMatrixTest
  void aPlaceholderWithDefaultYieldsItsDefaultUnlessFed(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      // TF (tf_session_check.py feed-values)
      Output p = f.tf.placeholderWithDefault(f.tf.constant(new float[] {1, 2}), Shape.of(-1));
      try (Result r = f.session.run(p)) {
        assertArrayEquals(new float[] {1, 2}, r.tensor().toFloatArray());
      }
      try (Result r = f.session.run(p, Map.of(p, new float[] {3, 4, 5}))) {
        assertArrayEquals(new float[] {3, 4, 5}, r.tensor().toFloatArray());
      }
    }
  }

  @SessionMatrixTest
  void feedKeysOfInvalidTypeAreIllegalArgumentsWithTensorFlowsWords(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.withName("c").constant(1f);
      // TF 2.21 (tf_session_check.py feed-key-types), all TypeError "Cannot interpret feed_dict key as Tensor: ..."
      assertTrue(assertThrows(IllegalArgumentException.class, () -> f.session.run(c, Map.of(3, 1f))).getMessage()
          .contains("Cannot interpret feed_dict key as Tensor: Can not convert a Integer into a Tensor."));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> f.session.run(c, Map.of(c.op(), 1f)))
          .getMessage().contains("Can not convert a Operation into a Tensor."));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> f.session.run(c, Map.of("c", 1f))).getMessage()
          .contains("The name 'c' refers to an Operation, not a Tensor."));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> f.session.run(c, Map.of("x:0", 1f)))
          .getMessage().contains("The operation, 'x', does not exist in the graph."));
    }
  }

  @SessionMatrixTest
  void aFeedValueThatIsAGraphElementIsAnIllegalArgument(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32);
      Output c = f.tf.constant(1f);
      // TF (tf_session_check.py feed-bad-values): TypeError: The value of a feed cannot be a tf.Tensor object.
      assertThrows(IllegalArgumentException.class, () -> f.session.run(a, Map.of(a, c)));
    }
  }

  @SessionMatrixTest
  void tensorNamesAreFeedKeys(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").placeholder(DType.FLOAT32);
      // TF (tf_session_check.py feed-values): {"a:0": value}
      try (Result r = f.session.run(a, Map.of("a:0", 4f))) {
        assertEquals(4f, r.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void aFailedConversionFreesTheFeedsConvertedBeforeIt(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.of(2));
      Output b = f.tf.placeholder(DType.FLOAT32, Shape.of(2));
      Map<Output, Object> feeds = new java.util.LinkedHashMap<>();
      feeds.put(a, new float[] {1, 2});
      feeds.put(b, new float[] {1, 2, 3});
      assertThrows(InvalidArgumentException.class, () -> f.session.run(f.add(a, b), feeds));
    } // the fixture checks nothing stayed allocated
  }
}
