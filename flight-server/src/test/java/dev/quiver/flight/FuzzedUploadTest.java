package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.UploadMessages;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded random bad uploads, sent as raw FlightData messages: truncated streams, schemas that are not tensors,
 * metadata that lies about the shape or dtype, huge declared shapes. Each gets INVALID_ARGUMENT
 * (docs/flight-protocol.md, "Errors"), nothing is stored, the tensor stored before stays intact and the
 * server's memory returns to zero.
 */
@ExtendWith(LeakCheckedAllocator.class)
class FuzzedUploadTest {
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  /** DoPut with raw FlightData bytes both ways, so tests can send any bytes. */
  static final MethodDescriptor<byte[], byte[]> DO_PUT = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName("arrow.flight.protocol.FlightService/DoPut")
      .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  private static final String[] DTYPES =
      {"float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool", "string"};

  private HandleStore store;
  private QuiverServer server;
  private ManagedChannel channel;
  private String kept;

  @BeforeEach
  void start(BufferAllocator allocator) throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      kept = store.put("kept", t);
    }
  }

  @AfterEach
  void stop(BufferAllocator allocator) throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    assertEquals(List.of(kept), store.handles(""), "the store holds exactly what it held before");
    try (Tensor t = store.get(kept); Tensor expected = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      assertTrue(t.contentEquals(expected));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.allocator().getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, server.allocator().getAllocatedMemory(), "server memory after the bad uploads");
    server.close();
    store.close();
  }

  /** Sends {@code messages} as one DoPut and returns the call's final status code. */
  private Status.Code send(List<byte[]> messages) throws Exception {
    return sendForStatus(messages).getCode();
  }

  /** Sends {@code messages} as one DoPut and returns the call's final status. */
  private Status sendForStatus(List<byte[]> messages) throws Exception {
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(DO_PUT, CallOptions.DEFAULT);
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
      @Override
      public void onNext(byte[] answer) {}

      @Override
      public void onError(Throwable t) {
        done.complete(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        done.complete(Status.OK);
      }
    });
    for (byte[] m : messages) {
      requests.onNext(m);
    }
    requests.onCompleted();
    return done.get(30, TimeUnit.SECONDS);
  }

  private static Tensor sample(BufferAllocator allocator) {
    int[] values = new int[64 * 8];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 7 - 100;
    }
    return Tensor.of(allocator, values, 64, 8);
  }

  @Test
  void aStreamCutAtAnyByteIsInvalidArgument(BufferAllocator allocator) throws Exception {
    Random random = new Random(7);
    List<byte[]> whole;
    try (Tensor t = sample(allocator)) {
      whole = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(), TensorSchema.of(t), t, 512); // 4 batches
    }
    assertEquals(Status.Code.OK, send(whole), "the uncut stream is a valid upload");
    String stored = store.handles("Tensor").get(0);
    store.delete(stored);
    long total = whole.stream().mapToLong(m -> m.length).sum();
    for (int i = 0; i < 60; i++) {
      long cut = i == 0 ? 0 : 1 + (long) (random.nextDouble() * (total - 1)); // bytes kept, always < total
      List<byte[]> truncated = new ArrayList<>();
      long at = 0;
      for (byte[] m : whole) {
        if (at + m.length <= cut) {
          truncated.add(m);
        } else if (at < cut) {
          truncated.add(java.util.Arrays.copyOf(m, (int) (cut - at)));
        }
        at += m.length;
      }
      assertEquals(Status.Code.INVALID_ARGUMENT, send(truncated), "the stream cut after " + cut + " of " + total + " bytes");
    }
  }

  @Test
  void aSchemaThatIsNotATensorIsInvalidArgument(BufferAllocator allocator) throws Exception {
    Random random = new Random(11);
    for (int i = 0; i < 60; i++) {
      Schema honest = TensorSchema.of(DType.valueOf(pick(random, DTYPES).toUpperCase()), randomShape(random, 10));
      Schema mutated = mutate(random, honest);
      try (Tensor empty = Tensor.of(allocator, new float[0])) {
        // The schema message alone: the server judges the schema before reading any data.
        List<byte[]> messages = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(), mutated, empty, 1024);
        assertEquals(Status.Code.INVALID_ARGUMENT, send(messages.subList(0, 1)), mutated.toString());
      }
    }
  }

  /** A schema that differs from a tensor's in one way the interchange format forbids. */
  private static Schema mutate(Random random, Schema honest) {
    Field field = honest.getFields().get(0);
    Map<String, String> meta = new HashMap<>(honest.getCustomMetadata());
    switch (random.nextInt(7)) {
      case 0:
        meta.remove(pick(random, new String[] {TensorSchema.DTYPE_KEY, TensorSchema.SHAPE_KEY, "quiver:version"}));
        return new Schema(honest.getFields(), meta);
      case 1:
        meta.put("quiver:version", Integer.toString(2 + random.nextInt(100)));
        return new Schema(honest.getFields(), meta);
      case 2: // a second column
        List<Field> two = new ArrayList<>(honest.getFields());
        two.add(Field.notNullable("extra", new ArrowType.Int(32, true)));
        return new Schema(two, meta);
      case 3: // no column
        return new Schema(List.of(), meta);
      case 4: // a column of a type no dtype has
        ArrowType[] odd = {new ArrowType.Decimal(10, 2, 128), new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY),
            new ArrowType.FloatingPoint(FloatingPointPrecision.HALF), new ArrowType.Int(32, false), new ArrowType.Binary(),
            new ArrowType.Null()};
        return new Schema(List.of(new Field(field.getName(), FieldType.notNullable(pick(random, odd)), null)), meta);
      case 5: // an unknown dtype name
        meta.put(TensorSchema.DTYPE_KEY, pick(random, new String[] {"complex64", "float16", "", "INT32", "object", "int"}));
        return new Schema(honest.getFields(), meta);
      default: // a shape that is not a JSON array of dims
        meta.put(TensorSchema.SHAPE_KEY, pick(random, new String[] {"", "[", "{}", "[1.5]", "[\"2\"]", "[-2]", "[[1]]", "null",
            "[1,]", "[1] [2]", "[99999999999999999999]"}));
        return new Schema(honest.getFields(), meta);
    }
  }

  @Test
  void metadataThatLiesAboutShapeOrDtypeIsInvalidArgument(BufferAllocator allocator) throws Exception {
    Random random = new Random(13);
    try (Tensor t = sample(allocator)) { // int32 [64, 8]
      Schema honest = TensorSchema.of(t);
      for (int i = 0; i < 60; i++) {
        Map<String, String> meta = new HashMap<>(honest.getCustomMetadata());
        String lie;
        if (random.nextBoolean()) {
          Shape shape;
          do {
            shape = randomShape(random, 80);
          } while (shape.equals(t.shape()));
          lie = shape.toString();
          meta.put(TensorSchema.SHAPE_KEY, json(shape));
        } else {
          do {
            lie = pick(random, DTYPES);
          } while (lie.equals("int32"));
          meta.put(TensorSchema.DTYPE_KEY, lie);
        }
        List<byte[]> messages = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(),
            new Schema(honest.getFields(), meta), t, 1 + random.nextInt(4096));
        assertEquals(Status.Code.INVALID_ARGUMENT, send(messages), "metadata claiming " + lie);
      }
    }
  }

  @Test
  void aHugeDeclaredShapeIsInvalidArgumentWithoutAllocatingIt(BufferAllocator allocator) throws Exception {
    Random random = new Random(17);
    try (Tensor t = Tensor.of(allocator, new int[] {1, 2, 3, 4})) {
      Schema honest = TensorSchema.of(t);
      for (int i = 0; i < 60; i++) {
        long[] dims = new long[1 + random.nextInt(4)];
        for (int d = 0; d < dims.length; d++) {
          dims[d] = d == 0 || random.nextBoolean()
              ? (1L << (31 + random.nextInt(32))) + random.nextInt(1000) // 2^31 .. 2^62
              : 1 + random.nextInt(4);
        }
        Map<String, String> meta = new HashMap<>(honest.getCustomMetadata());
        meta.put(TensorSchema.SHAPE_KEY, json(Shape.of(dims)));
        List<byte[]> messages = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(),
            new Schema(honest.getFields(), meta), t, 1024);
        assertEquals(Status.Code.INVALID_ARGUMENT, send(messages), "declared shape " + Shape.of(dims));
      }
    }
    assertTrue(server.allocator().getPeakMemoryAllocation() < 1 << 20,
        "the server allocated " + server.allocator().getPeakMemoryAllocation() + " bytes at most");
  }

  @Test
  void anUploadWithoutADescriptorIsInvalidArgumentAndHoldsNoThread(BufferAllocator allocator) throws Exception {
    List<byte[]> messages;
    try (Tensor t = sample(allocator)) {
      messages = UploadMessages.of(allocator, null, TensorSchema.of(t), t, 1 << 20);
    }
    for (List<byte[]> upload : List.of(messages, messages.subList(0, 1))) {
      Status status = sendForStatus(upload);
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
      assertTrue(status.getDescription().contains("uploads go to the descriptor path [\"tensors\"], not no descriptor"),
          status.getDescription());
    }
    // Closing waits for upload threads (QuiverServer.UPLOAD_DRAIN); a thread stuck on the descriptor took 5 s.
    long start = System.nanoTime();
    server.close();
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "close waited for a stuck upload");
  }

  @Test
  void aTinyMessageDeclaringAHugeFieldIsRefusedWithoutReservingIt(BufferAllocator allocator) throws Exception {
    List<byte[]> whole;
    try (Tensor t = sample(allocator)) {
      whole = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(), TensorSchema.of(t), t, 1 << 20);
    }
    // Each field number of FlightData (descriptor, data_header, app_metadata, data_body) declaring 2 GiB - 1
    // bytes in a message of a few bytes, after the schema and alone.
    for (int field : new int[] {1, 2, 3, 1000}) {
      byte[] lie = concat(varint((field << 3) | 2), varint(Integer.MAX_VALUE), new byte[] {1, 2, 3});
      for (List<byte[]> upload : List.of(List.of(whole.get(0), lie), List.of(lie))) {
        Status status = sendForStatus(upload);
        assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), "field " + field);
        assertTrue(status.getDescription().contains("declares 2147483647 bytes but only 3 are left"),
            status.getDescription());
      }
    }
    assertTrue(server.allocator().getPeakMemoryAllocation() < 1 << 20,
        "the server allocated " + server.allocator().getPeakMemoryAllocation() + " bytes at most");
  }

  @Test
  void lengthFieldsThatLieAreInvalidArgument(BufferAllocator allocator) throws Exception {
    Random random = new Random(19);
    List<byte[]> whole;
    try (Tensor t = sample(allocator)) {
      whole = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(), TensorSchema.of(t), t, 1024); // 2 batches
    }
    for (int i = 0; i < 80; i++) {
      int m = random.nextInt(whole.size());
      List<byte[]> fields = UploadMessages.fields(whole.get(m));
      int f = random.nextInt(fields.size());
      byte[] content = UploadMessages.content(fields.get(f));
      long left = fields.subList(f + 1, fields.size()).stream().mapToLong(b -> b.length).sum() + content.length;
      long declared;
      switch (random.nextInt(4)) {
        case 0 -> declared = left + 1 + random.nextInt(1000); // just past the end
        case 1 -> declared = left + 1 + (long) (random.nextDouble() * (Integer.MAX_VALUE - left - 1)); // up to 2 GiB
        case 2 -> declared = (1L << 31) + (long) (random.nextDouble() * (1L << 40)); // more than an int
        default -> declared = content.length == 0 ? left + 1 : random.nextInt(content.length); // shorter
      }
      List<byte[]> lied = new ArrayList<>(fields);
      lied.set(f, concat(varint(UploadMessages.tag(fields.get(f))), varint(declared), content));
      List<byte[]> upload = new ArrayList<>(whole);
      upload.set(m, concat(lied.toArray(new byte[0][])));
      String what = "message " + m + ", field " + UploadMessages.tag(fields.get(f)) + " of " + content.length
          + " bytes declared as " + declared;
      assertEquals(Status.Code.INVALID_ARGUMENT, send(upload), what);
    }
    assertTrue(server.allocator().getPeakMemoryAllocation() < 1 << 20,
        "the server allocated " + server.allocator().getPeakMemoryAllocation() + " bytes at most");
  }

  private static byte[] varint(long value) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static Shape randomShape(Random random, int maxDim) {
    long[] dims = new long[random.nextInt(5)];
    for (int d = 0; d < dims.length; d++) {
      dims[d] = random.nextInt(maxDim + 1);
    }
    return Shape.of(dims);
  }

  private static String json(Shape shape) {
    StringBuilder s = new StringBuilder("[");
    for (int d = 0; d < shape.rank(); d++) {
      s.append(d == 0 ? "" : ",").append(shape.dim(d));
    }
    return s.append(']').toString();
  }

  private static <T> T pick(Random random, T[] choices) {
    return choices[random.nextInt(choices.length)];
  }
}
