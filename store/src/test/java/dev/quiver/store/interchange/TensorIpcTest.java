package dev.quiver.store.interchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageChannelReader;
import org.apache.arrow.vector.ipc.message.MessageResult;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LeakCheckedAllocator.class)
class TensorIpcTest {

  static Stream<Object[]> everyDtypeAndShape() {
    return Samples.everyDtypeAndShape().stream();
  }

  private static byte[] streamBytes(Tensor t, long maxBatchBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TensorIpc.writeStream(t, out, maxBatchBytes);
    return out.toByteArray();
  }

  private static void assertSameTensor(Tensor expected, Tensor actual) {
    Samples.assertSameTensor(expected, actual);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyDtypeAndShape")
  void streamRoundTripRebuildsTheExactTensor(DType dtype, Shape shape, BufferAllocator allocator) throws IOException {
    try (Tensor t = Samples.sample(allocator, dtype, shape)) {
      byte[] bytes = streamBytes(t, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
      try (Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(bytes))) {
        assertSameTensor(t, back);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyDtypeAndShape")
  void fileRoundTripRebuildsTheExactTensor(DType dtype, Shape shape, BufferAllocator allocator, @TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("t.arrow");
    try (Tensor t = Samples.sample(allocator, dtype, shape)) {
      TensorIpc.writeFile(t, file);
      try (Tensor back = TensorIpc.readFile(allocator, file)) {
        assertSameTensor(t, back);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void multiBatchStreamsReassembleExactly(DType dtype, BufferAllocator allocator) throws IOException {
    for (Shape shape : List.of(Shape.of(7, 3), Shape.of(11), Shape.of(5, 2, 2))) {
      try (Tensor t = Samples.sample(allocator, dtype, shape)) {
        List<ArrowRecordBatch> batches = TensorBatches.of(t, 4);
        try {
          assertTrue(batches.size() > 1, "a 4-byte bound must cut " + shape + " into several batches");
        } finally {
          batches.forEach(ArrowRecordBatch::close);
        }
        try (Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(streamBytes(t, 4)))) {
          assertSameTensor(t, back);
        }
      }
    }
  }

  @Test
  void multiBatchFilesReassembleExactly(BufferAllocator allocator, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.arrow");
    try (Tensor t = Samples.sample(allocator, DType.STRING, Shape.of(9, 2))) {
      TensorIpc.writeFile(t, file, 8);
      try (Tensor back = TensorIpc.readFile(allocator, file)) {
        assertSameTensor(t, back);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void writtenBatchesOmitValidityBitmaps(DType dtype, BufferAllocator allocator, @TempDir Path dir)
      throws IOException {
    for (Shape shape : List.of(Shape.of(11), Shape.of(7, 3))) {
      try (Tensor t = Samples.sample(allocator, dtype, shape)) {
        Path file = dir.resolve("t.arrow");
        TensorIpc.writeFile(t, file, 8);
        byte[] fileBytes = Files.readAllBytes(file);
        byte[] magic = "ARROW1\0\0".getBytes(StandardCharsets.US_ASCII); // then the stream format
        assertArrayEquals(magic, Arrays.copyOf(fileBytes, magic.length));
        byte[] inFile = Arrays.copyOfRange(fileBytes, magic.length, fileBytes.length);
        for (byte[] bytes : List.of(streamBytes(t, 8), inFile)) {
          List<RecordBatch> batches = recordBatches(allocator, bytes);
          assertTrue(batches.size() > 1, dtype + " " + shape + ": several batches");
          for (RecordBatch b : batches) {
            // Validity comes first: of the column, and for a tensor column of rank >= 2 also of its elements.
            int validity = shape.rank() >= 2 ? 2 : 1;
            for (int i = 0; i < b.nodesLength(); i++) {
              assertEquals(0, b.nodes(i).nullCount());
            }
            for (int i = 0; i < validity; i++) {
              assertEquals(0, b.buffers(i).length(), dtype + " " + shape + ": validity buffer " + i);
            }
          }
        }
      }
    }
  }

  /** The record batch headers of a stream, read message by message without loading any vector. */
  private static List<RecordBatch> recordBatches(BufferAllocator allocator, byte[] stream) throws IOException {
    List<RecordBatch> headers = new ArrayList<>();
    try (MessageChannelReader reader = new MessageChannelReader(
        new ReadChannel(Channels.newChannel(new ByteArrayInputStream(stream))), allocator)) {
      for (MessageResult m = reader.readNext(); m != null; m = reader.readNext()) {
        if (m.getMessage().headerType() == MessageHeader.RecordBatch) {
          headers.add((RecordBatch) m.getMessage().header(new RecordBatch()));
        }
        if (m.getBodyBuffer() != null) {
          m.getBodyBuffer().close();
        }
      }
    }
    return headers;
  }

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"BOOL", "STRING"}, mode = EnumSource.Mode.EXCLUDE)
  void writingAFixedWidthTensorAllocatesNothing(DType dtype, BufferAllocator allocator, @TempDir Path dir)
      throws IOException {
    try (BufferAllocator own = allocator.newChildAllocator("tensor", 0, Long.MAX_VALUE);
        Tensor t = Samples.sample(own, dtype, Shape.of(40, 3))) {
      long peak = own.getPeakMemoryAllocation();
      streamBytes(t, 16);
      TensorIpc.writeFile(t, dir.resolve("t.arrow"), 16);
      assertEquals(peak, own.getPeakMemoryAllocation(), "batches are slices of the tensor, sent as they are");
    }
  }

  /** Sizes of the allocations made from an allocator, in order. */
  private static final class Allocations implements AllocationListener {
    final List<Long> sizes = new ArrayList<>();

    @Override
    public synchronized void onAllocation(long size) {
      sizes.add(size);
    }
  }

  @Test
  void aManyBatchStreamIsGatheredOnce(BufferAllocator allocator) throws IOException {
    Shape shape = Shape.of(64, 1024); // 256 KiB of float32, sent in 16 batches of 16 KiB
    long batchBytes = 16 << 10;
    byte[] bytes;
    try (Tensor t = Samples.sample(allocator, DType.FLOAT32, shape)) {
      bytes = streamBytes(t, batchBytes);
    }
    Allocations allocations = new Allocations();
    try (BufferAllocator counting = allocator.newChildAllocator("counting", allocations, 0, Long.MAX_VALUE)) {
      try (Tensor back = TensorIpc.readStream(counting, new ByteArrayInputStream(bytes));
          Tensor expected = Samples.sample(allocator, DType.FLOAT32, shape)) {
        assertSameTensor(expected, back);
      }
      long tensorBytes = Tensor.byteSizeOf(DType.FLOAT32, shape);
      // One allocation of the tensor's size (the gather); every other is a received batch's body (its elements and
      // the validity bitmaps Arrow's writer adds, rounded up to a power of two by the allocator).
      assertEquals(1, allocations.sizes.stream().filter(s -> s >= tensorBytes).count(), allocations.sizes.toString());
      assertTrue(allocations.sizes.contains(tensorBytes), allocations.sizes.toString());
      List<Long> others = allocations.sizes.stream().filter(s -> s < tensorBytes).toList();
      long bodyBound = counting.getRoundingPolicy().getRoundedSize(batchBytes + batchBytes / 8 + 64);
      assertTrue(others.stream().allMatch(s -> s <= bodyBound), others.toString());
      assertEquals(16, others.stream().filter(s -> s >= batchBytes).count(), "one body per batch: " + others);
    }
  }

  /** The fixed-width dtypes, whose files are read straight into the tensor's buffer. */
  static Stream<DType> directlyReadDtypes() {
    return Stream.of(DType.values()).filter(d -> d.isFixedWidth() && d != DType.BOOL);
  }

  @ParameterizedTest
  @MethodSource("directlyReadDtypes")
  void aFileOfOneOrManyBatchesIsReadStraightIntoOneBufferBitIdentical(DType dtype, BufferAllocator allocator,
      @TempDir Path dir) throws IOException {
    for (Shape shape : List.of(Shape.of(33, 7), Shape.of(2, 3, 5, 4), Shape.of(129), Shape.scalar(), Shape.of(3, 0, 2),
        Shape.of(0, 4))) {
      for (long batchBytes : new long[] {24, TensorBatches.DEFAULT_MAX_BATCH_BYTES}) { // many batches, one batch
        Path file = dir.resolve("t.arrow");
        try (Tensor t = Samples.sample(allocator, dtype, shape)) {
          TensorIpc.writeFile(t, file, batchBytes);
          Allocations allocations = new Allocations();
          try (BufferAllocator counting = allocator.newChildAllocator("counting", allocations, 0, Long.MAX_VALUE)) {
            try (Tensor back = TensorIpc.readFile(counting, file)) {
              assertSameTensor(t, back);
              assertTrue(Samples.sameBytes(t, back), dtype + " " + shape + " bit for bit");
            }
            long bytes = Tensor.byteSizeOf(dtype, shape);
            assertEquals(bytes == 0 ? List.of() : List.of(counting.getRoundingPolicy().getRoundedSize(bytes)),
                allocations.sizes, dtype + " " + shape + " in batches of " + batchBytes + ": the tensor's own buffer only");
          }
        }
      }
    }
  }

  @Test
  void batchesHoldWholeRowsWithinTheByteBound(BufferAllocator allocator) {
    // 10 rows of 4 float32 = 16 bytes each; 48 bytes hold 3 rows.
    try (Tensor t = Samples.sample(allocator, DType.FLOAT32, Shape.of(10, 4))) {
      List<ArrowRecordBatch> batches = TensorBatches.of(t, 48);
      try {
        assertEquals(List.of(3, 3, 3, 1), batches.stream().map(ArrowRecordBatch::getLength).toList());
      } finally {
        batches.forEach(ArrowRecordBatch::close);
      }
    }
  }

  @Test
  void aRowLargerThanTheBoundIsABatchOfItsOwn(BufferAllocator allocator) {
    try (Tensor t = Samples.sample(allocator, DType.INT64, Shape.of(3, 5))) {
      List<ArrowRecordBatch> batches = TensorBatches.of(t, 1);
      try {
        assertEquals(List.of(1, 1, 1), batches.stream().map(ArrowRecordBatch::getLength).toList());
      } finally {
        batches.forEach(ArrowRecordBatch::close);
      }
    }
  }

  @Test
  void batchesAreRetainedSlicesOfTheTensorsMemory(BufferAllocator allocator) {
    Tensor t = Samples.sample(allocator, DType.INT32, Shape.of(6, 2));
    long address = t.address();
    long before = allocator.getAllocatedMemory();
    List<ArrowRecordBatch> batches = TensorBatches.of(t, 16); // 2 rows of 8 bytes per batch
    try {
      assertEquals(before, allocator.getAllocatedMemory(), "cutting batches must not allocate");
      for (int b = 0; b < batches.size(); b++) {
        // buffers: list validity, element validity, element data
        assertEquals(address + b * 16L, batches.get(b).getBuffers().get(2).memoryAddress());
      }
      t.close(); // the batches keep the memory alive
      assertEquals(before, allocator.getAllocatedMemory());
      int element8 = (int) ((8 * 1000003L % (1L << 32)) - (1L << 31)); // Samples' int32 formula
      assertEquals(element8, batches.get(2).getBuffers().get(2).getInt(0), "batch 2 starts at row 4");
    } finally {
      batches.forEach(ArrowRecordBatch::close);
    }
    assertEquals(0, allocator.getAllocatedMemory());
  }

  @Test
  void oneBatchReadKeepsTheReceivedBufferAsTheTensorsMemory(BufferAllocator allocator) throws IOException {
    byte[] bytes;
    try (Tensor t = Samples.sample(allocator, DType.FLOAT64, Shape.of(4, 3))) {
      bytes = streamBytes(t, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
    }
    Tensor read;
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator);
        TensorAssembler assembler = new TensorAssembler(allocator, reader.getVectorSchemaRoot().getSchema())) {
      assertTrue(reader.loadNextBatch());
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      FieldVector column = root.getVector(0);
      assertInstanceOf(FixedShapeTensorVector.class, column, "the registered extension type makes the vector");
      long received = ((FixedShapeTensorVector) column).getUnderlyingVector().getDataVector().getDataBufferAddress();
      assembler.append(root);
      long allocatedBeforeFinish = allocator.getAllocatedMemory();
      read = assembler.finish();
      assertEquals(received, read.address(), "the tensor's memory is the received buffer");
      assertEquals(allocatedBeforeFinish, allocator.getAllocatedMemory(), "finish() allocates nothing");
    }
    try (read; Tensor expected = Samples.sample(allocator, DType.FLOAT64, Shape.of(4, 3))) {
      assertSameTensor(expected, read);
    }
  }

  @Test
  void oneBatchStringReadKeepsTheReceivedBuffers(BufferAllocator allocator) throws IOException {
    byte[] bytes;
    try (Tensor t = Samples.sample(allocator, DType.STRING, Shape.of(6))) {
      bytes = streamBytes(t, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
    }
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator);
        TensorAssembler assembler = new TensorAssembler(allocator, reader.getVectorSchemaRoot().getSchema())) {
      assertTrue(reader.loadNextBatch());
      FieldVector column = reader.getVectorSchemaRoot().getVector(0);
      long data = column.getDataBufferAddress();
      long offsets = column.getOffsetBufferAddress();
      assembler.append(reader.getVectorSchemaRoot());
      try (Tensor read = assembler.finish()) {
        assertEquals(data, read.address());
        assertEquals(offsets, read.offsetBuffer().memoryAddress());
        assertEquals("é1x", read.getString(1));
      }
    }
  }

  @Test
  void readTensorOutlivesTheReaderAndIsAccountedToTheCallersAllocator(BufferAllocator allocator) throws IOException {
    byte[] bytes;
    try (Tensor t = Samples.sample(allocator, DType.INT16, Shape.of(2, 2))) {
      bytes = streamBytes(t, TensorBatches.DEFAULT_MAX_BATCH_BYTES);
    }
    try (BufferAllocator readerAllocator = allocator.newChildAllocator("reader", 0, Long.MAX_VALUE);
        BufferAllocator mine = allocator.newChildAllocator("mine", 0, Long.MAX_VALUE)) {
      Tensor read;
      try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), readerAllocator);
          TensorAssembler assembler = new TensorAssembler(mine, reader.getVectorSchemaRoot().getSchema())) {
        assertTrue(reader.loadNextBatch());
        assembler.append(reader.getVectorSchemaRoot());
        read = assembler.finish();
      }
      try (read) {
        assertEquals(0, readerAllocator.getAllocatedMemory(), "the reader's allocator can close");
        assertTrue(mine.getAllocatedMemory() > 0, "the tensor's memory moved to the assembler's allocator");
        assertEquals(-32768 + 331 * 3, read.getShort(3));
      }
    }
  }

  @Test
  void aRootLoadedBatchByBatchReassemblesLikeAFlightStream(BufferAllocator allocator) {
    try (Tensor t = Samples.sample(allocator, DType.UINT8, Shape.of(9, 2, 2));
        VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(t), allocator);
        TensorAssembler assembler = new TensorAssembler(allocator, root.getSchema())) {
      List<ArrowRecordBatch> batches = TensorBatches.of(t, 8);
      try {
        for (ArrowRecordBatch b : batches) {
          TensorBatches.load(root, b);
          assembler.append(root);
        }
      } finally {
        batches.forEach(ArrowRecordBatch::close);
      }
      try (Tensor back = assembler.finish()) {
        assertSameTensor(t, back);
      }
    }
  }

  @Test
  void aSlicedStringTensorIsWrittenWithRebasedOffsets(BufferAllocator allocator) throws IOException {
    try (Tensor all = Samples.sample(allocator, DType.STRING, Shape.of(6, 2));
        Tensor tail = all.slice(2, 6);
        Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(streamBytes(tail, 1 << 20)))) {
      assertSameTensor(tail, back);
      assertEquals(0, back.offsetBuffer().getInt(0), "a reader sees offsets from 0");
    }
  }

  @Test
  void aSlicedFixedWidthTensorIsWrittenFromItsOwnRows(BufferAllocator allocator) throws IOException {
    try (Tensor all = Samples.sample(allocator, DType.INT16, Shape.of(6, 3));
        Tensor tail = all.slice(1, 4);
        Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(streamBytes(tail, 6)))) {
      assertSameTensor(tail, back);
    }
  }

  @Test
  void boolBatchesPackBitsFromUnalignedRows(BufferAllocator allocator) throws IOException {
    // Rows of 9 bools starting at odd element offsets: packing reads 8-byte words at unaligned positions.
    try (Tensor all = Samples.sample(allocator, DType.BOOL, Shape.of(10, 9));
        Tensor tail = all.slice(1, 10);
        Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(streamBytes(tail, 18)))) {
      assertSameTensor(tail, back);
    }
  }

  @Test
  void readingLeavesTheCallersStreamOpenAndUnread(BufferAllocator allocator) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Tensor a = Samples.sample(allocator, DType.INT32, Shape.of(2, 2));
        Tensor b = Samples.sample(allocator, DType.STRING, Shape.of(3))) {
      TensorIpc.writeStream(a, out);
      TensorIpc.writeStream(b, out);
      ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
      try (Tensor a2 = TensorIpc.readStream(allocator, in); Tensor b2 = TensorIpc.readStream(allocator, in)) {
        assertSameTensor(a, a2);
        assertSameTensor(b, b2);
      }
    }
  }

  @Test
  void aColumnParsedBeforeTheTypeWasRegisteredStillAssembles(BufferAllocator allocator) {
    // What a schema parser that ran before registration leaves: the storage type with the extension metadata.
    try (Tensor t = Samples.sample(allocator, DType.FLOAT32, Shape.of(3, 2, 2))) {
      Schema registered = TensorSchema.of(t);
      Field c = registered.getFields().get(0);
      Map<String, String> ext = Map.of(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_NAME,
          FixedShapeTensorType.EXTENSION_NAME, ArrowType.ExtensionType.EXTENSION_METADATA_KEY_METADATA,
          ((FixedShapeTensorType) c.getType()).serialize());
      Field bare = new Field(c.getName(), new FieldType(false, new ArrowType.FixedSizeList(4), null, ext),
          c.getChildren());
      Schema schema = new Schema(List.of(bare), registered.getCustomMetadata());
      assertEquals(new TensorSchema.Spec(DType.FLOAT32, Shape.of(3, 2, 2)), TensorSchema.describe(schema));
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
          TensorAssembler assembler = new TensorAssembler(allocator, schema)) {
        List<ArrowRecordBatch> batches = TensorBatches.of(t);
        try {
          TensorBatches.load(root, batches.get(0));
        } finally {
          batches.forEach(ArrowRecordBatch::close);
        }
        assembler.append(root);
        try (Tensor back = assembler.finish()) {
          assertSameTensor(t, back);
        }
      }
    }
  }

  @Test
  void theExtensionTypeSerializesAsTheCanonicalJson() {
    FixedShapeTensorType type = FixedShapeTensorType.of(Shape.of(2, 0, 3));
    assertEquals("{\"shape\":[2,0,3]}", type.serialize());
    assertEquals(0, type.listSize());
    assertEquals(type, type.deserialize(type.storageType(), type.serialize()));
    FixedShapeTensorType named = FixedShapeTensorType.parse(new ArrowType.FixedSizeList(6),
        "{\"shape\":[2,3],\"dim_names\":[\"H\",\"W\"],\"permutation\":[0,1]}");
    assertEquals(List.of("H", "W"), named.dimNames());
    assertTrue(named.isRowMajor());
    assertEquals(named, named.deserialize(named.storageType(), named.serialize()));
  }

  @Test
  void manyThreadsWriteAndReadOneTensorAtOnce(BufferAllocator allocator) throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Tensor t = Samples.sample(allocator, DType.STRING, Shape.of(40, 3))) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 20; round++) {
            byte[] bytes = streamBytes(t, 64);
            try (Tensor back = TensorIpc.readStream(allocator, new ByteArrayInputStream(bytes))) {
              assertSameTensor(t, back);
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get(60, TimeUnit.SECONDS));
      }
      assertEquals(1, t.refCount(), "every batch let go of the shared memory");
    } finally {
      pool.shutdownNow();
    }
  }
}
