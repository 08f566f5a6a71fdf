package dev.quiver.cli;

import java.io.PrintStream;
import java.util.function.LongConsumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr for one transfer, shown only when the transfer is larger than
 * {@link #THRESHOLD} bytes; small transfers print nothing.
 */
final class TransferProgress implements LongConsumer, AutoCloseable {
  /** Transfers up to this size finish too fast for a bar to help. */
  static final long THRESHOLD = 8L << 20;

  private final ProgressBar bar;

  private TransferProgress(ProgressBar bar) {
    this.bar = bar;
  }

  static TransferProgress start(String task, long totalBytes, PrintStream err) {
    if (totalBytes <= THRESHOLD) {
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
