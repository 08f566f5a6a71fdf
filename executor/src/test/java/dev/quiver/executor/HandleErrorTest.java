package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/**
 * Handles a session's store does not hold: another session's, or strings of TensorFlow's own shape. TF 2.21 gives
 * the same InvalidArgumentError for both as for a deleted handle (executor/src/test/python/session/
 * tf_session_check.py unknown-handle and other-session-handle): "The tensor with handle '...' is not in the session
 * store.", and for a deletion "Failed to delete a tensor with handle '...' in the session store.". Quiver keeps the
 * store's reason as the cause.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleErrorTest {
  /** TensorFlow's own handle of the first tensor a session keeps. */
  private static final String TF_HANDLE = "GetSessionHandle;0;/job:localhost/replica:0/task:0/device:CPU:0";

  private static InvalidArgumentException assertInvalid(String expected, Executable call) {
    var e = assertThrows(InvalidArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    return e;
  }

  @SessionMatrixTest
  void anotherSessionsHandleIsNotInThisSessionsStore(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture mine = config.fixture(allocator); SessionFixture theirs = config.fixture(allocator);
         Result hr = theirs.session.run(theirs.tf.getSessionHandle(theirs.tf.constant(1f)))) {
      String foreign = hr.handle().handle();
      SessionTensor st = mine.tf.getSessionTensor(foreign, DType.FLOAT32);
      var read = assertInvalid("The tensor with handle '" + foreign + "' is not in the session store.",
          () -> mine.session.run(st.tensor(), Map.of(st.placeholder(), foreign)));
      assertInstanceOf(InvalidArgumentException.class, read.getCause(), "the store's own reason is the cause");
      assertTrue(read.getCause().getMessage().contains("belongs to handle store"), read.getCause().getMessage());
      SessionTensorDeleter d = mine.tf.deleteSessionTensor(foreign);
      assertInvalid("Failed to delete a tensor with handle '" + foreign + "' in the session store.",
          () -> mine.session.run(d.deleter(), Map.of(d.placeholder(), foreign)));
      assertTrue(hr.handle().isAlive(), "the other session's tensor is left as it was");
    }
  }

  @SessionMatrixTest
  void aHandleStringOfTensorFlowsShapeIsNotInTheSessionStore(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      SessionTensor st = f.tf.getSessionTensor(TF_HANDLE, DType.FLOAT32);
      var read = assertInvalid("The tensor with handle '" + TF_HANDLE + "' is not in the session store.",
          () -> f.session.run(st.tensor(), Map.of(st.placeholder(), TF_HANDLE)));
      assertTrue(read.getMessage().contains("is not a tensor handle"), "the store's reason is kept: "
          + read.getMessage());
      SessionTensorDeleter d = f.tf.deleteSessionTensor(TF_HANDLE);
      assertInvalid("Failed to delete a tensor with handle '" + TF_HANDLE + "' in the session store.",
          () -> f.session.run(d.deleter(), Map.of(d.placeholder(), TF_HANDLE)));
    }
  }

  @SessionMatrixTest
  void anotherSessionsTensorHandleFedAsAValueNamesTheHandleAndTheTensor(SessionMatrix config,
                                                                        BufferAllocator allocator) {
    try (SessionFixture mine = config.fixture(allocator); SessionFixture theirs = config.fixture(allocator);
         Result hr = theirs.session.run(theirs.tf.getSessionHandle(theirs.tf.constant(1f)))) {
      Output x = mine.tf.withName("x").placeholder(DType.FLOAT32, Shape.scalar());
      Output y = mine.add(x, x);
      assertInvalid("The tensor with handle '" + hr.handle().handle() + "' is not in the session store.",
          () -> mine.session.run(y, Map.of(x, hr.handle())));
      var e = assertThrows(InvalidArgumentException.class, () -> mine.session.run(y, Map.of(x, hr.handle())));
      assertTrue(e.getMessage().contains("'x:0'"), e.getMessage());
      // fed to the placeholder of a getSessionTensor pair it feeds its string, which this store does not hold
      SessionTensor st = mine.tf.getSessionTensor(hr.handle(), DType.FLOAT32);
      assertInvalid("is not in the session store.", () -> mine.session.run(st.tensor(),
          Map.of(st.placeholder(), hr.handle())));
      try (var stored = hr.handle().eval()) {
        assertEquals(1f, stored.getFloat(0), "the owning session still reads it");
      }
    }
  }
}
