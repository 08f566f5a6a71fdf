package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Session.as_default and the default session of a thread; expectations from the Session page and TF 2.21, checked by
 * executor/src/test/python/session/tf_session_check.py default-session (TF's ValueError is IllegalStateException).
 */
@ExtendWith(LeakCheckedAllocator.class)
class DefaultSessionTest {
  @SessionMatrixTest
  void theDefaultSessionIsAPropertyOfTheThread(SessionMatrix config, BufferAllocator allocator) throws Exception {
    try (SessionFixture f = config.fixture(allocator); var scope = f.session.asDefault()) {
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        // seed: "If you create a new thread ... you must explicitly add a with sess.as_default(): in that thread"
        assertNull(other.submit(Session::getDefaultSession).get());
      } finally {
        other.shutdown();
      }
      assertSame(f.session, Session.getDefaultSession());
    }
  }

  @Test
  void aSessionAndItsDefaultScopeInOneTryAreTensorFlowsWithSession(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator)) {
      Output c = Ops.create(g).constant(3f);
      Session used;
      // TF 2.21 (tf_session_check.py default-session): with tf.compat.v1.Session() as s: c.eval() gives 3.0: the
      // context manager makes the session the default, and closes it at the end
      try (Session sess = new Session(g); var asDefault = sess.asDefault(); Tensor t = c.eval()) {
        assertEquals(3f, t.getFloat(0));
        assertSame(sess, Session.getDefaultSession());
        used = sess;
      }
      assertNull(Session.getDefaultSession(), "the scope closed before the session");
      assertTrue(used.isClosed());
    }
  }

  @Test
  void aSessionWithoutAGraphRunsTheDefaultGraph(BufferAllocator allocator) {
    try (Graph g = new Graph(allocator); var asDefault = g.asDefault()) {
      Output c = Ops.create().withName("c").constant(2f);
      // TF (tf_session_check.py session-attributes): tf.compat.v1.Session() launches the default graph
      try (Session sess = new Session(); Result r = sess.run(c)) {
        assertSame(g, sess.graph());
        assertEquals(2f, r.tensor().getFloat(0));
      }
      try (Session sess = new Session("", null, null); Result r = sess.run("c:0")) {
        assertSame(g, sess.graph());
        assertEquals(2f, r.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void defaultScopesNest(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f1 = config.fixture(allocator); SessionFixture f2 = config.fixture(allocator)) {
      try (var outer = f1.session.asDefault()) {
        try (var inner = f2.session.asDefault()) {
          assertSame(f2.session, Session.getDefaultSession());
        }
        assertSame(f1.session, Session.getDefaultSession());
      }
      assertNull(Session.getDefaultSession());
    }
  }

  @SessionMatrixTest
  void evalWithoutADefaultSessionFailsWithTensorFlowsMessage(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(1f);
      // TF 2.21 (tf_session_check.py default-session): ValueError: Cannot evaluate tensor using `eval()`: No default
      // session is registered.
      var e = assertThrows(IllegalStateException.class, c::eval);
      assertTrue(e.getMessage().startsWith("Cannot evaluate tensor using `eval()`: No default session is registered."));
    }
  }

  @SessionMatrixTest
  void evalInADefaultSessionOfAnotherGraphFails(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f1 = config.fixture(allocator); SessionFixture f2 = config.fixture(allocator)) {
      Output c = f1.tf.constant(1f);
      try (var scope = f2.session.asDefault()) {
        // TF (tf_session_check.py default-session): ValueError: Cannot use the default session to evaluate tensor:
        // the tensor's graph is different from the session's graph.
        var e = assertThrows(IllegalStateException.class, c::eval);
        assertTrue(e.getMessage().startsWith("Cannot use the default session to evaluate tensor: the tensor's graph "
            + "is different from the session's graph."), e.getMessage());
      }
    }
  }

  @SessionMatrixTest
  void operationRunUsesTheDefaultSession(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = TestOps.count(f.tf, "opRun", f.tf.constant(1f));
      try (var scope = f.session.asDefault()) {
        x.op().run();
      }
      assertEquals(1, TestOps.count("opRun"));
      try (Tensor t = x.eval(f.session)) {
        assertEquals(1f, t.getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void asDefaultDoesNotCloseTheSession(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      try (var scope = f.session.asDefault()) {
        assertSame(f.session, Session.getDefaultSession());
      }
      // seed: "The as_default context manager does not close the session when you exit the context"
      try (Result r = f.session.run(f.tf.constant(2f))) {
        assertEquals(2f, r.tensor().getFloat(0));
      }
    }
  }
}
