package dev.quiver.bench;

import dev.quiver.executor.kernels.math.BinaryOp;
import dev.quiver.executor.kernels.math.ElementwiseBinary;
import dev.quiver.executor.kernels.math.Reducer;
import dev.quiver.executor.kernels.math.Reduction;
import dev.quiver.executor.kernels.math.Sgemm;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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
 * runs numpy (and TensorFlow) on: float32 add of two 16M-element tensors (into a preallocated output, and
 * with the output allocated as the executor does), reduceSum of 16M, and matMul 1024 and 2048 square.
 * Compare ms/op with the peers' numbers from the same window; GFLOP/s of matMul is {@code 2 n^3 / time}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "-Xmx4g"})
public class KernelBenchmark {
  private static final int N = 16 << 20;

  @Param({"1024", "2048"})
  public int matrixSize;

  private BufferAllocator allocator;
  private IntraOpPool pool;
  private Tensor a;
  private Tensor b;
  private Tensor sum;
  private Tensor scalar;
  private Tensor ma;
  private Tensor mb;
  private Tensor mc;

  @Setup(Level.Trial)
  public void setUp() {
    allocator = new RootAllocator();
    pool = new IntraOpPool(2);
    SplittableRandom r = new SplittableRandom(42);
    a = random(Shape.of(N), r);
    b = random(Shape.of(N), r);
    sum = Tensor.allocate(allocator, DType.FLOAT32, Shape.of(N));
    scalar = Tensor.allocate(allocator, DType.FLOAT32, Shape.scalar());
    ma = random(Shape.of(matrixSize, matrixSize), r);
    mb = random(Shape.of(matrixSize, matrixSize), r);
    mc = Tensor.allocate(allocator, DType.FLOAT32, Shape.of(matrixSize, matrixSize));
  }

  private Tensor random(Shape shape, SplittableRandom r) {
    Tensor t = Tensor.allocate(allocator, DType.FLOAT32, shape);
    for (long i = 0; i < t.numElements(); i++) {
      t.dataBuffer().setFloat(i * 4, (float) r.nextDouble(-1, 1));
    }
    return t;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (Tensor t : new Tensor[] {a, b, sum, scalar, ma, mb, mc}) {
      t.close();
    }
    pool.close();
    allocator.close();
  }

  /** numpy's {@code np.add(a, b, out=c)}. */
  @Benchmark
  public Tensor add16M() {
    ElementwiseBinary.run(BinaryOp.ADD_V2, a, b, sum, pool);
    return sum;
  }

  /** numpy's {@code a + b}: the output is allocated (zero-filled, as the executor's allocateOutput) and freed. */
  @Benchmark
  public long add16MAllocating() {
    try (Tensor out = Tensor.allocate(allocator, DType.FLOAT32, Shape.of(N))) {
      ElementwiseBinary.run(BinaryOp.ADD_V2, a, b, out, pool);
      return out.address();
    }
  }

  /** numpy's {@code a.sum()}. */
  @Benchmark
  public float reduceSum16M() {
    Reduction.reduce(Reducer.SUM, DType.FLOAT32, a.address(), scalar.address(), 1, N, 1, pool);
    return scalar.getFloat(0);
  }

  /** numpy's {@code ma @ mb}. */
  @Benchmark
  public Tensor matMul() {
    Sgemm.multiply(ma.address(), false, mb.address(), false, mc.address(), matrixSize, matrixSize, matrixSize, pool);
    return mc;
  }
}
