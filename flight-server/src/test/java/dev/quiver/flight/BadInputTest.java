package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzzed and hostile input: every bad ticket or upload gets its documented status (docs/flight-protocol.md),
 * nothing partial is stored, the stored tensors stay intact, and the server's memory returns to zero.
 */
@ExtendWith(LeakCheckedAllocator.class)
class BadInputTest {
  private HandleStore store;
  private QuiverServer server;
  private String kept;

  @BeforeEach
  void start(BufferAllocator allocator) throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).start();
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      kept = store.put("kept", t);
    }
  }

  @AfterEach
  void stop(BufferAllocator allocator) throws Exception {
    assertEquals(List.of(kept), store.handles(""), "the store holds exactly what it held before");
    try (Tensor t = store.get(kept); Tensor expected = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      assertTrue(t.contentEquals(expected));
    }
    server.close();
    store.close();
  }

  private FlightClient client(BufferAllocator allocator) {
    return FlightClient.builder(allocator, server.location()).build();
  }

  private static FlightStatusCode codeOf(Runnable call) {
    return assertThrows(FlightRuntimeException.class, call::run).status().code();
  }

  @Test
  void randomTicketsAreInvalidArgumentOrNotFound(BufferAllocator allocator) throws Exception {
    Random random = new Random(42);
    try (FlightClient client = client(allocator)) {
      for (int i = 0; i < 200; i++) {
        byte[] ticket = new byte[random.nextInt(64)];
        random.nextBytes(ticket);
        if (i % 3 == 0) { // printable junk with the handle's separators, to reach the parser's later checks
          String s = "x;" + Long.toHexString(random.nextLong()) + ";" + (i % 2 == 0 ? "/device:CPU:0" : "");
          ticket = s.getBytes(StandardCharsets.UTF_8);
        }
        byte[] t = ticket;
        FlightStatusCode code = codeOf(() -> client.getStream(new Ticket(t)).next());
        assertTrue(code == FlightStatusCode.INVALID_ARGUMENT || code == FlightStatusCode.NOT_FOUND,
            "ticket " + new String(t, StandardCharsets.ISO_8859_1) + " got " + code);
      }
    }
  }

  @Test
  void aTicketThatIsNotUtf8IsInvalidArgument(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      assertEquals(FlightStatusCode.INVALID_ARGUMENT,
          codeOf(() -> client.getStream(new Ticket(new byte[] {(byte) 0xff, (byte) 0xfe})).next()));
    }
  }

  @Test
  void aHandleOfThisStoreThatWasDeletedIsNotFound(BufferAllocator allocator) throws Exception {
    String gone;
    try (Tensor t = Tensor.scalar(allocator, 1)) {
      gone = store.put(t);
    }
    store.delete(gone);
    try (FlightClient client = client(allocator)) {
      assertEquals(FlightStatusCode.NOT_FOUND,
          codeOf(() -> client.getStream(new Ticket(gone.getBytes(StandardCharsets.UTF_8))).next()));
    }
  }

  /** Uploads {@code rows} int32 values under {@code schema}, which may lie. Returns the error code. */
  private FlightStatusCode upload(BufferAllocator allocator, Schema schema, int rows, boolean finish) {
    try (FlightClient client = client(allocator);
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
         SyncPutListener answers = new SyncPutListener()) {
      FlightClient.ClientStreamListener put = client.startPut(FlightProtocol.uploadDescriptor(), root, answers);
      if (root.getVector(0) instanceof IntVector v) {
        for (int i = 0; i < rows; i++) {
          v.setSafe(i, i);
        }
      } else if (root.getVector(0) instanceof Float4Vector v) {
        for (int i = 0; i < rows; i++) {
          v.setSafe(i, i);
        }
      }
      root.setRowCount(rows);
      put.putNext();
      if (finish) {
        put.completed();
      } else {
        put.error(new RuntimeException("client gave up mid-upload"));
      }
      return assertThrows(FlightRuntimeException.class, put::getResult).status().code();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Schema lying(DType dtype, String shapeJson) {
    Schema honest = TensorSchema.of(dtype, Shape.of(4));
    Map<String, String> meta = new HashMap<>(honest.getCustomMetadata());
    meta.put(TensorSchema.SHAPE_KEY, shapeJson);
    return new Schema(honest.getFields(), meta);
  }

  @Test
  void aStreamThatIsNotATensorIsInvalidArgument(BufferAllocator allocator) {
    Schema plain = new Schema(List.of(org.apache.arrow.vector.types.pojo.Field.nullable("x",
        new org.apache.arrow.vector.types.pojo.ArrowType.Int(32, true))));
    assertEquals(FlightStatusCode.INVALID_ARGUMENT, upload(allocator, plain, 3, true));
  }

  @Test
  void metadataDeclaringFewerRowsThanSentIsInvalidArgument(BufferAllocator allocator) {
    assertEquals(FlightStatusCode.INVALID_ARGUMENT, upload(allocator, lying(DType.INT32, "[2]"), 5, true));
  }

  @Test
  void aTruncatedStreamIsInvalidArgument(BufferAllocator allocator) {
    assertEquals(FlightStatusCode.INVALID_ARGUMENT, upload(allocator, TensorSchema.of(DType.INT32, Shape.of(10)), 4,
        true));
  }

  @Test
  void metadataWhoseDtypeDisagreesWithTheColumnIsInvalidArgument(BufferAllocator allocator) {
    Schema honest = TensorSchema.of(DType.INT32, Shape.of(4));
    Map<String, String> meta = new HashMap<>(honest.getCustomMetadata());
    meta.put(TensorSchema.DTYPE_KEY, "float64");
    assertEquals(FlightStatusCode.INVALID_ARGUMENT, upload(allocator, new Schema(honest.getFields(), meta), 4, true));
  }

  @Test
  void aHugeDeclaredShapeIsInvalidArgumentWithoutAllocatingIt(BufferAllocator allocator) {
    // 2^40 int32 elements (4 TiB) are declared, 4 are sent: refused when the stream ends, having held 16 bytes.
    assertEquals(FlightStatusCode.INVALID_ARGUMENT, upload(allocator, lying(DType.INT32, "[1099511627776]"), 4, true));
    // A shape whose byte size overflows is refused from the schema alone.
    assertEquals(FlightStatusCode.INVALID_ARGUMENT,
        upload(allocator, lying(DType.INT32, "[4611686018427387904, 4]"), 4, true));
    assertTrue(server.allocator().getPeakMemoryAllocation() < 1 << 20, "peak " + server.allocator().getPeakMemoryAllocation());
  }

  @Test
  void anUploadTheClientAbortsStoresNothing(BufferAllocator allocator) throws Exception {
    upload(allocator, TensorSchema.of(DType.INT32, Shape.of(10)), 4, false); // the call fails; what matters is after
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (server.allocator().getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, server.allocator().getAllocatedMemory());
  }

  @Test
  void anUploadToAnotherDescriptorIsInvalidArgument(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator);
         Tensor t = Tensor.of(allocator, new int[] {1});
         VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(t), allocator);
         SyncPutListener answers = new SyncPutListener()) {
      FlightClient.ClientStreamListener put =
          client.startPut(org.apache.arrow.flight.FlightDescriptor.path("tables"), root, answers);
      put.completed();
      assertEquals(FlightStatusCode.INVALID_ARGUMENT,
          assertThrows(FlightRuntimeException.class, put::getResult).status().code());
    }
  }
}
