package dev.quiver.executor;

import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The session configurations the important session tests run over ({@link SessionMatrixTest}), as Caffeine runs
 * its tests over cache configurations: one inter-op thread (every op on the caller) or four (independent large
 * ops on the pool), and a handle store shared with the test or the session's own (the default
 * {@code new Session(graph)}). Each test's fixture checks "allocator at zero, no handle lost" when it closes.
 */
record SessionMatrix(int interOpThreads, boolean sharedStore) {
  /** Every configuration, for {@code @MethodSource}. */
  static Stream<SessionMatrix> all() {
    return Stream.of(new SessionMatrix(1, true), new SessionMatrix(4, true), new SessionMatrix(1, false),
        new SessionMatrix(4, false));
  }

  /** A fixture of this configuration. */
  SessionFixture fixture(BufferAllocator allocator) {
    return fixture(allocator, SessionConfig.builder());
  }

  /** A fixture of {@code config} with this configuration's threads and store. */
  SessionFixture fixture(BufferAllocator allocator, SessionConfig.Builder config) {
    return new SessionFixture(allocator, config.interOpThreads(interOpThreads), sharedStore);
  }

  @Override
  public String toString() {
    return "interOpThreads=" + interOpThreads + ", " + (sharedStore ? "shared store" : "own store");
  }
}
