package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorAssembler;
import dev.quiver.store.interchange.TensorBatches;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clients that cancel, vanish or stall, and servers that shut down mid-stream: nothing leaks, nothing hangs. */
@ExtendWith(LeakCheckedAllocator.class)
class ServerReliabilityTest {
  private static final int ROWS = 16 * 1024;
  private static final int COLS = 1024; // float32: 64 MiB, sixteen 4 MiB batches

  private HandleStore store;
  private QuiverServer server;
  private String handle;
  private long storedBytes;

  @BeforeEach
  void start(BufferAllocator allocator) throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).shutdownGracePeriod(Duration.ofMillis(200)).start();
    float[] values = new float[ROWS * COLS];
    for (int i = 0; i < values.length; i++) {
      values[i] = i;
    }
    try (Tensor t = Tensor.of(allocator, values, ROWS, COLS)) {
      handle = store.put(t);
    }
    storedBytes = store.allocator().getAllocatedMemory();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private FlightStream open(FlightClient client) {
    return client.getStream(new Ticket(handle.getBytes(StandardCharsets.UTF_8)));
  }

  /** Waits for a condition the server reaches on its own threads; fails after 10 s. */
  private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private void assertServesWhole(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         Tensor back = FlightTensors.get(client, allocator, handle);
         Tensor stored = store.get(handle)) {
      assertTrue(back.contentEquals(stored));
    }
  }

  @Test
  void aClientThatCancelsMidStreamLeaksNothingAndTheServerKeepsServing(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      FlightStream stream = open(client);
      assertTrue(stream.next());
      stream.cancel("enough", null);
      stream.close();
    }
    eventually("the cancelled stream is released", () -> server.activeStreams() == 0);
    eventually("the server's memory is back to zero", () -> server.allocator().getAllocatedMemory() == 0);
    assertEquals(storedBytes, store.allocator().getAllocatedMemory());
    assertServesWhole(allocator);
  }

  @Test
  void aClientProcessThatDiesMidStreamLeaksNothingAndTheServerKeepsServing(BufferAllocator allocator)
      throws Exception {
    // A real disconnect: a pyarrow client reads one batch and its process exits without closing anything.
    Python.Result r = Python.runSource(String.join("\n",
        "import os, sys, pyarrow.flight as flight",
        "reader = flight.connect(sys.argv[1]).do_get(flight.Ticket(sys.argv[2].encode()))",
        "reader.read_chunk()",
        "print('read one batch', flush=True)",
        "os._exit(0)"), 120, server.location().getUri().toString(), handle);
    assertEquals(0, r.exitCode(), r.output());
    eventually("the abandoned stream is released", () -> server.activeStreams() == 0);
    eventually("the server's memory is back to zero", () -> server.allocator().getAllocatedMemory() == 0);
    assertEquals(storedBytes, store.allocator().getAllocatedMemory());
    assertServesWhole(allocator);
  }

  @Test
  void aStalledClientHoldsTheStreamOpenWithoutTheServerCopyingTheTensor(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         FlightStream stream = open(client);
         TensorAssembler assembler = new TensorAssembler(allocator, stream.getSchema())) {
      assertTrue(stream.next());
      assembler.append(stream.getRoot());
      Thread.sleep(300); // the client reads nothing for a while
      // Backpressure: the server cannot have pushed 64 MiB into a stalled connection, so it is still sending,
      // and what it queued are references to the stored tensor, not copies.
      assertEquals(1, server.activeStreams());
      assertEquals(0, server.allocator().getAllocatedMemory());
      assertEquals(storedBytes, store.allocator().getAllocatedMemory());
      while (stream.next()) {
        assembler.append(stream.getRoot());
      }
      try (Tensor back = assembler.finish(); Tensor stored = store.get(handle)) {
        assertTrue(back.contentEquals(stored));
      }
    }
  }

  @Test
  void aStalledClientOfAStringTensorDoesNotMakeTheServerConvertItAhead(BufferAllocator allocator) throws Exception {
    // 32 Mi one-byte strings: 32 MiB of UTF-8 and 128 MiB of offsets. Every batch after the first is sent with
    // rebased offsets (docs/flight-protocol.md, "Copies"); made all at once they would add 128 MiB.
    int n = 32 << 20;
    String strings;
    try (BufferAllocator child = store.allocator().newChildAllocator("strings", 0, Long.MAX_VALUE)) {
      ArrowBuf offsets = child.buffer((n + 1L) * 4);
      ArrowBuf data = child.buffer(n);
      for (int i = 0; i <= n; i++) {
        offsets.setInt(i * 4L, i);
      }
      for (int i = 0; i < n; i++) {
        data.setByte(i, 'a' + i % 26);
      }
      try (Tensor t = Tensor.wrapStrings(Shape.of(n), offsets, data)) {
        strings = store.put(t);
      }
    }
    long stored = store.allocator().getAllocatedMemory();
    AtomicLong peak = new AtomicLong();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        peak.accumulateAndGet(store.allocator().getAllocatedMemory(), Math::max);
        LockSupport.parkNanos(200_000);
      }
    });
    sampler.start();
    long received = 0;
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         FlightStream stream = client.getStream(new Ticket(strings.getBytes(StandardCharsets.UTF_8)))) {
      assertTrue(stream.next());
      Thread.sleep(500); // the client reads nothing for a while; the server waits on backpressure
      assertEquals(1, server.activeStreams());
      do {
        VarCharVector column = (VarCharVector) stream.getRoot().getVector(0);
        for (int i = 0; i < column.getValueCount(); i += 997) {
          assertEquals(String.valueOf((char) ('a' + (received + i) % 26)), new String(column.get(i), StandardCharsets.UTF_8));
        }
        received += column.getValueCount();
      } while (stream.next());
    } finally {
      sampling.set(false);
      sampler.join();
    }
    assertEquals(n, received);
    // What backpressure lets gRPC queue (10 MiB per stream, 4 MiB per connection, the socket's buffers), not 128 MiB.
    long extra = peak.get() - stored;
    assertTrue(extra < 40L << 20, "the server held " + extra + " bytes beside the stored tensor");
    eventually("the stream is released", () -> server.activeStreams() == 0);
    assertEquals(stored, store.allocator().getAllocatedMemory());
  }

  @Test
  void shutdownEndsAStalledStreamCleanlyAndKeepsTheStore(BufferAllocator allocator) throws Exception {
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         FlightStream stream = open(client)) {
      assertTrue(stream.next());
      server.close(); // grace period 200 ms, then the stalled stream is aborted
      assertEquals(0, server.allocator().getAllocatedMemory());
      assertThrows(FlightRuntimeException.class, () -> {
        while (stream.next()) {
          // drain what was already in flight; the end is an error, not a complete tensor
        }
      });
    }
    assertTrue(store.contains(handle));
    assertEquals(storedBytes, store.allocator().getAllocatedMemory());
  }

  @Test
  void shutdownDuringAnUploadStoresNothingFreesEverythingAndDoesNotHang(BufferAllocator allocator) throws Exception {
    for (int round = 0; round < 5; round++) {
      QuiverServer uploading = QuiverServer.builder(store).port(0).shutdownGracePeriod(Duration.ofMillis(100 * round))
          .start();
      float[] values = new float[1 << 20];
      try (FlightClient client = FlightClient.builder(allocator, uploading.location()).build();
           Tensor t = Tensor.of(allocator, values, 1024, 1024);
           VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(t), allocator);
           SyncPutListener answers = new SyncPutListener()) {
        FlightClient.ClientStreamListener upload =
            client.startPut(FlightProtocol.uploadDescriptor(), root, answers);
        List<ArrowRecordBatch> batches = TensorBatches.of(t, 1 << 20); // four batches
        for (int i = 0; i < batches.size(); i++) {
          try (ArrowRecordBatch b = batches.get(i)) {
            if (i <= round % 4) { // one to four of them, then silence: the upload never ends
              TensorBatches.load(root, b);
              upload.putNext();
            }
          }
        }
        eventually("the server is receiving the upload", () -> uploading.allocator().getAllocatedMemory() > 0);
        long start = System.nanoTime();
        uploading.close(); // must neither hang on the upload nor call its buffers a leak
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // The grace period, then the stalled upload is ended at once (not after Flight's own 3 s wait).
        assertTrue(took.compareTo(Duration.ofMillis(100 * round + 2000)) < 0, "close took " + took);
        assertEquals(0, uploading.allocator().getAllocatedMemory());
        FlightRuntimeException e = assertThrows(FlightRuntimeException.class, upload::getResult, "not stored");
        assertEquals(FlightStatusCode.UNAVAILABLE, e.status().code(), e.toString());
      }
      assertEquals(List.of(handle), store.handles(""), "nothing of the upload is stored");
      assertEquals(storedBytes, store.allocator().getAllocatedMemory());
    }
  }

  @Test
  void shutdownLetsAStreamThatKeepsReadingFinish(BufferAllocator allocator) throws Exception {
    server.close();
    server = QuiverServer.builder(store).port(0).shutdownGracePeriod(Duration.ofSeconds(30)).start();
    try (FlightClient client = FlightClient.builder(allocator, server.location()).build();
         FlightStream stream = open(client);
         TensorAssembler assembler = new TensorAssembler(allocator, stream.getSchema())) {
      assertTrue(stream.next());
      assembler.append(stream.getRoot());
      Thread closer = new Thread(server::close);
      closer.start();
      while (stream.next()) {
        assembler.append(stream.getRoot());
      }
      closer.join();
      try (Tensor back = assembler.finish(); Tensor stored = store.get(handle)) {
        assertTrue(back.contentEquals(stored));
      }
    }
    assertEquals(0, server.allocator().getAllocatedMemory());
  }
}
