package dev.quiver.bench;

import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorIpc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The handle store's costs by tensor size, single-threaded.
 *
 * <ul>
 *   <li>{@code put*}/{@code get}: a put of a tensor allocated under the store's root moves it (no copy, the same
 *       cost at every size); a put from another root copies it once; a get never copies.
 *   <li>{@code spill*}/{@code reload*}/{@code storeSpillAndReload}: writing and reading spill files (the
 *       {@code TensorIpc} calls the store makes), and a get that reloads one handle and spills another.
 *   <li>{@code disk*}: the same number of bytes written and read with a plain {@link FileChannel} in the
 *       same directory: the disk's sequential speed to compare spill throughput with. Reads right after
 *       writes mostly measure the page cache, for spill files and plain files alike.
 * </ul>
 *
 * <p>Scores are times per operation; {@code bench/store-bench.sh} turns them into GB/s per size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:MaxDirectMemorySize=6g", "-Xmx2g"}) // Quiver's JVM flags: BenchMain
public class StoreBenchmark {
  /** Same as the store's spill files: one record batch up to 1 GiB. */
  private static final long SPILL_BATCH_BYTES = 1L << 30;

  /** A store holding one tensor of {@code size} bytes, plus a tensor of that size from its root and from another. */
  @State(Scope.Benchmark)
  public static class Stored {
    @Param({"1024", "65536", "1048576", "16777216", "268435456"})
    public long size;

    HandleStore store;
    BufferAllocator otherRoot;
    Tensor underRoot;
    Tensor foreign;
    String handle;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().memoryBudget(4 * size).diskBudget(0).build();
      otherRoot = new RootAllocator();
      underRoot = filled(store.allocator(), size);
      foreign = filled(otherRoot, size);
      handle = store.put(underRoot);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      underRoot.close();
      foreign.close();
      store.close();
      otherRoot.close();
    }
  }

  /** Files of {@code size} bytes in one directory: a spill file, a plain file, and a direct buffer for plain IO. */
  @State(Scope.Benchmark)
  public static class SpillFiles {
    @Param({"1024", "65536", "1048576", "16777216", "268435456"})
    public long size;

    Path dir;
    Path spillFile;
    Path plainFile;
    /** A store's allocator, as a reload uses: a freed block of the same size is reused, not faulted in anew. */
    HandleStore store;
    BufferAllocator allocator;
    Tensor tensor;
    ByteBuffer bytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      dir = Files.createTempDirectory("quiver-bench-");
      spillFile = dir.resolve("spill.arrow");
      plainFile = dir.resolve("plain.bin");
      store = HandleStore.builder().memoryBudget(4 * size).build();
      allocator = store.allocator();
      tensor = filled(allocator, size);
      TensorIpc.writeFile(tensor, spillFile, SPILL_BATCH_BYTES);
      bytes = ByteBuffer.allocateDirect(Math.toIntExact(size));
      ThreadLocalRandom.current().ints(size / 4).forEach(bytes::putInt);
      bytes.flip();
      writePlain(this, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      tensor.close();
      store.close();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** A store whose memory holds one tensor of {@code size}: reading the other spills one and reloads one. */
  @State(Scope.Benchmark)
  public static class Spilling {
    @Param({"1024", "65536", "1048576", "16777216", "268435456"})
    public long size;

    HandleStore store;
    String a;
    String b;
    boolean readA;

    @Setup(Level.Trial)
    public void setUp() {
      store = HandleStore.builder().memoryBudget(size).build();
      try (Tensor t = filled(store.allocator(), size)) {
        a = store.put(t);
        b = store.put(t); // spills a
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      store.close();
    }
  }

  @Benchmark
  public void putMovedThenDelete(Stored s) {
    s.store.delete(s.store.put(s.underRoot));
  }

  @Benchmark
  public void putCopiedThenDelete(Stored s) {
    s.store.delete(s.store.put(s.foreign));
  }

  @Benchmark
  public long get(Stored s) {
    try (Tensor t = s.store.get(s.handle)) {
      return t.address();
    }
  }

  @Benchmark
  public void spillWrite(SpillFiles f) throws IOException {
    TensorIpc.writeFile(f.tensor, f.spillFile, SPILL_BATCH_BYTES);
  }

  @Benchmark
  public long reloadRead(SpillFiles f) throws IOException {
    try (Tensor t = TensorIpc.readFile(f.allocator, f.spillFile)) {
      return t.address();
    }
  }

  @Benchmark
  public void diskWriteFsync(SpillFiles f) throws IOException {
    writePlain(f, true);
  }

  @Benchmark
  public void diskWrite(SpillFiles f) throws IOException {
    writePlain(f, false);
  }

  @Benchmark
  public long diskRead(SpillFiles f) throws IOException {
    ByteBuffer into = f.bytes.duplicate().clear();
    try (FileChannel ch = FileChannel.open(f.plainFile, StandardOpenOption.READ)) {
      while (into.hasRemaining() && ch.read(into) >= 0) {
        // keep reading
      }
    }
    return into.position();
  }

  /** Each call reads the handle that is on disk: one reload and one spill of {@code size} bytes. */
  @Benchmark
  public void storeSpillAndReload(Spilling s, Blackhole bh) {
    s.readA = !s.readA;
    try (Tensor t = s.store.get(s.readA ? s.a : s.b)) {
      bh.consume(t.address());
    }
  }

  private static void writePlain(SpillFiles f, boolean fsync) throws IOException {
    ByteBuffer from = f.bytes.duplicate();
    try (FileChannel ch = FileChannel.open(f.plainFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      while (from.hasRemaining()) {
        ch.write(from);
      }
      if (fsync) {
        ch.force(true);
      }
    }
  }

  private static Tensor filled(BufferAllocator allocator, long bytes) {
    Tensor t = Tensor.allocate(allocator, DType.INT8, Shape.of(bytes));
    long seed = bytes;
    for (long i = 0; i + 8 <= bytes; i += 8) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      t.dataBuffer().setLong(i, seed);
    }
    return t;
  }
}
