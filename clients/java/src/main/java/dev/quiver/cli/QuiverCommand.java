package dev.quiver.cli;

import dev.quiver.errors.QuiverException;
import dev.quiver.errors.StatusCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code quiver} command: {@code serve} starts a Flight server on an in-memory store; {@code put},
 * {@code get}, {@code ls}, {@code rm} and {@code stats} talk to a running one. Errors are one plain line on
 * stderr, never a stack trace; the exit code says what kind of failure it was.
 */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    versionProvider = QuiverCommand.Version.class,
    description = "Serve tensors over Arrow Flight, and move tensors to and from a Quiver server.",
    subcommands = {
        ServeCommand.class, PutCommand.class, GetCommand.class, ListCommand.class, RemoveCommand.class,
        StatsCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the request failed: unknown handle, unreadable or invalid file, budget exhausted, ...",
        "2:invalid command line (unknown option, bad value, missing argument)",
        "3:the server cannot be reached or is shutting down",
        "4:the server refused the token (missing or wrong --token)"})
public final class QuiverCommand {
  /** Exit code: the request failed. */
  public static final int FAILED = 1;
  /** Exit code: invalid command line. */
  public static final int USAGE = 2;
  /** Exit code: the server cannot be reached. */
  public static final int UNREACHABLE = 3;
  /** Exit code: authentication failed. */
  public static final int UNAUTHENTICATED = 4;

  private QuiverCommand() {}

  public static void main(String[] args) {
    routeJavaLoggingToSlf4j();
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Sends java.util.logging, which gRPC and Netty log through, to SLF4J: the command then has one log format and
   * one set of levels ({@code simplelogger.properties}: libraries at WARN), instead of JUL's two-line console
   * records beside SLF4J's. Idempotent.
   */
  static void routeJavaLoggingToSlf4j() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** Runs the command line {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(QuiverCommand.class);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("quiver: " + message(e));
      line.getErr().flush();
      return exitCode(e);
    });
    return cl.execute(args);
  }

  static String message(Throwable e) {
    if (e instanceof QuiverException q) {
      return q.code().tfName() + ": " + q.getMessage();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + e.getMessage();
    }
    if (e instanceof IOException) {
      return "I/O error: " + e.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static int exitCode(Throwable e) {
    if (e instanceof QuiverException q) {
      if (q.code() == StatusCode.UNAVAILABLE) {
        return UNREACHABLE;
      }
      if (q.code() == StatusCode.UNAUTHENTICATED || q.code() == StatusCode.PERMISSION_DENIED) {
        return UNAUTHENTICATED;
      }
      return FAILED;
    }
    if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return FAILED;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = QuiverCommand.class.getPackage().getImplementationVersion();
      return new String[] {"quiver " + (v == null ? "(development build)" : v)};
    }
  }
}
