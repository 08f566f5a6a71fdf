package dev.quiver.executor;

import dev.quiver.errors.CancelledException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Runs a {@link Graph}: TensorFlow 1's {@code tf.compat.v1.Session}, in-process.
 *
 * <pre>{@code
 * try (Graph g = new Graph(); Session sess = new Session(g)) {
 *   Ops tf = Ops.create(g);
 *   Output c = tf.math.mul(tf.constant(5.0f), tf.constant(6.0f));
 *   try (Result r = sess.run(c)) {
 *     r.tensor().getFloat(0); // 30.0
 *   }
 * }
 * }</pre>
 *
 * <p><b>Steps.</b> {@link #run} runs only the ops its fetches and targets need, substituting fed tensors;
 * independent ops run in parallel on the inter-op pool and small steps entirely on the caller's thread.
 * Each distinct combination of feeds, fetches and targets is planned once and cached; {@link #makeCallable}
 * keeps a plan for a fixed step. Intermediate tensors are freed as soon as their last consumer ran.
 *
 * <p><b>Handles.</b> The session owns a {@link HandleStore} (or shares one given in its config) where
 * {@link Ops#getSessionHandle} keeps tensors between steps; see {@link TensorHandle}.
 *
 * <p><b>Threads and closing.</b> All methods are thread-safe; many threads may run steps at once.
 * {@link #close()} cancels steps under way (they fail with {@link CancelledException}), waits for them to release
 * their memory, deletes the session's handles and stops its threads. Using a closed session throws
 * {@link IllegalStateException}, TensorFlow's RuntimeError (but see {@link #listDevices} and {@link #reset}).
 * Fetched {@link Result}s stay valid after close, until closed.
 */
public final class Session implements AutoCloseable {
  private static final ThreadLocal<Deque<Session>> DEFAULT_STACK = ThreadLocal.withInitial(ArrayDeque::new);
  private static final Set<Session> LIVE = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  private final String target;
  private final Graph graph;
  private final SessionConfig config;
  private final SessionHandles handles;
  private final BufferAllocator allocator;
  private final StepArena.Pool arenaBlocks;
  private final int id = SESSIONS.incrementAndGet();
  private final long incarnation = new java.security.SecureRandom().nextLong();
  private final PlanCache plans;
  private final SessionThreads threads;
  private final ConcurrentHashMap<Operation, Object> opStates = new ConcurrentHashMap<>();
  private final LentConstants constants = new LentConstants();
  private final PartialRuns partialRuns = new PartialRuns(this);
  private final ActiveSteps steps = new ActiveSteps();
  private volatile ParsedOutput lastParsedOutput; // FetchStructure is immutable: steps share it
  /** Who closed the session: after {@link #reset} (until {@link #close}) using it is CancelledException. */
  private final AtomicReference<Closer> closer = new AtomicReference<>(Closer.NONE);

  private enum Closer { NONE, USER, RESET }

  /** A session on the default graph of this thread, with the default config. */
  public Session() {
    this("", Graph.getDefault(), SessionConfig.defaults());
  }

  /** An in-process session running {@code graph} with the default config. */
  public Session(Graph graph) {
    this("", graph, SessionConfig.defaults());
  }

  /** An in-process session running {@code graph}. */
  public Session(Graph graph, SessionConfig config) {
    this("", graph, config);
  }

  /**
   * A session on {@code target} running {@code graph} (the default graph if null) with {@code config} (the
   * defaults if null), as {@code tf.compat.v1.Session(target, graph, config)}.
   *
   * @param target {@code ""} for the in-process engine, the only one so far
   * @throws NotFoundException if {@code target} is not {@code ""}: remote sessions do not exist yet
   * @throws IllegalStateException if the graph is closed
   */
  public Session(String target, Graph graph, SessionConfig config) {
    this.target = requireLocal(target);
    this.graph = graph == null ? Graph.getDefault() : graph;
    if (this.graph.isClosed()) {
      throw new IllegalStateException("cannot start a session on a closed graph");
    }
    this.config = config == null ? SessionConfig.defaults() : config;
    this.handles = SessionHandles.forConfig(this.config);
    this.plans = new PlanCache(this.config.logDevicePlacement());
    this.threads = new SessionThreads(this.config, id);
    this.allocator = handles.store().allocator();
    this.arenaBlocks = new StepArena.Pool(allocator);
    LIVE.add(this);
  }

  private static String requireLocal(String target) {
    String t = target == null ? "" : target;
    if (!t.isEmpty()) {
      throw new NotFoundException("No session factory registered for the given session options: {target: \"" + t
          + "\"}. Quiver runs only the in-process engine, target \"\"; remote sessions are not available yet.");
    }
    return t;
  }

  // ---------------------------------------------------------------------------------------------
  // Attributes

  /** The graph this session runs. */
  public Graph graph() {
    return graph;
  }

  /** The serializable form of the graph ({@code sess.graph_def}). */
  public GraphDef graphDef() {
    return graph.graphDef();
  }

  /** The target this session runs on ({@code sess.sess_str}); {@code ""} for the in-process engine. */
  public String sessStr() {
    return target;
  }

  public SessionConfig config() {
    return config;
  }

  /** The store that keeps this session's persistent handles. */
  public HandleStore handleStore() {
    return handles.store();
  }

  /**
   * The devices of this session: one CPU ({@code sess.list_devices()}).
   *
   * @throws CancelledException "Session has been closed." if the session is closed: the seed's OpError for "a
   *     session in an invalid state", TensorFlow's CancelledError
   */
  public List<DeviceAttributes> listDevices() {
    if (steps.isClosing()) {
      throw new CancelledException("Session has been closed.");
    }
    return List.of(new DeviceAttributes(DeviceAttributes.LOCAL_CPU, "CPU", allocator.getLimit(), incarnation));
  }

  // ---------------------------------------------------------------------------------------------
  // Running

  /** {@link #run(Object, Map, RunOptions, RunMetadata)} without feeds or options. */
  public Result run(Object fetches) {
    return run(fetches, null, null, null);
  }

  /** {@link #run(Object, Map, RunOptions, RunMetadata)} without options. */
  public Result run(Object fetches, Map<?, ?> feedDict) {
    return run(fetches, feedDict, null, null);
  }

  /**
   * Runs one step: evaluates every tensor and runs every op in {@code fetches}, substituting the values of
   * {@code feedDict} for the tensors it names ({@code sess.run(fetches, feed_dict, options, run_metadata)}).
   *
   * <p>{@code fetches} is a graph element or any nesting of {@link List}s, {@link Map}s (key order kept),
   * arrays and records of them. Elements are an {@link Operation} (fetched as null), an {@link Output} (a
   * {@link Tensor}), a {@link SparseTensor} (a {@link SparseTensorValue}), the output of
   * {@link Ops#getSessionHandle} (a {@link TensorHandle}), or a String naming a tensor ({@code "c:0"}) or an op
   * ({@code "c"}). The result has the same structure; records come back as the same record type.
   *
   * <p>{@code feedDict} maps tensors (Outputs, names, SparseTensors) to values: {@link Tensor}s (shared, not
   * copied), Java scalars and (nested) arrays (converted to the tensor's dtype), or {@link TensorHandle}s.
   *
   * @param options tracing and deadline of the step, or null
   * @param runMetadata receives the step's stats if {@code options} asks for a trace, or null
   * @return the fetched values; close it to free them
   * @throws IllegalStateException if the session is closed ({@link CancelledException} if {@link #reset} closed it)
   * @throws IllegalArgumentException naming a fetch or feed key of an invalid type
   * @throws NotFoundException if a name is not in the graph
   * @throws InvalidArgumentException naming the tensor if a fed value does not fit its dtype or shape, or a
   *     placeholder the step needs is not fed
   * @throws dev.quiver.errors.DeadlineExceededException if the step runs past its deadline
   * @throws dev.quiver.errors.CancelledException if the session closes while the step runs
   * @throws dev.quiver.errors.QuiverException the error of a failed kernel, naming its op
   */
  public Result run(Object fetches, Map<?, ?> feedDict, RunOptions options, RunMetadata runMetadata) {
    return run(fetches, List.of(), feedDict, options, runMetadata);
  }

  /** A step that also runs {@code extraTargets} ({@link Runner#addTarget}). */
  Result run(Object fetches, List<Operation> extraTargets, Map<?, ?> feedDict, RunOptions options,
             RunMetadata runMetadata) {
    checkOpen();
    FetchStructure fs = parseFetches(fetches);
    Operation[] targets = fs.targets;
    if (!extraTargets.isEmpty()) {
      Set<Operation> all = new LinkedHashSet<>(List.of(fs.targets));
      for (Operation op : extraTargets) {
        if (op.graph() != graph) {
          throw new IllegalArgumentException("target " + op.name() + " is not an element of this graph");
        }
        all.add(op);
      }
      targets = all.toArray(new Operation[0]);
    }
    Feeds feeds = Feeds.parse(graph, feedDict);
    StepPlan plan = plan(feeds.keys, fs.outputs, targets);
    return execute(plan, fs, feeds.values, options, runMetadata);
  }

  /** The structure of {@code fetches}; the parse of a single tensor fetched again is reused. */
  private FetchStructure parseFetches(Object fetches) {
    if (fetches instanceof Output o) {
      ParsedOutput last = lastParsedOutput;
      if (last != null && last.output == o) {
        return last.structure;
      }
      FetchStructure fs = FetchStructure.parse(graph, o);
      lastParsedOutput = new ParsedOutput(o, fs);
      return fs;
    }
    return FetchStructure.parse(graph, fetches);
  }

  private record ParsedOutput(Output output, FetchStructure structure) {}

  /** A builder of one step, TensorFlow Java's {@code Session.Runner}. */
  public Runner runner() {
    checkOpen();
    return new Runner(this);
  }

  /**
   * A step planned once: {@code call(values...)} feeds {@code feedList}'s keys positionally and returns
   * what {@code run(fetches, ...)} would ({@code sess.make_callable(fetches, feed_list, accept_options)}). A
   * tensor listed twice takes the later value, as in TensorFlow 2.21.
   *
   * @param feedList feed keys as {@link #run}'s feed dict takes them: Outputs, tensor names, {@link SparseTensor}s
   *     (whose argument is a {@link SparseTensorValue}) or Lists of keys (whose argument is a List of values), or
   *     null for none
   * @param acceptOptions whether the callable takes {@link RunOptions} and {@link RunMetadata}
   * @throws IllegalArgumentException if a fetch or feed key has an invalid type
   * @throws IllegalStateException if the session is closed (TensorFlow makes the callable and fails when it is
   *     called); {@link CancelledException} if {@link #reset} closed it
   */
  public SessionCallable makeCallable(Object fetches, List<?> feedList, boolean acceptOptions) {
    checkOpen();
    FetchStructure fs = FetchStructure.parse(graph, fetches);
    List<?> keys = feedList == null ? List.of() : feedList;
    if (keys.stream().anyMatch(Feeds::isStructured)) {
      Set<Output> flat = new LinkedHashSet<>();
      for (Object key : keys) {
        Feeds.flatten(graph, key, flat::add);
      }
      StepPlan plan = plan(flat.toArray(new Output[0]), fs.outputs, fs.targets);
      return SessionCallable.structured(this, plan, fs, acceptOptions, frozen(keys));
    }
    Map<Output, Integer> lastArgument = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      lastArgument.put(Feeds.key(graph, keys.get(i)), i);
    }
    Output[] feedKeys = lastArgument.keySet().toArray(new Output[0]);
    int[] argumentOf = lastArgument.values().stream().mapToInt(Integer::intValue).toArray();
    StepPlan plan = plan(feedKeys, fs.outputs, fs.targets);
    return new SessionCallable(this, plan, fs, acceptOptions, keys.size(), argumentOf);
  }

  /** {@code keys} with every nested List copied: the callable must not see a caller change them later. */
  private static List<?> frozen(List<?> keys) {
    return keys.stream().map(k -> k instanceof List<?> l ? frozen(l) : k).toList();
  }

  /** {@link #makeCallable(Object, List, boolean)} without options. */
  public SessionCallable makeCallable(Object fetches, List<?> feedList) {
    return makeCallable(fetches, feedList, false);
  }

  /**
   * Sets up a sequence of partial runs over {@code fetches} with {@code feeds} to be given later
   * ({@code sess.partial_run_setup(fetches, feeds)}).
   *
   * @param fetches a graph element or a List of them; the Operations among them run as soon as the feeds they
   *     need were given
   * @param feeds a tensor or a List of tensors (Outputs or names) the partial runs will feed
   * @return the handle for {@link #partialRun}
   */
  public String partialRunSetup(Object fetches, Object feeds) {
    checkOpen();
    return partialRuns.setup(fetches, feeds);
  }

  /**
   * Continues a partial run: feeds {@code feedDict} and returns {@code fetches}, which must have been declared
   * in {@link #partialRunSetup} ({@code sess.partial_run(handle, fetches, feed_dict)}). Each declared feed is
   * fed at most once and each fetch fetched at most once; the partial run ends when all were. Each call runs
   * every op its feeds so far make computable, scheduled as {@link #run} schedules a step, within the config's
   * {@link SessionConfig#operationTimeoutInMs() operation timeout}; calls on one handle take turns.
   *
   * @param fetches tensors declared in the setup: a graph element or a List of them, no Operations
   * @throws IllegalStateException if {@code fetches} holds an Operation (TF's RuntimeError "partial_run()
   *     requires empty `target_list`"), or the session is closed
   * @throws InvalidArgumentException as TensorFlow: an undeclared or repeated feed or fetch, a fetch that the
   *     feeds given so far cannot compute, or an unknown handle
   * @throws dev.quiver.errors.DeadlineExceededException if the call runs past the operation timeout; the partial
   *     run ends
   */
  public Result partialRun(String handle, Object fetches, Map<?, ?> feedDict) {
    checkOpen();
    return partialRuns.run(handle, fetches, feedDict);
  }

  // ---------------------------------------------------------------------------------------------
  // Default session

  /**
   * Makes this session the default of the current thread until the returned scope closes
   * ({@code with sess.as_default():}); {@link Output#eval()} and {@link Operation#run()} use it. Does not close
   * the session, nor change the default graph. Other threads are not affected. Python's
   * {@code with tf.compat.v1.Session() as sess:}, which does both, is one try with two resources:
   * {@code try (Session sess = new Session(g); var d = sess.asDefault()) { c.eval(); }}.
   */
  public DefaultScope asDefault() {
    checkOpen();
    Deque<Session> stack = DEFAULT_STACK.get();
    stack.push(this);
    return new DefaultScope(stack, this);
  }

  /** This thread's default session, or null ({@code tf.compat.v1.get_default_session()}). */
  public static Session getDefaultSession() {
    return DEFAULT_STACK.get().peek();
  }

  static Session requireDefault(Graph graph) {
    Session s = getDefaultSession();
    if (s == null) {
      throw new IllegalStateException("Cannot evaluate tensor using `eval()`: No default session is registered. "
          + "Use `try (var scope = sess.asDefault())` or pass an explicit session to `eval(session)`");
    }
    if (s.graph != graph) {
      throw new IllegalStateException("Cannot use the default session to evaluate tensor: the tensor's graph is "
          + "different from the session's graph. Pass an explicit session to `eval(session)`.");
    }
    return s;
  }

  /** The scope of {@link #asDefault()}; closing it restores the previous default session of the thread. */
  public static final class DefaultScope implements AutoCloseable {
    private final Deque<Session> stack;
    private final Session session;
    private boolean closed;

    private DefaultScope(Deque<Session> stack, Session session) {
      this.stack = stack;
      this.session = session;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (stack.peek() != session) {
        throw new IllegalStateException("default session scopes must close in reverse order of opening");
      }
      stack.pop();
    }
  }

  /**
   * Resets the resource containers of {@code target} and closes every session connected to it
   * ({@code Session.reset}). For the in-process target {@code ""} this closes every open session of this JVM,
   * whatever its graph, which deletes its handles: what TensorFlow 2.21 does for its in-process sessions,
   * although the seed says reset is "only implemented for distributed sessions". As in TensorFlow, a session
   * closed this way then fails with {@link CancelledException} "Session has been closed." (the engine refuses
   * it) instead of {@link IllegalStateException}, until it is closed itself. {@code containers} (null for all)
   * and {@code config} are accepted and, as in TensorFlow's in-process engine, change nothing.
   *
   * @throws NotFoundException if {@code target} is not {@code ""}
   */
  public static void reset(String target, List<String> containers, SessionConfig config) {
    requireLocal(target);
    List<Session> open;
    synchronized (LIVE) {
      open = new ArrayList<>(LIVE);
    }
    for (Session s : open) {
      if (s.closer.compareAndSet(Closer.NONE, Closer.RESET)) { // one the user closes meanwhile stays theirs
        s.shutDown();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  /**
   * Closes the session: cancels the steps under way and waits until they have freed their memory, ends the
   * partial runs, deletes the handles this session created (and closes its own store), stops its threads.
   * Idempotent.
   */
  @Override
  public void close() {
    closer.set(Closer.USER);
    shutDown();
  }

  private void shutDown() {
    if (!steps.closeAndAwait()) {
      return;
    }
    partialRuns.closeAll();
    constants.close();
    arenaBlocks.close();
    handles.close();
    threads.close();
    opStates.clear();
    plans.clear();
    LIVE.remove(this);
  }

  public boolean isClosed() {
    return steps.isClosing();
  }

  @Override
  public String toString() {
    return "Session(" + id + (steps.isClosing() ? ", closed" : "") + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // Engine (package-private)

  void checkOpen() {
    if (steps.isClosing()) {
      if (closer.get() == Closer.RESET) {
        throw new CancelledException("Session has been closed.");
      }
      throw new IllegalStateException("Attempted to use a closed Session.");
    }
  }

  boolean isClosing() {
    return steps.isClosing();
  }

  void beginStep() {
    steps.begin();
    if (graph.isClosed()) {
      endStep();
      throw new IllegalStateException("Attempted to run a step of a closed Graph.");
    }
  }

  void endStep() {
    steps.end();
  }

  /** The plan of a step with these feeds, fetches and targets, from the cache or made now. */
  StepPlan plan(Output[] feeds, Output[] fetches, Operation[] targets) {
    return plans.get(feeds, fetches, targets);
  }

  /** Runs a planned step, converting {@code feedValues} (one per plan feed) and building the fetched structure. */
  Result execute(StepPlan plan, FetchStructure fs, Object[] feedValues, RunOptions options, RunMetadata metadata) {
    beginStep();
    try (StepArena arena = new StepArena(arenaBlocks)) {
      Tensor[] feeds = Feeds.convert(this, plan.feeds, feedValues, arena);
      Tensor[] fetched = runStep(plan, feeds, arena, options, metadata);
      List<AutoCloseable> owned = new ArrayList<>(fetched.length);
      try {
        return new Result(fs.build(fetched, this, owned), owned, metadata, this);
      } catch (RuntimeException e) {
        for (AutoCloseable c : owned) {
          closeQuietly(c);
        }
        throw e;
      }
    } finally {
      endStep();
    }
  }

  /** Runs {@code plan} with converted feeds (ownership taken); returns the fetched tensors (caller owns). */
  private Tensor[] runStep(StepPlan plan, Tensor[] feeds, StepArena arena, RunOptions options,
                           RunMetadata metadata) {
    long timeout = options != null && options.timeoutInMs() > 0 ? options.timeoutInMs()
        : config.operationTimeoutInMs();
    boolean trace = options != null && options.traces() && metadata != null;
    StepExecution step;
    try {
      step = new StepExecution(this, plan, arena, timeout, trace);
    } catch (RuntimeException e) { // a constant could not be lent: the graph closed under the step
      for (Tensor t : feeds) {
        t.close();
      }
      throw e;
    }
    try {
      return step.run(feeds);
    } finally {
      if (trace) {
        metadata.setStepStats(step.stats());
      }
    }
  }

  /** Evaluates one tensor; the caller owns the result ({@link Output#eval}). */
  Tensor runTensor(Output output, Map<?, ?> feeds) {
    try (Result r = run(output, feeds)) {
      return r.tensor().share();
    }
  }

  BufferAllocator stepAllocator() {
    return allocator;
  }

  SessionHandles handles() {
    return handles;
  }

  IntraOpPool intraOpPool() {
    return threads.intraOp();
  }

  /** The inter-op pool, or null if the session runs every op on the caller's thread (one inter-op thread). */
  Executor interOpPool() {
    return threads.interOp();
  }

  /**
   * The value of a lent constant ({@link StepPlan#constOps}): the session's own reference to it, taken once and
   * kept until the session closes, so steps borrow it without a reference of their own. Called during a step.
   */
  Tensor constant(Operation op) {
    return constants.get(op);
  }

  @SuppressWarnings("unchecked")
  <T> T opState(Operation op, Supplier<T> init) {
    return (T) opStates.computeIfAbsent(op, k -> init.get());
  }

  /** The value of a fetched {@code GetSessionHandle} output: a handle object over the stored tensor. */
  TensorHandle handleFromFetch(Output output, Tensor handleString) {
    return handles.handleFromFetch(this, output, handleString);
  }

  /**
   * The tensor a {@link TensorHandle} feeds: its handle string to the placeholder of a {@code getSessionTensor} or
   * {@code deleteSessionTensor} pair (whichever session's handle it is: reading it then fails as TensorFlow's
   * does), else the stored tensor itself (a new reference, no copy), whatever the key's dtype, as TensorFlow
   * feeds it. Null if {@code value} is not a handle.
   */
  Tensor feedFromHandle(Output key, Object value, StepArena arena) {
    if (!(value instanceof TensorHandle h)) {
      return null;
    }
    if (graph.isHandleFeeder(key)) {
      Tensor carved = arena == null ? null : arena.scalar(h.handle());
      return carved != null ? carved : Tensor.scalar(allocator, h.handle());
    }
    return handles.feedStored(key, h);
  }

  /** A result of this session was closed: if the session's own store waits for its tensors, try closing it. */
  void resultClosed() {
    if (steps.isClosing()) {
      OwnedStoreCloser.retry(handles);
    }
  }

  void deleteHandleQuietly(String handle) {
    handles.deleteQuietly(handle);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // freeing after a failure; the first error is the one to report
    }
  }
}
