package dev.quiver.executor;

/**
 * Options of one step, TensorFlow's {@code RunOptions} proto: tracing and a deadline. Immutable.
 *
 * <pre>{@code
 * RunOptions opts = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).timeoutInMs(500).build();
 * session.run(fetches, feeds, opts, metadata);
 * }</pre>
 */
public final class RunOptions {
  /** How much a step records into its {@link RunMetadata}; any level but NO_TRACE records per-op step stats. */
  public enum TraceLevel { NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE }

  private static final RunOptions DEFAULTS = new RunOptions(TraceLevel.NO_TRACE, 0);

  private final TraceLevel traceLevel;
  private final long timeoutInMs;

  private RunOptions(TraceLevel traceLevel, long timeoutInMs) {
    this.traceLevel = traceLevel;
    this.timeoutInMs = timeoutInMs;
  }

  /** No tracing, no deadline beyond the session's operation timeout. */
  public static RunOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public TraceLevel traceLevel() {
    return traceLevel;
  }

  /** The step's deadline in milliseconds from its start; 0 means the session's operation timeout applies. */
  public long timeoutInMs() {
    return timeoutInMs;
  }

  boolean traces() {
    return traceLevel != TraceLevel.NO_TRACE;
  }

  @Override
  public String toString() {
    return "RunOptions(traceLevel=" + traceLevel + ", timeoutInMs=" + timeoutInMs + ")";
  }

  /** Builds {@link RunOptions}; not thread-safe. */
  public static final class Builder {
    private TraceLevel traceLevel = TraceLevel.NO_TRACE;
    private long timeoutInMs;

    private Builder() {}

    public Builder traceLevel(TraceLevel level) {
      this.traceLevel = java.util.Objects.requireNonNull(level, "traceLevel");
      return this;
    }

    /**
     * The step fails with {@link dev.quiver.errors.DeadlineExceededException} if it runs longer; its running
     * ops are cancelled and its memory freed.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder timeoutInMs(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("timeoutInMs must be >= 0, got " + ms);
      }
      this.timeoutInMs = ms;
      return this;
    }

    public RunOptions build() {
      return new RunOptions(traceLevel, timeoutInMs);
    }
  }
}
