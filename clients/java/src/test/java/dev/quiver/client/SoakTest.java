package dev.quiver.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.SessionConfig;
import dev.quiver.executor.SessionTensor;
import dev.quiver.executor.TensorHandle;
import dev.quiver.flight.QuiverServer;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.StoreStats;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long run, off by default (the README's test command never runs it): {@code -Dquiver.soak.minutes=N} runs
 * for N minutes, against one server whose store has a small memory budget and therefore spills and reloads all
 * the time, 8 clients mixing put, get, delete, list and stats with every byte checked; 2 clients that start DoGets
 * of several-batch tensors and cancel them after the first batch (every fifth one is read whole and checked); and
 * a session on the server's store that makes handles with {@code getSessionHandle}, fetches them over Flight, and
 * reads uploaded handles through {@code getSessionTensor}. It prints a line of counts each minute; at the end
 * every handle is gone, the server's memory is zero and the store's is back where it started.
 *
 * <pre>
 * mvn -B -pl clients/java -am verify -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dquiver.soak.minutes=10
 * </pre>
 */
@EnabledIfSystemProperty(named = "quiver.soak.minutes", matches = "[1-9][0-9]*")
@ExtendWith(LeakCheckedAllocator.class)
class SoakTest {
  private static final int MIXED_CLIENTS = 8;
  private static final int CANCELLING_CLIENTS = 2;
  /** Small enough that the mixed clients' handles (up to 12 each, one in ten of 5 MiB) keep the store spilling. */
  private static final long MEMORY_BUDGET = 24L << 20;
  private static final int KEPT = 12;

  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong sessionSteps = new AtomicLong();

  @Test
  void clientsCancellationsAndASessionShareOneSpillingStoreForMinutes(BufferAllocator allocator, @TempDir Path spill)
      throws Exception {
    Duration length = Duration.ofMinutes(Long.getLong("quiver.soak.minutes"));
    try (HandleStore store = HandleStore.builder().memoryBudget(MEMORY_BUDGET).diskBudget(8L << 30)
             .spillDirectory(spill).build();
         QuiverServer server = QuiverServer.builder(store).port(0).start()) {
      long storeBaseline = store.allocator().getAllocatedMemory();
      long deadline = System.nanoTime() + length.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(MIXED_CLIENTS + CANCELLING_CLIENTS + 1);
      List<Future<?>> workers = new ArrayList<>();
      for (int c = 0; c < MIXED_CLIENTS; c++) {
        int seed = c;
        workers.add(pool.submit(() -> mixedClient(server, allocator, new Random(seed), deadline)));
      }
      for (int c = 0; c < CANCELLING_CLIENTS; c++) {
        int seed = 100 + c;
        workers.add(pool.submit(() -> cancellingClient(server, allocator, new Random(seed), deadline)));
      }
      workers.add(pool.submit(() -> sessionClient(server, store, allocator, new Random(200), deadline)));
      pool.shutdown();

      long nextReport = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        for (Future<?> f : workers) {
          if (f.isDone()) {
            f.get(); // a failed worker fails the run now, not at the end
          }
        }
        if (System.nanoTime() > nextReport) {
          report(store, server);
          nextReport += TimeUnit.MINUTES.toNanos(1);
        }
        assertTrue(System.nanoTime() < deadline + TimeUnit.MINUTES.toNanos(2), "the workers did not stop in time");
      }
      for (Future<?> f : workers) {
        f.get();
      }
      report(store, server);
      StoreStats stats = store.stats();
      assertTrue(stats.spills() > 0 && stats.reloads() > 0, "the store never spilled and reloaded: " + stats);
      assertTrue(cancelled.get() > 0, "no stream was cancelled");
      assertEquals(List.of(), store.handles(""), "every handle is deleted at the end");
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while ((server.allocator().getAllocatedMemory() != 0 || store.allocator().getAllocatedMemory() != storeBaseline)
          && System.nanoTime() < until) {
        Thread.sleep(10); // Netty frees the last written batches on its own threads
      }
      assertEquals(0, server.allocator().getAllocatedMemory(), "the server's memory after the run");
      assertEquals(storeBaseline, store.allocator().getAllocatedMemory(), "the store's memory after the run");
    }
  }

  private void report(HandleStore store, QuiverServer server) {
    StoreStats s = store.stats();
    System.out.printf("soak: %d calls, %d cancelled streams, %d session steps; store %d handles in memory (%d MiB),"
            + " %d on disk (%d MiB), %d spills, %d reloads; server memory %d MiB%n", calls.get(), cancelled.get(),
        sessionSteps.get(), s.handlesInMemory(), s.bytesInMemory() >> 20, s.handlesOnDisk(), s.bytesOnDisk() >> 20,
        s.spills(), s.reloads(), server.allocator().getAllocatedMemory() >> 20);
  }

  /** Put, get, delete, list and stats at random on handles of its own, every byte checked. */
  private Void mixedClient(QuiverServer server, BufferAllocator allocator, Random random, long deadline) {
    try (QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build()) {
      MixedCalls mixed = new MixedCalls(client, allocator, random, KEPT, 10);
      while (System.nanoTime() < deadline) {
        mixed.next();
        calls.incrementAndGet();
      }
      mixed.deleteAll();
    }
    return null;
  }

  /** DoGets of a several-batch tensor cancelled after the first batch; every fifth one is read whole. */
  private Void cancellingClient(QuiverServer server, BufferAllocator allocator, Random random, long deadline)
      throws Exception {
    try (QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build();
         FlightClient flight = FlightClient.builder(allocator, server.location()).build();
         Tensor large = RandomTensors.random(allocator, random, 1)) {
      String h = client.put(large);
      long crc = RandomTensors.crc(large);
      Ticket ticket = new Ticket(h.getBytes(StandardCharsets.UTF_8));
      for (int i = 0; System.nanoTime() < deadline; i++) {
        if (i % 5 == 4) {
          try (Tensor back = client.get(h)) {
            assertEquals(crc, RandomTensors.crc(back), h);
          }
        } else {
          FlightStream stream = flight.getStream(ticket);
          try {
            assertTrue(stream.next(), "the first batch of " + h);
            stream.cancel("soak: enough", null);
          } finally {
            stream.close();
          }
          cancelled.incrementAndGet();
        }
        calls.incrementAndGet();
      }
      client.delete(h);
    }
    return null;
  }

  /** Handles made by a session fetched over Flight, and handles uploaded over Flight read by the session. */
  private Void sessionClient(QuiverServer server, HandleStore store, BufferAllocator allocator, Random random,
      long deadline) {
    try (Graph graph = new Graph(allocator);
         Session session = new Session(graph, SessionConfig.builder().handleStore(store).build());
         QuiverClient client = QuiverClient.builder(server.location()).allocator(allocator).build()) {
      Ops tf = Ops.create(graph);
      Output x = tf.placeholder(DType.FLOAT32, Shape.of(-1));
      Output keep = tf.getSessionHandle(tf.math.multiply(x, tf.constant(2f)));
      SessionTensor uploaded = tf.getSessionTensor("", DType.FLOAT32);
      Output read = tf.identity(uploaded.tensor());
      while (System.nanoTime() < deadline) {
        float[] values = new float[1 + random.nextInt(random.nextInt(8) == 0 ? 2 << 20 : 4096)];
        float[] doubled = new float[values.length];
        for (int i = 0; i < values.length; i++) {
          values[i] = random.nextFloat();
          doubled[i] = values[i] * 2f;
        }
        TensorHandle h;
        try (Result r = session.run(keep, Map.of(x, values))) {
          h = r.handle();
        }
        try (Tensor fetched = client.get(h.handle())) {
          assertArrayEquals(doubled, fetched.toFloatArray(), h.handle());
        }
        h.delete();
        String up;
        try (Tensor t = Tensor.of(allocator, values)) {
          up = client.put(t);
        }
        try (Result r = session.run(read, Map.of(uploaded.placeholder(), up))) {
          assertArrayEquals(values, r.tensor().toFloatArray(), up);
        }
        client.delete(up);
        sessionSteps.incrementAndGet();
      }
    }
    return null;
  }
}
