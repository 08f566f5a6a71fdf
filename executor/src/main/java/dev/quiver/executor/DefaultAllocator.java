package dev.quiver.executor;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/** The process-wide allocator of graphs and sessions created without one; lives as long as the JVM. */
final class DefaultAllocator {
  private DefaultAllocator() {}

  private static final class Holder {
    static final BufferAllocator ROOT = new RootAllocator(Long.MAX_VALUE);
  }

  static BufferAllocator get() {
    return Holder.ROOT;
  }
}
