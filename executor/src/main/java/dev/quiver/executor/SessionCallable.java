package dev.quiver.executor;

import java.util.Objects;

/**
 * One step of a {@link Session} planned once ({@link Session#makeCallable}): each call feeds its arguments to
 * the feed list's tensors, in order, and returns what {@link Session#run} would. The cheapest way to run the
 * same step many times. Thread-safe; valid until the session closes.
 */
public final class SessionCallable {
  private final Session session;
  private final StepPlan plan;
  private final FetchStructure fetches;
  private final boolean acceptOptions;

  SessionCallable(Session session, StepPlan plan, FetchStructure fetches, boolean acceptOptions) {
    this.session = session;
    this.plan = plan;
    this.fetches = fetches;
    this.acceptOptions = acceptOptions;
  }

  /**
   * Runs the step with one value per feed-list tensor (Tensors, Java scalars or arrays, TensorHandles).
   *
   * @throws IllegalArgumentException if the number of values differs from the feed list's
   * @throws IllegalStateException if the session is closed
   */
  public Result call(Object... feedValues) {
    return run(feedValues, null, null);
  }

  /**
   * Runs the step with options and metadata.
   *
   * @throws IllegalStateException if the callable was made without {@code acceptOptions}
   */
  public Result call(RunOptions options, RunMetadata runMetadata, Object... feedValues) {
    if (!acceptOptions) {
      throw new IllegalStateException("this callable was made with acceptOptions=false; it takes no RunOptions "
          + "or RunMetadata");
    }
    return run(feedValues, options, runMetadata);
  }

  private Result run(Object[] feedValues, RunOptions options, RunMetadata runMetadata) {
    Objects.requireNonNull(feedValues, "feedValues");
    session.checkOpen();
    if (feedValues.length != plan.feeds.length) {
      throw new IllegalArgumentException("this callable takes " + plan.feeds.length + " feed values, got "
          + feedValues.length);
    }
    return session.execute(plan, fetches, feedValues, options, runMetadata);
  }

  /** The number of feed values each call takes. */
  public int numFeeds() {
    return plan.feeds.length;
  }
}
