package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a fed {@link TensorHandle} stands for. TensorFlow 2.21's tf.compat.v1 (observed) feeds the stored value to
 * every tensor, whatever its dtype: {@code Session._run} replaces the handle by a resource handle that
 * DirectSession resolves to the stored tensor. Quiver does the same except for the placeholders built by
 * getSessionTensor / deleteSessionTensor (TF's {@code graph._handle_feeders}), which take the handle string: TF
 * feeds them the stored value too, which fails there. Each TF 2.21 result quoted is checked by
 * executor/src/test/python/session/tf_session_check.py handle-feeds.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleFeedTest {
  @SessionMatrixTest
  void aStringHandleFedToAStringPlaceholderFeedsTheStoredString(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant("stored-string")))) {
      Output sp = f.tf.placeholder(DType.STRING, Shape.scalar());
      // TF 2.21: sess.run(tf.identity(sp), {sp: hs}) == b'stored-string'
      try (Result r = f.session.run(f.tf.identity(sp), Map.of(sp, hr.handle()))) {
        assertEquals("stored-string", r.tensor().getString(0));
      }
    }
  }

  @SessionMatrixTest
  void aStringHandleFedToAStringTensorThatIsNoPlaceholderFeedsTheStoredString(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant("stored-string")))) {
      Output st = f.tf.identity(f.tf.constant("x"));
      // TF 2.21: sess.run(st, {st: hs}) == b'stored-string' for a string tensor st computed from constants
      try (Result r = f.session.run(st, Map.of(st, hr.handle()))) {
        assertEquals("stored-string", r.tensor().getString(0));
      }
    }
  }

  @SessionMatrixTest
  void aFloatHandleFedToAStringPlaceholderIsInvalidArgument(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(12f)))) {
      Output sp = f.tf.placeholder(DType.STRING, Shape.scalar());
      // TF 2.21: InvalidArgumentError "Expects arg[0] to be string but float is provided": the value is fed, not
      // the handle string
      var e = assertThrows(InvalidArgumentException.class,
          () -> f.session.run(f.tf.identity(sp), Map.of(sp, hr.handle())));
      assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("string"), e.getMessage());
    }
  }

  @SessionMatrixTest
  void aHandleFedToTheGetSessionTensorPlaceholderFeedsItsHandleString(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(12f)))) {
      SessionTensor st = f.tf.getSessionTensor(hr.handle(), DType.FLOAT32);
      // TF 2.21 fails here ("Expects arg[0] to be string but float is provided"); its documented form feeds
      // h.handle, which both accept.
      try (Result r = f.session.run(st.tensor(), Map.of(st.placeholder(), hr.handle()));
           Result s = f.session.run(st.tensor(), Map.of(st.placeholder(), hr.handle().handle()))) {
        assertEquals(12f, r.tensor().getFloat(0));
        assertEquals(12f, s.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void aStringHandleFedToTheGetSessionTensorPlaceholderReadsTheHandleNotItsValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant("stored-string")))) {
      SessionTensor st = f.tf.getSessionTensor(hr.handle(), DType.STRING);
      // TF 2.21 feeds the value and looks it up: "The tensor with handle 'stored-string' is not in the session store."
      try (Result r = f.session.run(st.tensor(), Map.of(st.placeholder(), hr.handle()))) {
        assertEquals("stored-string", r.tensor().getString(0));
      }
    }
  }

  @SessionMatrixTest
  void aHandleFedToTheDeleteSessionTensorPlaceholderDeletesIt(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant("again")))) {
      SessionTensorDeleter d = f.tf.deleteSessionTensor(hr.handle());
      // TF 2.21 feeds the value: "Failed to delete a tensor with handle 'again' in the session store."
      f.session.run(d.deleter(), Map.of(d.placeholder(), hr.handle())).close();
      assertFalse(hr.handle().isAlive());
    }
  }

  @SessionMatrixTest
  void onlyThePlaceholdersOfHandlePairsTakeHandleStrings(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      // How a placeholder was built decides, as TF's graph._handle_feeders: not its dtype.
      assertFalse(f.graph.isHandleFeeder(f.tf.placeholder(DType.STRING, Shape.scalar())));
      assertTrue(f.graph.isHandleFeeder(f.tf.getSessionTensor("h", DType.STRING).placeholder()));
      assertTrue(f.graph.isHandleFeeder(f.tf.deleteSessionTensor("h").placeholder()));
    }
  }
}
