package dev.quiver.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Python scripts in the project's venv (with pyarrow, numpy, ...), for tests against readers we did
 * not write. The README's test command creates the venv and passes its interpreter as the system property
 * {@code quiver.python}; it also sets {@code quiver.requirePython=true}, so there a missing interpreter
 * fails the test instead of skipping it.
 */
public final class Python {
  private Python() {}

  /** The venv's interpreter; skips the test (or fails it, when Python is required) if there is none. */
  public static Path interpreter() {
    String configured = System.getProperty("quiver.python", "");
    Path p = configured.isEmpty() ? null : Paths.get(configured);
    if (p == null || !Files.isExecutable(p)) {
      String msg = "no Python venv (system property quiver.python='" + configured
          + "'); run the README's test command, which creates it";
      if (Boolean.getBoolean("quiver.requirePython")) {
        throw new AssertionError(msg);
      }
      Assumptions.abort(msg);
    }
    return p;
  }

  /** The result of a finished script. */
  public record Result(int exitCode, String output) {}

  /** Runs {@code python script args...}, merging stdout and stderr; fails after {@code timeoutSeconds}. */
  public static Result run(Path script, long timeoutSeconds, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(interpreter().toString());
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("quiver-python", ".log");
    try {
      Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!proc.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        proc.destroyForcibly();
        throw new AssertionError("python " + script + " timed out after " + timeoutSeconds + " s:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(proc.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Runs a script given as source text (written to a temp file). */
  public static Result runSource(String source, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    Path f = Files.createTempFile("quiver-test", ".py");
    try {
      Files.writeString(f, source);
      return run(f, timeoutSeconds, args);
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
