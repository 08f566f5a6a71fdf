package dev.quiver.executor;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A session test run once per {@link SessionMatrix} configuration; the test takes the configuration first and
 * then its other parameters: {@code void x(SessionMatrix config, BufferAllocator allocator)}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "[{0}]")
@MethodSource("dev.quiver.executor.SessionMatrix#all")
@interface SessionMatrixTest {
}
