package dev.quiver.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final int numArguments;
  private final int[] argumentOf; // per plan feed, the argument fed to it; null when they are the same
  private final List<?> structuredKeys; // the feed list if it holds SparseTensors or Lists, else null

  /**
   * @param numArguments the length of the feed list
   * @param argumentOf for each of {@code plan.feeds}, the position of the argument fed to it (the last one, for
   *     a tensor listed twice)
   */
  SessionCallable(Session session, StepPlan plan, FetchStructure fetches, boolean acceptOptions, int numArguments,
                  int[] argumentOf) {
    this.session = session;
    this.plan = plan;
    this.fetches = fetches;
    this.acceptOptions = acceptOptions;
    this.numArguments = numArguments;
    this.argumentOf = argumentOf.length == numArguments ? null : argumentOf;
    this.structuredKeys = null;
  }

  private SessionCallable(Session session, StepPlan plan, FetchStructure fetches, boolean acceptOptions,
                          List<?> structuredKeys) {
    this.session = session;
    this.plan = plan;
    this.fetches = fetches;
    this.acceptOptions = acceptOptions;
    this.numArguments = structuredKeys.size();
    this.argumentOf = null;
    this.structuredKeys = structuredKeys;
  }

  /**
   * A callable whose feed list holds keys standing for several tensors (SparseTensors, Lists): each call resolves
   * its arguments against the keys as a feed dict is resolved, the later of two values for one tensor winning.
   *
   * @param plan planned with the keys' tensors as {@link Feeds#flatten} gives them
   */
  static SessionCallable structured(Session session, StepPlan plan, FetchStructure fetches, boolean acceptOptions,
                                    List<?> keys) {
    return new SessionCallable(session, plan, fetches, acceptOptions, keys);
  }

  /**
   * Runs the step with one value per feed-list key (Tensors, Java scalars or arrays, TensorHandles; a
   * SparseTensorValue for a SparseTensor, a List of values for a List of keys).
   *
   * @throws IllegalArgumentException if the number of values differs from the feed list's, or a value does not
   *     match its key's structure
   * @throws IllegalStateException if the session is closed ({@code CancelledException} if {@code Session.reset}
   *     closed it)
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
    if (feedValues.length != numArguments) {
      throw new IllegalArgumentException("this callable takes " + numArguments + " feed values, got "
          + feedValues.length);
    }
    Object[] values = feedValues;
    if (structuredKeys != null) {
      Map<Output, Object> resolved = new LinkedHashMap<>();
      for (int i = 0; i < feedValues.length; i++) {
        Feeds.add(session.graph(), structuredKeys.get(i), feedValues[i], resolved);
      }
      values = new Object[plan.feeds.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = resolved.get(plan.feeds[i]);
      }
    } else if (argumentOf != null) {
      values = new Object[argumentOf.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = feedValues[argumentOf[i]];
      }
    }
    return session.execute(plan, fetches, values, options, runMetadata);
  }

  /** The number of feed values each call takes: the length of the feed list. */
  public int numFeeds() {
    return numArguments;
  }
}
