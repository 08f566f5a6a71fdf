package dev.quiver.bench;

import dev.quiver.client.QuiverClient;
import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Quiver's Flight server, measured two ways.
 *
 * <p>JMH: DoGet and DoPut of a 256 MiB float32 tensor and a one-element DoGet, from the Java client to an
 * in-process server (the Java-to-Java numbers). {@link #main} instead only hosts a server holding the same
 * tensors for {@code bench/flight_peers.py}, which measures Quiver against a pyarrow Flight server from the same
 * pyarrow client: that comparison is the one the project's goal is stated in.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1) // Quiver's JVM flags come from BenchMain
public class FlightBenchmark {
  /** 256 MiB of float32. */
  static final Shape BIG = Shape.of(64 * 1024, 1024);

  private HandleStore store;
  private QuiverServer server;
  private BufferAllocator allocator;
  private QuiverClient client;
  private Tensor big;
  private String bigHandle;
  private String tinyHandle;

  @Setup(Level.Trial)
  public void start() throws IOException {
    store = HandleStore.builder().memoryBudget(4L << 30).build();
    server = QuiverServer.builder(store).port(0).start();
    allocator = new RootAllocator();
    client = QuiverClient.builder(server.location()).allocator(allocator).build();
    big = filled(allocator, BIG);
    bigHandle = store.put(big);
    try (Tensor tiny = Tensor.of(allocator, new float[] {1f})) {
      tinyHandle = store.put(tiny);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    client.close();
    big.close();
    server.close();
    store.close();
    allocator.close();
  }

  @Benchmark
  public long doGetBig() {
    try (Tensor t = client.get(bigHandle)) {
      return t.byteSize();
    }
  }

  @Benchmark
  public String doPutBig() {
    String h = client.put(big);
    store.delete(h);
    return h;
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long doGetOneElement() {
    try (Tensor t = client.get(tinyHandle)) {
      return t.numElements();
    }
  }

  static Tensor filled(BufferAllocator allocator, Shape shape) {
    Tensor t = Tensor.allocate(allocator, dev.quiver.store.DType.FLOAT32, shape);
    for (long i = 0; i < shape.numElements(); i += 1024) {
      t.dataBuffer().setFloat(i * 4, i);
    }
    return t;
  }

  /**
   * Hosts a server for {@code bench/flight_peers.py}: prints {@code <location> <256 MiB handle> <1-element
   * handle>} on one line, then serves until stdin closes.
   */
  public static void main(String[] args) throws Exception {
    try (HandleStore store = HandleStore.builder().memoryBudget(8L << 30).build();
         QuiverServer server = QuiverServer.builder(store).port(0)
             .maxBatchBytes(Long.getLong("quiver.bench.batchBytes", TensorBatches.DEFAULT_MAX_BATCH_BYTES)).start();
         Tensor bigTensor = filled(store.allocator(), BIG);
         Tensor tiny = Tensor.of(store.allocator(), new float[] {1f})) {
      System.out.println(server.location().getUri() + " " + store.put(bigTensor) + " " + store.put(tiny));
      System.out.flush();
      while (System.in.read() >= 0) {
        // serve until the script closes our stdin
      }
    }
  }
}
