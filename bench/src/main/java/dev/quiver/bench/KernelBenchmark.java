package dev.quiver.bench;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.SessionCallable;
import dev.quiver.executor.SessionConfig;
import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.ElementwiseBinary;
import dev.quiver.executor.kernels.math.Reducer;
import dev.quiver.executor.kernels.math.Reduction;
import dev.quiver.executor.kernels.math.Sgemm;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
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
 * The math kernels on Arrow memory with a two-thread intra-op pool, at the sizes {@code bench/kernel_peers.py}
 * runs numpy (and TensorFlow) on: float32 add of two 16M-element tensors (into a preallocated output as numpy's
 * {@code out=}, with the output allocated as a kernel does, and as a whole {@link Session} step), reduceSum of
 * 16M and matMul 1024 and 2048 square (each as the kernel alone and as a session step). Every tensor comes from
 * a {@link HandleStore}'s allocator, as in a session, so a freed output's block is recycled for the next one as
 * a session step's is. Compare ms/op with the peers' numbers from the same window:
 * {@code bench/kernel-bench.sh} runs each group and its numpy peer under {@code flock /tmp/quiver-bench.lock};
 * GFLOP/s of matMul is {@code 2 n^3 / time}.
 *
 * <p>The fork passes {@code -Dio.netty.tryReflectionSetAccessible=true} so Arrow's netty allocator takes big
 * buffers from malloc without zeroing them (otherwise through {@code ByteBuffer.allocateDirect}, which clears
 * every byte); run with {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1} (the script does) so those buffers get
 * transparent huge pages as numpy's do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"}) // Quiver's JVM flags come from BenchMain
public class KernelBenchmark {
  static final int N = 16 << 20;

  static Tensor random(BufferAllocator allocator, Shape shape, SplittableRandom r) {
    Tensor t = Tensor.allocateUninitialized(allocator, DType.FLOAT32, shape);
    for (long i = 0; i < t.numElements(); i++) {
      t.dataBuffer().setFloat(i * 4, (float) r.nextDouble(-1, 1));
    }
    return t;
  }

  /** Two 16M-element float32 vectors, an output for them, and a scalar, from a handle store's allocator. */
  @State(Scope.Benchmark)
  public static class Vectors {
    HandleStore store;
    BufferAllocator allocator;
    IntraOpPool pool;
    Tensor a;
    Tensor b;
    Tensor sum;
    Tensor scalar;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().build();
      allocator = store.allocator();
      pool = new IntraOpPool(2);
      SplittableRandom r = new SplittableRandom(42);
      a = random(allocator, Shape.of(N), r);
      b = random(allocator, Shape.of(N), r);
      sum = Tensor.allocate(allocator, DType.FLOAT32, Shape.of(N));
      scalar = Tensor.allocate(allocator, DType.FLOAT32, Shape.scalar());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      for (Tensor t : new Tensor[] {a, b, sum, scalar}) {
        t.close();
      }
      pool.close();
      store.close();
    }
  }

  /** Two square float32 matrices and their product's output, from a handle store's allocator. */
  @State(Scope.Benchmark)
  public static class Matrices {
    @Param({"1024", "2048"})
    public int size;

    HandleStore store;
    IntraOpPool pool;
    Tensor a;
    Tensor b;
    Tensor c;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().build();
      pool = new IntraOpPool(2);
      SplittableRandom r = new SplittableRandom(7);
      a = random(store.allocator(), Shape.of(size, size), r);
      b = random(store.allocator(), Shape.of(size, size), r);
      c = Tensor.allocate(store.allocator(), DType.FLOAT32, Shape.of(size, size));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      a.close();
      b.close();
      c.close();
      pool.close();
      store.close();
    }
  }

  /**
   * One op on two fed placeholders as a session step (2 intra-op threads), planned once by a callable; the
   * subclasses pick the op and the inputs' shape.
   */
  abstract static class Step {
    HandleStore store;
    Graph graph;
    Session session;
    SessionCallable callable;
    Tensor a;
    Tensor b;

    abstract Shape[] inputShapes();

    abstract Output build(Ops tf, Output pa, Output pb);

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().build();
      graph = new Graph(store.allocator());
      Ops tf = Ops.create(graph);
      Shape[] shapes = inputShapes();
      Output pa = tf.placeholder(DType.FLOAT32, shapes[0]);
      Output pb = tf.placeholder(DType.FLOAT32, shapes[1]);
      Output y = build(tf, pa, pb);
      session = new Session(graph, SessionConfig.builder().handleStore(store).intraOpThreads(2).build());
      callable = session.makeCallable(y, List.of(pa, pb));
      SplittableRandom r = new SplittableRandom(42);
      a = random(store.allocator(), shapes[0], r);
      b = random(store.allocator(), shapes[1], r);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      a.close();
      b.close();
      session.close();
      graph.close();
      store.close();
    }
  }

  /** {@code a + b} on two fed 16M-element placeholders. */
  @State(Scope.Benchmark)
  public static class AddStep extends Step {
    @Override Shape[] inputShapes() {
      return new Shape[] {Shape.of(N), Shape.of(N)};
    }

    @Override Output build(Ops tf, Output pa, Output pb) {
      return tf.math.add(pa, pb);
    }
  }

  /** {@code tf.reduce_sum(a)} of a fed 16M-element placeholder (the second feed is a scalar it ignores). */
  @State(Scope.Benchmark)
  public static class SumStep extends Step {
    @Override Shape[] inputShapes() {
      return new Shape[] {Shape.of(N), Shape.scalar()};
    }

    @Override Output build(Ops tf, Output pa, Output pb) {
      return tf.math.reduceSum(pa, 0);
    }
  }

  /** {@code a @ b} of two fed square placeholders. */
  @State(Scope.Benchmark)
  public static class MatMulStep extends Step {
    @Param({"1024", "2048"})
    public int size;

    @Override Shape[] inputShapes() {
      return new Shape[] {Shape.of(size, size), Shape.of(size, size)};
    }

    @Override Output build(Ops tf, Output pa, Output pb) {
      return tf.linalg.matMul(pa, pb);
    }
  }

  /** numpy's {@code np.add(a, b, out=c)}. */
  @Benchmark
  public Tensor add16M(Vectors v) {
    ElementwiseBinary.run(BinaryOp.ADD_V2, v.a, v.b, v.sum, v.pool);
    return v.sum;
  }

  /**
   * numpy's {@code a + b}: the output is allocated (uninitialized, as the Add kernel does) from the store's
   * allocator and freed, so from the second call on its block is a recycled one, as in a session step.
   */
  @Benchmark
  public long add16MAllocating(Vectors v) {
    try (Tensor out = Tensor.allocateUninitialized(v.allocator, DType.FLOAT32, Shape.of(N))) {
      ElementwiseBinary.run(BinaryOp.ADD_V2, v.a, v.b, out, v.pool);
      return out.address();
    }
  }

  /** numpy's {@code a + b} as a whole session step: feeds, plan, kernel, fetch, close of the result. */
  @Benchmark
  public float add16MSession(AddStep s) {
    try (Result r = s.callable.call(s.a, s.b)) {
      return r.tensor().getFloat(0);
    }
  }

  /** numpy's {@code a.sum()}. */
  @Benchmark
  public float reduceSum16M(Vectors v) {
    Reduction.reduce(Reducer.SUM, DType.FLOAT32, v.a.address(), v.scalar.address(), 1, N, 1, v.pool);
    return v.scalar.getFloat(0);
  }

  /** numpy's {@code a.sum()} as a whole session step. */
  @Benchmark
  public float reduceSum16MSession(SumStep s) {
    try (Result r = s.callable.call(s.a, s.b)) {
      return r.tensor().getFloat(0);
    }
  }

  /** numpy's {@code ma @ mb}. */
  @Benchmark
  public Tensor matMul(Matrices m) {
    Sgemm.multiply(m.a.address(), false, m.b.address(), false, m.c.address(), m.size, m.size, m.size, m.pool);
    return m.c;
  }

  /** numpy's {@code ma @ mb} as a whole session step, its output allocated by the step. */
  @Benchmark
  public float matMulSession(MatMulStep s) {
    try (Result r = s.callable.call(s.a, s.b)) {
      return r.tensor().getFloat(0);
    }
  }
}
