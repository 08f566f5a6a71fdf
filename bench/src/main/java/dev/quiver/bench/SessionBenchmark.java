package dev.quiver.bench;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.SessionCallable;
import dev.quiver.executor.SessionConfig;
import dev.quiver.executor.SessionTensor;
import dev.quiver.executor.TensorHandle;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-step cost of a {@link Session}: {@code y = a * b + c} on float32 scalars with {@code a} fed, through
 * {@code run} and through {@code makeCallable} (goals: callable &lt; 2 µs, run &lt; 5 µs median); and a step
 * that reads a persistent handle of 1 KiB or 256 MiB (the same cost: the stored buffer is handed over, never
 * copied) against feeding the same values as a Java array (which pays the copy). The peer numbers come from
 * {@code bench/session_peers.py [--handles]} (TensorFlow's tf.compat.v1 on the same steps, median of single
 * steps as SampleTime's p0.50). Quote p0.50: on a shared machine the mean is dominated by millisecond
 * outliers (descheduling, GC).
 */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"}) // Quiver's own JVM flags come from BenchMain
public class SessionBenchmark {

  /** y = a * b + c, float32 scalars, a fed. */
  @State(Scope.Benchmark)
  public static class ScalarStep {
    HandleStore store;
    Graph graph;
    Session session;
    Output a;
    Output y;
    Map<Output, Object> feeds;
    SessionCallable callable;
    Tensor aTensor;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().build();
      graph = new Graph(store.allocator());
      Ops tf = Ops.create(graph);
      a = tf.placeholder(DType.FLOAT32, Shape.scalar());
      y = tf.math.add(tf.math.multiply(a, tf.constant(2f)), tf.constant(1f));
      session = new Session(graph, SessionConfig.builder().handleStore(store).build());
      feeds = Map.of(a, 3f);
      callable = session.makeCallable(y, List.of(a));
      aTensor = Tensor.scalar(store.allocator(), 3f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      aTensor.close();
      session.close();
      graph.close();
      store.close();
    }
  }

  /** A stored tensor of {@code bytes} bytes, read back through a handle, and the same values as a Java array. */
  @State(Scope.Benchmark)
  public static class HandleRead {
    @Param({"1024", "268435456"})
    public long bytes;

    HandleStore store;
    Graph graph;
    Session session;
    TensorHandle handle;
    Output placeholder;
    Output sizeOfStored;
    Output fed;
    Output sizeOfFed;
    float[] values;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().memoryBudget(2L << 30).build();
      graph = new Graph(store.allocator());
      Ops tf = Ops.create(graph);
      session = new Session(graph, SessionConfig.builder().handleStore(store).build());
      values = new float[(int) (bytes / 4)];
      Output p = tf.placeholder(DType.FLOAT32, Shape.of(-1));
      try (Result r = session.run(tf.getSessionHandle(p), Map.of(p, values))) {
        handle = r.handle();
      }
      SessionTensor st = tf.getSessionTensor(handle, DType.FLOAT32);
      placeholder = st.placeholder();
      sizeOfStored = tf.array.size(st.tensor());
      fed = tf.placeholder(DType.FLOAT32, Shape.of(-1));
      sizeOfFed = tf.array.size(fed);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      session.close();
      graph.close();
      store.close();
    }
  }

  @Benchmark
  public float run(ScalarStep s) {
    try (Result r = s.session.run(s.y, s.feeds)) {
      return r.tensor().getFloat(0);
    }
  }

  @Benchmark
  public float callable(ScalarStep s) {
    try (Result r = s.callable.call(3f)) {
      return r.tensor().getFloat(0);
    }
  }

  /** The callable fed a ready tensor: no conversion of the feed. */
  @Benchmark
  public float callableTensorFeed(ScalarStep s) {
    try (Result r = s.callable.call(s.aTensor)) {
      return r.tensor().getFloat(0);
    }
  }

  @Benchmark
  public int readHandle(HandleRead s) {
    try (Result r = s.session.run(s.sizeOfStored, Map.of(s.placeholder, s.handle))) {
      return r.tensor().getInt(0);
    }
  }

  @Benchmark
  public int feedArray(HandleRead s) {
    try (Result r = s.session.run(s.sizeOfFed, Map.of(s.fed, s.values))) {
      return r.tensor().getInt(0);
    }
  }
}
