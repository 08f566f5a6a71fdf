package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The transfer progress bar: only above the threshold, only on a terminal, always on stderr. */
@ExtendWith(LeakCheckedAllocator.class)
class TransferProgressTest {
  private static String drawn(long total, boolean terminal) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
         TransferProgress progress = TransferProgress.start("put", total, err, terminal)) {
      progress.accept(total / 2);
      progress.accept(total);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aTransferAboveTheThresholdOnATerminalDrawsABarToTheEnd() {
    String bar = drawn(TransferProgress.THRESHOLD + 1, true);
    assertTrue(bar.contains("put") && bar.contains("100%") && bar.contains("MiB"), bar);
  }

  @Test
  void aTransferUpToTheThresholdDrawsNothing() {
    assertEquals("", drawn(TransferProgress.THRESHOLD, true));
    assertEquals("", drawn(1, true));
  }

  @Test
  void stderrThatIsNotATerminalGetsNoBar() {
    assertEquals("", drawn(64L << 20, false));
  }

  @Test
  void theLaunchersWordOnTheTerminalWins() {
    String before = System.getProperty(TransferProgress.STDERR_IS_TERMINAL);
    try {
      System.setProperty(TransferProgress.STDERR_IS_TERMINAL, "true");
      assertTrue(TransferProgress.stderrIsTerminal());
      System.setProperty(TransferProgress.STDERR_IS_TERMINAL, "false");
      assertFalse(TransferProgress.stderrIsTerminal());
    } finally {
      restore(before);
    }
  }

  @Test
  void putDrawsItsBarOnStderrAndPrintsOnlyTheHandleOnStdout(BufferAllocator allocator, @TempDir Path dir)
      throws Exception {
    Path npy = dir.resolve("big.npy");
    try (Tensor t = Tensor.of(allocator, new float[3 << 20])) { // 12 MiB
      NpyFile.write(t, npy);
    }
    String before = System.getProperty(TransferProgress.STDERR_IS_TERMINAL);
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    try (HandleStore store = HandleStore.builder().build();
         QuiverServer server = QuiverServer.builder(store).port(0).start()) {
      System.setProperty(TransferProgress.STDERR_IS_TERMINAL, "true");
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code = QuiverCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()),
          "put", npy.toString(), "-s", server.location().getUri().toString());
      assertEquals(0, code);
      assertTrue(store.contains(out.toString().trim()), "stdout is the handle alone: " + out);
    } finally {
      System.setErr(stderr);
      restore(before);
    }
    String bar = captured.toString(StandardCharsets.UTF_8);
    assertTrue(bar.contains("put") && bar.contains("100%"), bar);
  }

  private static void restore(String value) {
    if (value == null) {
      System.clearProperty(TransferProgress.STDERR_IS_TERMINAL);
    } else {
      System.setProperty(TransferProgress.STDERR_IS_TERMINAL, value);
    }
  }
}
