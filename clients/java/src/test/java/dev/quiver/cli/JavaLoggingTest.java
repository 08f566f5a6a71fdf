package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The command routes java.util.logging (gRPC's and Netty's) through SLF4J and its one configuration. */
class JavaLoggingTest {
  @Test
  void libraryRecordsArriveInSlf4jsFormatAndBelowWarnAreDropped() {
    QuiverCommand.routeJavaLoggingToSlf4j();
    QuiverCommand.routeJavaLoggingToSlf4j(); // idempotent
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Logger grpc = Logger.getLogger("io.grpc.SomeLibraryClass");
      grpc.warning("a library warning");
      grpc.info("a library chatter");
    } finally {
      System.setErr(stderr);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    assertTrue(err.contains("WARN") && err.contains("a library warning"), err);
    assertFalse(err.contains("WARNING:"), "not JUL's console format: " + err);
    assertFalse(err.contains("a library chatter"), "libraries log at WARN and above: " + err);
  }
}
