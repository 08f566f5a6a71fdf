package dev.quiver.cli;

import java.io.PrintStream;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr for one transfer. It is shown only when the transfer is larger than
 * {@link #THRESHOLD} bytes and stderr is a terminal: small transfers finish before a bar helps, and a bar
 * redrawn with carriage returns is noise in a log file or a pipe. Otherwise nothing is printed.
 */
final class TransferProgress implements LongConsumer, AutoCloseable {
  /** Transfers up to this size finish too fast for a bar to help. */
  static final long THRESHOLD = 8L << 20;
  /**
   * Set by {@code bin/quiver} to whether its stderr is a terminal ({@code [ -t 2 ]}): the JVM itself can only
   * tell whether stdin and stdout are ({@link System#console()}).
   */
  static final String STDERR_IS_TERMINAL = "quiver.stderr.terminal";

  private final ProgressBar bar;

  private TransferProgress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar for {@code totalBytes} on {@code System.err}, if {@link #stderrIsTerminal()} and above the threshold. */
  static TransferProgress start(String task, long totalBytes) {
    return start(task, totalBytes, System.err, stderrIsTerminal());
  }

  /** A bar for {@code totalBytes} on {@code err} if {@code terminal} and {@code totalBytes > THRESHOLD}. */
  static TransferProgress start(String task, long totalBytes, PrintStream err, boolean terminal) {
    if (totalBytes <= THRESHOLD || !terminal) {
      return new TransferProgress(null);
    }
    ProgressBar bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(totalBytes)
        .setUnit(" MiB", 1L << 20)
        .showSpeed()
        .setConsumer(new ConsoleProgressBarConsumer(err))
        .build();
    return new TransferProgress(bar);
  }

  /** Whether stderr is a terminal: as {@code bin/quiver} found it, else whether the JVM has a console. */
  static boolean stderrIsTerminal() {
    String told = System.getProperty(STDERR_IS_TERMINAL);
    return told != null ? Boolean.parseBoolean(told) : System.console() != null;
  }

  @Override
  public void accept(long bytesSoFar) {
    if (bar != null) {
      bar.stepTo(bytesSoFar);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
