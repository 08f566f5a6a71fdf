package dev.quiver.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit extension that hands each test a fresh {@link BufferAllocator} parameter and, after the test,
 * asserts that nothing is left allocated before closing it: the ownership contract, checked everywhere.
 *
 * <pre>{@code
 * @ExtendWith(LeakCheckedAllocator.class)
 * class MyTest {
 *   @Test void roundTrip(BufferAllocator allocator) { ... }
 * }
 * }</pre>
 */
public final class LeakCheckedAllocator implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheckedAllocator.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == BufferAllocator.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return c.getStore(NS).getOrComputeIfAbsent("allocator", k -> new RootAllocator(8L << 30), BufferAllocator.class);
  }

  @Override
  public void afterEach(ExtensionContext c) {
    BufferAllocator allocator = c.getStore(NS).remove("allocator", BufferAllocator.class);
    if (allocator == null) {
      return;
    }
    long left = allocator.getAllocatedMemory();
    String detail = left == 0 ? "" : allocator.toVerboseString();
    try {
      assertEquals(0, left, "bytes left allocated after " + c.getDisplayName() + "\n" + detail);
    } finally {
      if (left == 0) {
        allocator.close();
      }
    }
  }
}
