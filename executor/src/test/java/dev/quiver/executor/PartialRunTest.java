package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** partial_run errors, worded as TF 2.21's DirectSession words them (all InvalidArgumentError). */
@ExtendWith(LeakCheckedAllocator.class)
class PartialRunTest {
  private static final class Graph3 {
    final Output x;
    final Output y;
    final Output z;
    final Output r1;
    final Output r2;

    Graph3(SessionFixture f) {
      x = f.tf.withName("x").placeholder(DType.FLOAT32, Shape.scalar());
      y = f.tf.withName("y").placeholder(DType.FLOAT32, Shape.scalar());
      z = f.tf.withName("z").placeholder(DType.FLOAT32, Shape.scalar());
      r1 = f.tf.withName("r1").identity(f.add(x, y));
      r2 = f.tf.withName("r2").identity(f.mul(r1, z));
    }
  }

  private static void assertInvalid(String expected, org.junit.jupiter.api.function.Executable call) {
    var e = assertThrows(InvalidArgumentException.class, call);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void aFetchThatNeedsAFeedNotGivenYetNamesTheFeed(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Graph3 g = new Graph3(f);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      // TF 2.21: Fetch z:0 can't be computed from the feeds that have been fed so far.
      assertInvalid("Fetch z:0 can't be computed from the feeds that have been fed so far.",
          () -> f.session.partialRun(h, g.r2, Map.of(g.x, 1f, g.y, 2f)));
    }
  }

  @Test
  void feedsAndFetchesMustBeDeclaredAndUsedOnce(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Graph3 g = new Graph3(f);
      Output other = f.tf.withName("other").placeholder(DType.FLOAT32);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      assertInvalid("The feed other:0 was not specified in partial_run_setup.",
          () -> f.session.partialRun(h, g.r1, Map.of(other, 1f)));
      assertInvalid("The fetch other:0 was not specified in partial_run_setup.",
          () -> f.session.partialRun(h, other, Map.of(g.x, 1f, g.y, 2f)));
      try (Result r = f.session.partialRun(h, g.r1, Map.of(g.x, 1f, g.y, 2f))) {
        assertEquals(3f, r.tensor().getFloat(0));
      }
      assertInvalid("The feed x:0 has already been fed.", () -> f.session.partialRun(h, g.r2, Map.of(g.x, 1f)));
      assertInvalid("The fetch r1:0 has already been fetched.",
          () -> f.session.partialRun(h, g.r1, Map.of(g.z, 3f)));
      try (Result r = f.session.partialRun(h, g.r2, Map.of(g.z, 3f))) {
        assertEquals(9f, r.tensor().getFloat(0));
      }
      // TF 2.21: once every feed was fed and every fetch fetched, the handle is gone:
      // InvalidArgumentError: Must run 'setup' before performing partial runs!
      assertInvalid("Must run 'setup' before performing partial runs!", () -> f.session.partialRun(h, g.r2, null));
    }
  }

  @Test
  void anUnknownHandleIsRefused(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Graph3 g = new Graph3(f);
      assertInvalid("Must run 'setup' before performing partial runs!",
          () -> f.session.partialRun("nope", g.r2, null));
    }
  }

  @Test
  void closingTheSessionEndsUnfinishedPartialRunsAndFreesTheirTensors(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Graph3 g = new Graph3(f);
      String h = f.session.partialRunSetup(List.of(g.r1, g.r2), List.of(g.x, g.y, g.z));
      f.session.partialRun(h, List.of(), Map.of(g.x, 1f, g.y, 2f)).close(); // r1 computed, held for later
      f.session.close();
    } // the fixture checks that nothing is left
  }

  @Test
  void independentPartialRunsOfOneSetupDoNotInterfere(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator)) {
      Graph3 g = new Graph3(f);
      String h1 = f.session.partialRunSetup(List.of(g.r1), List.of(g.x, g.y));
      String h2 = f.session.partialRunSetup(List.of(g.r1), List.of(g.x, g.y));
      try (Result a = f.session.partialRun(h1, g.r1, Map.of(g.x, 1f, g.y, 1f));
           Result b = f.session.partialRun(h2, g.r1, Map.of(g.x, 5f, g.y, 5f))) {
        assertEquals(2f, a.tensor().getFloat(0));
        assertEquals(10f, b.tensor().getFloat(0));
      }
    }
  }
}
