package dev.quiver.executor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one step of a {@link Session}, TensorFlow Java's {@code Session.Runner}:
 * <pre>{@code
 * try (Result r = session.runner().feed("a:0", 3f).fetch("y").run()) {
 *   float y = r.get(0).getFloat(0);
 * }
 * }</pre>
 * Names follow TensorFlow Java: {@code "op"} is output 0 of {@code op}, {@code "op:1"} output 1. The step
 * runs on the same engine as {@link Session#run}. Not thread-safe; one runner per step.
 */
public final class Runner {
  private final Session session;
  private final Map<Object, Object> feeds = new LinkedHashMap<>();
  private final List<Object> fetches = new ArrayList<>();
  private final List<Operation> targets = new ArrayList<>();
  private RunOptions options;

  Runner(Session session) {
    this.session = session;
  }

  /** Feeds {@code value} to the tensor named {@code name} ({@code "op"} or {@code "op:index"}). */
  public Runner feed(String name, Object value) {
    feeds.put(output(name), value);
    return this;
  }

  /** Feeds {@code value} to output {@code index} of the op named {@code opName}. */
  public Runner feed(String opName, int index, Object value) {
    feeds.put(session.graph().operationByName(opName).output(index), value);
    return this;
  }

  /** Feeds {@code value} (a Tensor, Java scalar or array, or TensorHandle) to {@code output}. */
  public Runner feed(Output output, Object value) {
    feeds.put(output, value);
    return this;
  }

  /** Fetches the tensor named {@code name} ({@code "op"} or {@code "op:index"}). */
  public Runner fetch(String name) {
    fetches.add(output(name));
    return this;
  }

  /** Fetches output {@code index} of the op named {@code opName}. */
  public Runner fetch(String opName, int index) {
    fetches.add(session.graph().operationByName(opName).output(index));
    return this;
  }

  /** Fetches {@code output}. */
  public Runner fetch(Output output) {
    fetches.add(output);
    return this;
  }

  /** Fetches a sparse tensor's value. */
  public Runner fetch(SparseTensor sparse) {
    fetches.add(sparse);
    return this;
  }

  /** Runs the op named {@code opName} without fetching anything from it. */
  public Runner addTarget(String opName) {
    targets.add(session.graph().operationByName(opName));
    return this;
  }

  /** Runs {@code op} without fetching anything from it. */
  public Runner addTarget(Operation op) {
    targets.add(op);
    return this;
  }

  /** The options of the step. */
  public Runner setOptions(RunOptions options) {
    this.options = options;
    return this;
  }

  /**
   * Runs the step; the result is a List with one value per {@link #fetch}, in order ({@link Result#get(int)}).
   */
  public Result run() {
    return session.run(fetches, targets, feeds, options, null);
  }

  /**
   * Runs the step traced (at the options' trace level, or FULL_TRACE if none was set); the step's stats are in
   * {@link Result#metadata()}.
   */
  public Result runAndFetchMetadata() {
    RunOptions o = options;
    if (o == null || !o.traces()) {
      o = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE)
          .timeoutInMs(o == null ? 0 : o.timeoutInMs()).build();
    }
    return session.run(fetches, targets, feeds, o, new RunMetadata());
  }

  private Output output(String name) {
    return name.indexOf(':') >= 0 ? session.graph().outputByName(name)
        : session.graph().operationByName(name).output(0);
  }
}
