package dev.quiver.executor;

import dev.quiver.store.HandleStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Session} runs, TensorFlow's {@code ConfigProto}: thread pools, placement flags, a default
 * deadline, and the session's handle store (its budgets, or a store to share). Step tensors are allocated in
 * the handle store's allocator, so keeping one under a handle never copies it. Immutable.
 *
 * <pre>{@code
 * SessionConfig config = SessionConfig.builder().interOpThreads(4).logDevicePlacement(true).build();
 * }</pre>
 */
public final class SessionConfig {
  private static final SessionConfig DEFAULTS = builder().build();

  private final int intraOpThreads;
  private final int interOpThreads;
  private final boolean allowSoftPlacement;
  private final boolean logDevicePlacement;
  private final long operationTimeoutInMs;
  private final long handleMemoryBudget;
  private final long handleDiskBudget;
  private final Path spillDirectory;
  private final Duration handleExpiry;
  private final HandleStore handleStore; // shared with others, or null

  private SessionConfig(Builder b) {
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
    this.allowSoftPlacement = b.allowSoftPlacement;
    this.logDevicePlacement = b.logDevicePlacement;
    this.operationTimeoutInMs = b.operationTimeoutInMs;
    this.handleMemoryBudget = b.handleMemoryBudget;
    this.handleDiskBudget = b.handleDiskBudget;
    this.spillDirectory = b.spillDirectory;
    this.handleExpiry = b.handleExpiry;
    this.handleStore = b.handleStore;
  }

  /** Every option at its default. */
  public static SessionConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Threads a kernel may split its work over; 0 means one per processor. */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Threads that run independent ops at the same time; 0 means one per processor. */
  public int interOpThreads() {
    return interOpThreads;
  }

  /** Accepted for compatibility: every op runs on the one CPU device, so no placement is ever hard. */
  public boolean allowSoftPlacement() {
    return allowSoftPlacement;
  }

  /**
   * If true, each op's device is logged as TensorFlow prints it ({@code "mul: (Mul):
   * /job:localhost/replica:0/task:0/device:CPU:0"}; SLF4J, INFO, logger {@code dev.quiver.executor.Session}), once,
   * when a step of the session first needs the op.
   */
  public boolean logDevicePlacement() {
    return logDevicePlacement;
  }

  /** The default deadline of every step in milliseconds; 0 for none. {@link RunOptions#timeoutInMs()} overrides it. */
  public long operationTimeoutInMs() {
    return operationTimeoutInMs;
  }

  /** Bytes of handle tensors kept in memory before spilling; 0 for the store's default. */
  public long handleMemoryBudget() {
    return handleMemoryBudget;
  }

  /** Bytes of spilled handle tensors kept on disk; 0 for the store's default. */
  public long handleDiskBudget() {
    return handleDiskBudget;
  }

  /** Where spilled handle tensors go; null for the store's default. */
  public Path spillDirectory() {
    return spillDirectory;
  }

  /** Handles unused this long expire; null for never. */
  public Duration handleExpiry() {
    return handleExpiry;
  }

  /** The handle store the session shares (a Flight server's, say), or null if the session makes its own. */
  public HandleStore handleStore() {
    return handleStore;
  }

  /** Builds a {@link SessionConfig}; not thread-safe. */
  public static final class Builder {
    private int intraOpThreads;
    private int interOpThreads;
    private boolean allowSoftPlacement;
    private boolean logDevicePlacement;
    private long operationTimeoutInMs;
    private long handleMemoryBudget;
    private long handleDiskBudget;
    private Path spillDirectory;
    private Duration handleExpiry;
    private HandleStore handleStore;

    private Builder() {}

    /** {@code intra_op_parallelism_threads}; 0 (the default) means one per processor. */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = nonNegative("intraOpThreads", threads);
      return this;
    }

    /** {@code inter_op_parallelism_threads}; 0 (the default) means one per processor. */
    public Builder interOpThreads(int threads) {
      this.interOpThreads = nonNegative("interOpThreads", threads);
      return this;
    }

    public Builder allowSoftPlacement(boolean allow) {
      this.allowSoftPlacement = allow;
      return this;
    }

    public Builder logDevicePlacement(boolean log) {
      this.logDevicePlacement = log;
      return this;
    }

    /** {@code operation_timeout_in_ms}: the default deadline of every step; 0 for none. */
    public Builder operationTimeoutInMs(long ms) {
      this.operationTimeoutInMs = nonNegative("operationTimeoutInMs", ms);
      return this;
    }

    public Builder handleMemoryBudget(long bytes) {
      this.handleMemoryBudget = nonNegative("handleMemoryBudget", bytes);
      return this;
    }

    public Builder handleDiskBudget(long bytes) {
      this.handleDiskBudget = nonNegative("handleDiskBudget", bytes);
      return this;
    }

    public Builder spillDirectory(Path dir) {
      this.spillDirectory = Objects.requireNonNull(dir, "spillDirectory");
      return this;
    }

    public Builder handleExpiry(Duration expireAfterAccess) {
      this.handleExpiry = Objects.requireNonNull(expireAfterAccess, "handleExpiry");
      return this;
    }

    /**
     * Keeps the session's handles in {@code store}, shared with others (the Flight server, other sessions)
     * instead of a store of its own; the budgets above are then the store's. Closing the session deletes only
     * the handles it created; the store's owner closes the store.
     */
    public Builder handleStore(HandleStore store) {
      this.handleStore = Objects.requireNonNull(store, "store");
      return this;
    }

    public SessionConfig build() {
      return new SessionConfig(this);
    }

    private static int nonNegative(String what, int v) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0, got " + v);
      }
      return v;
    }

    private static long nonNegative(String what, long v) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " must be >= 0, got " + v);
      }
      return v;
    }
  }
}
