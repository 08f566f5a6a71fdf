package org.apache.arrow.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import dev.quiver.testing.LeakCheckedAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FlightDataMarshaller} reads what Flight's own marshaller writes, into the same messages Flight's own
 * parser makes, whether gRPC lends its buffers or only a stream; and it frames a sent batch over the batch's own
 * memory.
 */
@ExtendWith(LeakCheckedAllocator.class)
class FlightDataMarshallerTest {
  private static final int ROWS = 10_000;

  @Test
  void readsARecordBatchFromAStream(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, null);
    try (ArrowMessage parsed = new FlightDataMarshaller(allocator).parse(new ByteArrayInputStream(wire))) {
      assertSameBatch(allocator, wire, parsed);
    }
  }

  @Test
  void readsARecordBatchStraightFromGrpcBuffersSpreadOverManyPieces(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, null);
    try (ArrowMessage parsed = new FlightDataMarshaller(allocator).parse(grpcStream(wire, 1000))) {
      assertSameBatch(allocator, wire, parsed);
    }
  }

  @Test
  void keepsTheApplicationMetadata(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, new byte[] {7, 8, 9});
    try (ArrowMessage parsed = new FlightDataMarshaller(allocator).parse(grpcStream(wire, 64))) {
      ArrowBuf metadata = parsed.getApplicationMetadata();
      byte[] got = new byte[(int) metadata.readableBytes()];
      metadata.getBytes(0, got);
      assertArrayEquals(new byte[] {7, 8, 9}, got);
    }
  }

  @Test
  void readsTheSchemaAndDescriptorThatOpenAnUpload(BufferAllocator allocator) throws Exception {
    Schema schema;
    try (VectorSchemaRoot root = root(allocator)) {
      schema = root.getSchema();
    }
    Flight.FlightDescriptor descriptor = FlightDescriptor.path("tensors").toProtocol();
    byte[] wire;
    try (ArrowMessage first = new ArrowMessage(descriptor, schema, IpcOption.DEFAULT)) {
      wire = ArrowMessage.createMarshaller(allocator).stream(first).readAllBytes();
    }
    try (ArrowMessage parsed = new FlightDataMarshaller(allocator).parse(grpcStream(wire, 16))) {
      assertEquals(ArrowMessage.HeaderType.SCHEMA, parsed.getMessageType());
      assertEquals(schema, parsed.asSchema());
      assertEquals(descriptor, parsed.getDescriptor());
    }
  }

  @Test
  void skipsFieldsItDoesNotKnowAsProtobufDoes(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, null);
    ByteArrayOutputStream extended = new ByteArrayOutputStream();
    extended.write(new byte[] {(5 << 3) | 0, (byte) 0x96, 0x01}); // field 5, varint 150
    extended.write(new byte[] {(byte) 0x92, 0x01, 3, 1, 2, 3}); // field 18 (a two-byte tag), 3 bytes
    extended.write(new byte[] {(6 << 3) | 5, 0, 0, 0, 0}); // field 6, fixed32
    extended.write(new byte[] {(7 << 3) | 1, 0, 0, 0, 0, 0, 0, 0, 0}); // field 7, fixed64
    extended.write(wire);
    try (ArrowMessage parsed = new FlightDataMarshaller(allocator).parse(new ByteArrayInputStream(extended.toByteArray()))) {
      assertSameBatch(allocator, wire, parsed);
    }
  }

  @Test
  void aMessageCutShortFailsAndKeepsNoMemory(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, new byte[] {1});
    byte[] cut = java.util.Arrays.copyOf(wire, wire.length - 100); // inside the body
    FlightDataMarshaller marshaller = new FlightDataMarshaller(allocator);
    assertThrows(RuntimeException.class, () -> marshaller.parse(new ByteArrayInputStream(cut)));
    assertThrows(RuntimeException.class, () -> marshaller.parse(grpcStream(cut, 500)));
    assertEquals(0, allocator.getAllocatedMemory());
  }

  @Test
  void aStreamOfUnknownLengthIsParsedAndItsLyingLengthsReserveNothing(BufferAllocator allocator) throws Exception {
    byte[] wire = recordBatchOnTheWire(allocator, null);
    FlightDataMarshaller marshaller = new FlightDataMarshaller(allocator);
    try (ArrowMessage parsed = marshaller.parse(new java.io.FilterInputStream(new ByteArrayInputStream(wire)) {})) {
      assertSameBatch(allocator, wire, parsed);
    }
    // data_body (field 1000) declaring 2 GiB - 1 bytes, followed by 3: the stream cannot say how much is left.
    byte[] lie = {(byte) 0xc2, 0x3e, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3};
    long before = allocator.getPeakMemoryAllocation();
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> marshaller.parse(new java.io.FilterInputStream(new ByteArrayInputStream(lie)) {}));
    assertTrue(e.getMessage().contains("declares 2147483647 bytes but the message ended after 3"), e.getMessage());
    assertEquals(before, allocator.getPeakMemoryAllocation(), "nothing was reserved for the lie");
    assertEquals(0, allocator.getAllocatedMemory());
  }

  @Test
  void isAvailableForThisArrowVersion() {
    // Without it servers silently fall back to Flight's marshaller, which copies every DoPut body twice and
    // every DoGet batch once: a new Arrow version that breaks it must fail here, not only cost time.
    assertTrue(FlightDataMarshaller.isAvailable(), "FlightDataMarshaller cannot build messages with this Arrow");
  }

  @Test
  void aSentBatchIsFramedOverTheTensorsOwnMemory(BufferAllocator allocator) throws Exception {
    FlightDataMarshaller marshaller = new FlightDataMarshaller(allocator);
    try (Tensor tensor = Tensor.of(allocator, new float[64 * 256], 64, 256)) { // 64 KiB, in 16 KiB batches
      long start = tensor.dataBuffer().memoryAddress();
      long end = start + tensor.byteSize();
      long covered = start; // the tensor's bytes referenced so far, in order
      int batches = 0;
      for (ArrowRecordBatch batch : TensorBatches.of(tensor, 16 << 10)) {
        try (batch) {
          batch.getBuffers().forEach(b -> b.getReferenceManager().retain()); // the message releases its own
          try (ArrowMessage message = new ArrowMessage(batch, null, /* tryZeroCopy */ true, IpcOption.DEFAULT);
               InputStream framed = marshaller.stream(message)) {
            ByteBuf frame = FlightDataMarshaller.frameOf(framed);
            assertNotNull(frame, "framed by Flight, whose heap header makes Netty copy the batch");
            assertTrue(frame instanceof CompositeByteBuf, frame.getClass().getName());
            CompositeByteBuf parts = (CompositeByteBuf) frame;
            for (int i = 0; i < parts.numComponents(); i++) {
              ByteBuf part = parts.component(i);
              assertTrue(part.isDirect() && part.hasMemoryAddress(), "part " + i + " is direct memory");
              long at = part.memoryAddress() + part.readerIndex();
              if (at >= start && at < end) {
                assertEquals(covered, at, "batch " + batches + " references the next slice of the tensor");
                covered += part.readableBytes();
              }
            }
          }
        }
        batches++;
      }
      assertEquals(4, batches);
      assertEquals(end, covered, "every element byte went out as a reference to the tensor, none as a copy");
    }
  }

  /** A float column of {@link #ROWS} values, serialized by Flight's own marshaller. */
  private static byte[] recordBatchOnTheWire(BufferAllocator allocator, byte[] appMetadata) throws Exception {
    try (VectorSchemaRoot root = root(allocator);
         ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
      ArrowBuf metadata = null;
      if (appMetadata != null) {
        metadata = allocator.buffer(appMetadata.length);
        metadata.writeBytes(appMetadata);
      }
      batch.getBuffers().forEach(b -> b.getReferenceManager().retain()); // the message releases its own
      try (ArrowMessage message = new ArrowMessage(batch, metadata, false, IpcOption.DEFAULT)) {
        return ArrowMessage.createMarshaller(allocator).stream(message).readAllBytes();
      }
    }
  }

  private static VectorSchemaRoot root(BufferAllocator allocator) {
    Float4Vector values = new Float4Vector("tensor", allocator);
    values.allocateNew(ROWS);
    for (int i = 0; i < ROWS; i++) {
      values.set(i, i * 0.5f);
    }
    values.setValueCount(ROWS);
    return VectorSchemaRoot.of(values);
  }

  /** The bytes as gRPC hands a received message to a marshaller: a stream over direct buffers it lends. */
  private static InputStream grpcStream(byte[] wire, int piece) {
    CompositeReadableBuffer buffers = new CompositeReadableBuffer();
    for (int at = 0; at < wire.length; at += piece) {
      int n = Math.min(piece, wire.length - at);
      ByteBuffer direct = ByteBuffer.allocateDirect(n);
      direct.put(wire, at, n).flip();
      buffers.addBuffer(ReadableBuffers.wrap(direct));
    }
    return ReadableBuffers.openStream(buffers, true);
  }

  /** The parsed message carries the same batch as Flight's own parse of the same bytes. */
  private static void assertSameBatch(BufferAllocator allocator, byte[] wire, ArrowMessage parsed) throws Exception {
    assertEquals(ArrowMessage.HeaderType.RECORD_BATCH, parsed.getMessageType());
    try (ArrowMessage reference = ArrowMessage.createMarshaller(allocator).parse(new ByteArrayInputStream(wire));
         ArrowRecordBatch expected = reference.asRecordBatch();
         ArrowRecordBatch got = parsed.asRecordBatch()) {
      assertEquals(expected.getLength(), got.getLength());
      assertEquals(expected.getNodes().toString(), got.getNodes().toString());
      List<byte[]> want = contents(expected.getBuffers());
      List<byte[]> have = contents(got.getBuffers());
      assertEquals(want.size(), have.size());
      for (int i = 0; i < want.size(); i++) {
        assertArrayEquals(want.get(i), have.get(i), "buffer " + i);
      }
      assertTrue(have.get(have.size() - 1).length >= ROWS * 4, "the values buffer");
    }
  }

  private static List<byte[]> contents(List<ArrowBuf> buffers) {
    List<byte[]> out = new ArrayList<>();
    for (ArrowBuf b : buffers) {
      byte[] bytes = new byte[(int) b.readableBytes()];
      b.getBytes(0, bytes);
      out.add(bytes);
    }
    return out;
  }
}
