package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partial runs of a session ({@code partial_run_setup} / {@code partial_run}): each is one step fed and
 * fetched over several calls. Every call runs all ops its feeds so far make computable, as TensorFlow's
 * executor does, and keeps their results until fetched. Errors and messages follow TensorFlow's DirectSession.
 */
final class PartialRuns {
  private final Session session;
  private final ConcurrentHashMap<String, PartialRun> runs = new ConcurrentHashMap<>();
  private final AtomicLong counter = new AtomicLong();

  PartialRuns(Session session) {
    this.session = session;
  }

  String setup(Object fetches, Object feeds) {
    Graph graph = session.graph();
    if (fetches instanceof Map<?, ?>) {
      throw new IllegalArgumentException("partial_run_setup takes a graph element or a List of them as fetches");
    }
    FetchStructure fs = FetchStructure.parse(graph, fetches);
    List<Output> keys = new ArrayList<>();
    if (feeds instanceof List<?> list) {
      for (Object k : list) {
        keys.add(Feeds.key(graph, k));
      }
    } else if (feeds != null) {
      keys.add(Feeds.key(graph, feeds));
    }
    Output[] feedKeys = keys.stream().distinct().toArray(Output[]::new);
    StepPlan plan = StepPlan.create(feedKeys, fs.outputs, fs.targets);
    PartialRun run;
    session.beginStep(); // the run borrows the session's constants: close waits for this
    try {
      run = new PartialRun(session, plan);
    } finally {
      session.endStep();
    }
    StringBuilder h = new StringBuilder();
    for (Output k : feedKeys) {
      h.append(h.length() == 0 ? "" : ",").append(k.name());
    }
    h.append("->");
    for (int i = 0; i < fs.outputs.length; i++) {
      h.append(i == 0 ? "" : ",").append(fs.outputs[i].name());
    }
    h.append('/');
    for (int i = 0; i < fs.targets.length; i++) {
      h.append(i == 0 ? "" : ",").append(fs.targets[i].name());
    }
    h.append('/').append(counter.getAndIncrement());
    String handle = h.toString();
    runs.put(handle, run);
    return handle;
  }

  Result run(String handle, Object fetches, Map<?, ?> feedDict) {
    FetchStructure fs = FetchStructure.parse(session.graph(), fetches);
    if (fs.targets.length > 0) {
      // TF 2.21's words (a RuntimeError, checked before the handle): ops to run belong in partial_run_setup,
      // where they run as soon as their inputs are fed
      throw new IllegalStateException("partial_run() requires empty `target_list`. Received: target_list="
          + java.util.Arrays.toString(fs.targets) + " (non-empty)");
    }
    PartialRun run = handle == null ? null : runs.get(handle);
    if (run == null) {
      throw new InvalidArgumentException("Must run 'setup' before performing partial runs! (no partial run with "
          + "handle '" + handle + "' is under way in this session)");
    }
    Feeds feeds = Feeds.parse(session.graph(), feedDict);
    session.beginStep();
    try {
      Result r = run.run(fs, feeds);
      if (run.isDone()) {
        runs.remove(handle, run);
        run.abandon(false);
      }
      return r;
    } catch (InvalidArgumentException | IllegalArgumentException e) {
      if (run.isFailed()) {
        runs.remove(handle, run);
      }
      throw e;
    } catch (RuntimeException e) {
      runs.remove(handle, run);
      throw e;
    } finally {
      session.endStep();
    }
  }

  void closeAll() {
    for (String h : new ArrayList<>(runs.keySet())) {
      PartialRun r = runs.remove(h);
      if (r != null) {
        r.abandon(false);
      }
    }
  }

  /** One partial run: a step that receives its feeds and gives its fetches over several calls. */
  private static final class PartialRun {
    private final Session session;
    private final StepPlan plan;
    private final StepExecution step;
    private final long timeoutMs;
    private final Map<Output, Integer> feedIndex = new HashMap<>();
    private final Map<Output, Integer> fetchIndex = new HashMap<>();
    private final Map<Operation, Integer> nodeIndex = new HashMap<>();
    private final boolean[] fed;
    private final boolean[] fetched;
    private final boolean[] ran;
    private boolean failed;

    PartialRun(Session session, StepPlan plan) {
      this.session = session;
      this.plan = plan;
      this.step = new StepExecution(session, plan, null, 0, false);
      this.timeoutMs = session.config().operationTimeoutInMs();
      for (int i = 0; i < plan.feeds.length; i++) {
        feedIndex.put(plan.feeds[i], i);
      }
      for (int i = 0; i < plan.fetches.length; i++) {
        fetchIndex.put(plan.fetches[i], i);
      }
      for (int k = 0; k < plan.nodes.length; k++) {
        nodeIndex.put(plan.nodes[k].op, k);
      }
      this.fed = new boolean[plan.feeds.length];
      this.fetched = new boolean[plan.fetches.length];
      this.ran = new boolean[plan.nodes.length];
    }

    synchronized Result run(FetchStructure fs, Feeds feeds) {
      if (failed) {
        throw new InvalidArgumentException("this partial run failed earlier and cannot continue");
      }
      int[] feedIdx = new int[feeds.keys.length];
      for (int i = 0; i < feeds.keys.length; i++) {
        Integer idx = feedIndex.get(feeds.keys[i]);
        if (idx == null) {
          throw new InvalidArgumentException("The feed " + feeds.keys[i].name() + " was not specified in "
              + "partial_run_setup.");
        }
        if (fed[idx]) {
          throw new InvalidArgumentException("The feed " + feeds.keys[i].name() + " has already been fed.");
        }
        feedIdx[i] = idx;
      }
      int[] fetchIdx = new int[fs.outputs.length];
      for (int i = 0; i < fs.outputs.length; i++) {
        Integer idx = fetchIndex.get(fs.outputs[i]);
        if (idx == null) {
          throw new InvalidArgumentException("The fetch " + fs.outputs[i].name() + " was not specified in "
              + "partial_run_setup.");
        }
        if (fetched[idx]) {
          throw new InvalidArgumentException("The fetch " + fs.outputs[i].name() + " has already been fetched.");
        }
        fetchIdx[i] = idx;
      }

      // What the feeds so far plus these make computable; every fetch asked for must be among it.
      boolean[] available = availableWith(feedIdx);
      boolean[] runnable = runnableWith(available);
      // TensorFlow names the missing feed: "Fetch z:0 can't be computed from the feeds that have been fed so far."
      for (int i = 0; i < fetchIdx.length; i++) {
        if (!isAvailable(plan.fetches[fetchIdx[i]], available, runnable)) {
          throw cannotCompute(plan.fetches[fetchIdx[i]].op(), available, runnable);
        }
      }

      Tensor[] values = Feeds.convert(session, feeds.keys, feeds.values, null);
      for (int i = 0; i < values.length; i++) {
        step.putFeed(feedIdx[i], values[i]);
        fed[feedIdx[i]] = true;
      }
      try {
        boolean[] now = new boolean[plan.nodes.length];
        for (int k = 0; k < plan.nodes.length; k++) {
          if (runnable[k] && !ran[k]) {
            ran[k] = true;
            now[k] = true;
          }
        }
        step.runNodes(now, timeoutMs);
      } catch (RuntimeException e) {
        failed = true;
        step.abandon(true);
        throw e;
      }
      Tensor[] out = new Tensor[fetchIdx.length];
      for (int i = 0; i < fetchIdx.length; i++) {
        out[i] = step.takeFetch(fetchIdx[i]);
        fetched[fetchIdx[i]] = true;
      }
      List<AutoCloseable> owned = new ArrayList<>(out.length);
      return new Result(fs.build(out, session, owned), owned, null, session);
    }

    /** The error for a fetch that needs a feed not given yet, naming the first such feed. */
    private InvalidArgumentException cannotCompute(Operation op, boolean[] available, boolean[] runnable) {
      String missing = null;
      java.util.ArrayDeque<Operation> todo = new java.util.ArrayDeque<>(List.of(op));
      java.util.Set<Operation> seen = new java.util.HashSet<>();
      while (!todo.isEmpty() && missing == null) {
        Operation o = todo.pop();
        if (!seen.add(o)) {
          continue;
        }
        for (Output in : o.inputs()) {
          Integer f = feedIndex.get(in);
          if (f != null) {
            if (!available[f]) {
              missing = in.name();
              break;
            }
          } else if (!ranOrRunnable(in.op(), runnable)) {
            todo.push(in.op());
          }
        }
        for (Operation c : o.controlInputs()) {
          Integer f = fedPlaceholder(c);
          if (f != null) {
            if (!available[f]) {
              missing = c.output(0).name();
              break;
            }
          } else if (!ranOrRunnable(c, runnable)) {
            todo.push(c);
          }
        }
      }
      return new InvalidArgumentException("Fetch " + (missing == null ? op.name() : missing)
          + " can't be computed from the feeds that have been fed so far.");
    }

    /** Which feeds hold a value once {@code newFeeds} are given. */
    private boolean[] availableWith(int[] newFeeds) {
      boolean[] a = fed.clone();
      for (int i : newFeeds) {
        a[i] = true;
      }
      return a;
    }

    /** Which nodes have run or can run now, in topological order. */
    private boolean[] runnableWith(boolean[] feedsAvailable) {
      boolean[] ok = new boolean[plan.nodes.length];
      for (int k = 0; k < plan.nodes.length; k++) {
        if (ran[k]) {
          ok[k] = true;
          continue;
        }
        StepPlan.Node n = plan.nodes[k];
        boolean ready = true;
        for (Output in : n.op.inputs()) {
          ready &= isAvailable(in, feedsAvailable, ok);
        }
        for (Operation c : n.op.controlInputs()) {
          Integer f = fedPlaceholder(c);
          ready &= f != null ? feedsAvailable[f] : ranOrRunnable(c, ok);
        }
        ok[k] = ready;
      }
      return ok;
    }

    /**
     * The feed index of {@code op} if it is a placeholder this partial run feeds, else null. A control edge from
     * it waits for its feed ({@link StepPlan#isFedPlaceholder}); TensorFlow 2.21 waits forever when such a fetch
     * is asked for before the feed, where this names the feed.
     */
    private Integer fedPlaceholder(Operation op) {
      return StepPlan.isFedPlaceholder(op, feedIndex) ? feedIndex.get(op.output(0)) : null;
    }

    private boolean isAvailable(Output o, boolean[] feedsAvailable, boolean[] runnable) {
      Integer f = feedIndex.get(o);
      if (f != null) {
        return feedsAvailable[f];
      }
      return ranOrRunnable(o.op(), runnable);
    }

    /** Whether {@code op} of the plan has run or can run now; constants lent by the session always have. */
    private boolean ranOrRunnable(Operation op, boolean[] runnable) {
      Integer k = nodeIndex.get(op);
      return k != null ? runnable[k] : StepPlan.isLentConstant(op);
    }

    synchronized boolean isDone() {
      for (boolean b : fed) {
        if (!b) {
          return false;
        }
      }
      for (boolean b : fetched) {
        if (!b) {
          return false;
        }
      }
      return true;
    }

    synchronized boolean isFailed() {
      return failed;
    }

    synchronized void abandon(boolean rollback) {
      step.abandon(rollback);
    }
  }
}
