package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightServerMiddleware;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which calls leave gRPC's network thread ({@link BlockingCalls}): everything that may read or delete a file runs
 * on the server's pool, the rest answers on the calling thread. The producer is driven directly, with an
 * executor that records what it is given.
 */
@ExtendWith(LeakCheckedAllocator.class)
class NetworkThreadWorkTest {
  private final List<Runnable> pool = new ArrayList<>();
  private final Executor recording = pool::add;
  private HandleStore store;
  private BufferAllocator serverMemory;
  private StoreFlightProducer producer;

  @BeforeEach
  void start(@TempDir Path spill) {
    store = HandleStore.builder().memoryBudget(1 << 20).spillDirectory(spill).build();
    serverMemory = store.allocator().newChildAllocator("server", 0, Long.MAX_VALUE);
    producer = new StoreFlightProducer(store, serverMemory, 4 << 20, recording);
  }

  @AfterEach
  void stop() {
    assertEquals(0, serverMemory.getAllocatedMemory());
    serverMemory.close();
    store.close();
  }

  private String put(BufferAllocator allocator, int floats) {
    try (Tensor t = Tensor.of(allocator, new float[floats])) {
      return store.put(t);
    }
  }

  /** Runs what was sent to the pool, as the pool would. */
  private void drainPool() {
    List<Runnable> tasks = List.copyOf(pool);
    pool.clear();
    tasks.forEach(Runnable::run);
  }

  @Test
  void deleteAndStatsRunOnThePoolBecauseTheyRemoveSpillFiles(BufferAllocator allocator) {
    String handle = put(allocator, 4);
    Answers delete = new Answers();
    producer.doAction(CONTEXT, new Action("delete", handle.getBytes(StandardCharsets.UTF_8)), delete);
    assertEquals(1, pool.size(), "delete went to the pool");
    assertTrue(store.contains(handle), "nothing was deleted on the calling thread");
    drainPool();
    assertEquals(handle, delete.single());
    assertTrue(!store.contains(handle));

    Answers stats = new Answers();
    producer.doAction(CONTEXT, new Action("stats", new byte[0]), stats);
    assertEquals(1, pool.size(), "stats went to the pool");
    drainPool();
    assertTrue(stats.single().contains("\"deletes\":1"), stats.single());
  }

  @Test
  void healthAndListDevicesAnswerOnTheCallingThread() {
    for (String type : new String[] {"health", "list-devices"}) {
      Answers answers = new Answers();
      producer.doAction(CONTEXT, new Action(type, new byte[0]), answers);
      assertEquals(List.of(), pool, type);
      assertTrue(answers.completed, type);
    }
  }

  @Test
  void aSmallTensorInMemoryIsStreamedFromTheCallingThread(BufferAllocator allocator) {
    String handle = put(allocator, 16);
    Downloads listener = new Downloads();
    producer.getStream(CONTEXT, new Ticket(handle.getBytes(StandardCharsets.UTF_8)), listener);
    assertEquals(List.of(), pool);
    assertTrue(listener.started, "the stream started on the calling thread");
    listener.onCancel.run(); // the client goes away; the stream lets go of the tensor
  }

  @Test
  void aLargeTensorInMemoryIsStreamedFromTheCallingThreadToo(BufferAllocator allocator) {
    String large = put(allocator, 1 << 17); // 512 KiB: in memory, so nothing to read from disk
    assertTrue(store.info(large).inMemory());
    Downloads listener = new Downloads();
    producer.getStream(CONTEXT, new Ticket(large.getBytes(StandardCharsets.UTF_8)), listener);
    assertEquals(List.of(), pool);
    assertTrue(listener.started, "the stream started on the calling thread");
    listener.onCancel.run();
  }

  @Test
  void aSpilledTensorIsReadBackOnThePoolNeverOnTheCallingThread(BufferAllocator allocator) {
    String spilled = put(allocator, 16);
    put(allocator, 1 << 18); // 1 MiB: fills the memory budget, so the first one spills
    assertTrue(!store.info(spilled).inMemory());
    long reloads = store.stats().reloads();
    Downloads listener = new Downloads();
    producer.getStream(CONTEXT, new Ticket(spilled.getBytes(StandardCharsets.UTF_8)), listener);
    assertEquals(1, pool.size());
    assertTrue(!listener.started, "nothing was read on the calling thread");
    assertEquals(reloads, store.stats().reloads(), "the calling thread did not read the disk");
    drainPool();
    assertTrue(listener.started, "the pool streams it");
    assertEquals(reloads + 1, store.stats().reloads());
    listener.onCancel.run();
  }

  private static final FlightProducer.CallContext CONTEXT = new FlightProducer.CallContext() {
    @Override
    public String peerIdentity() {
      return "";
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public <T extends FlightServerMiddleware> T getMiddleware(FlightServerMiddleware.Key<T> key) {
      return null;
    }

    @Override
    public Map<FlightServerMiddleware.Key<?>, FlightServerMiddleware> getMiddleware() {
      return Map.of();
    }
  };

  /** Collects an action's results. */
  private static final class Answers implements FlightProducer.StreamListener<Result> {
    final List<String> bodies = new ArrayList<>();
    boolean completed;
    Throwable error;

    @Override
    public void onNext(Result r) {
      bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    String single() {
      assertEquals(null, error);
      assertTrue(completed);
      assertEquals(1, bodies.size());
      return bodies.get(0);
    }
  }

  /** A DoGet listener that is never ready, so the stream starts and then waits (holding the tensor). */
  private static final class Downloads implements FlightProducer.ServerStreamListener {
    boolean started;
    Runnable onCancel = () -> {};

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public boolean isReady() {
      return false;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void start(VectorSchemaRoot root, DictionaryProvider dictionaries, IpcOption option) {
      started = true;
    }

    @Override
    public void putNext() {}

    @Override
    public void putNext(ArrowBuf metadata) {}

    @Override
    public void putMetadata(ArrowBuf metadata) {}

    @Override
    public void error(Throwable t) {
      throw new AssertionError("the stream failed", t);
    }

    @Override
    public void completed() {}
  }
}
