package dev.quiver.store.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Streams that are not a tensor's: each fails with InvalidArgumentException naming the fault, and nothing leaks. */
@ExtendWith(LeakCheckedAllocator.class)
class TensorStreamBadInputTest {

  // ---------------------------------------------------------------------------------------------
  // Helpers that write streams the tensor writer never would.

  /** A stream of {@code schema} carrying {@code batches} (closed here). */
  private static byte[] stream(BufferAllocator allocator, Schema schema, List<ArrowRecordBatch> batches)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      writer.start();
      for (ArrowRecordBatch b : batches) {
        TensorBatches.load(root, b);
        writer.writeBatch();
      }
      writer.end();
    } finally {
      batches.forEach(ArrowRecordBatch::close);
    }
    return out.toByteArray();
  }

  /** The stream of a sample tensor, with its schema changed by {@code edit}. */
  private static byte[] editedStream(BufferAllocator allocator, DType dtype, Shape shape,
      java.util.function.UnaryOperator<Schema> edit) throws IOException {
    try (Tensor t = Samples.sample(allocator, dtype, shape)) {
      return stream(allocator, edit.apply(TensorSchema.of(t)), TensorBatches.of(t, TensorBatches.DEFAULT_MAX_BATCH_BYTES));
    }
  }

  /** {@code schema} with metadata entries replaced (a null value removes the key). */
  private static Schema withMetadata(Schema schema, String... keyValues) {
    Map<String, String> meta = new HashMap<>(schema.getCustomMetadata());
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i + 1] == null) {
        meta.remove(keyValues[i]);
      } else {
        meta.put(keyValues[i], keyValues[i + 1]);
      }
    }
    return new Schema(schema.getFields(), meta);
  }

  /** {@code schema} with its column's type replaced, keeping children and metadata. */
  private static Schema withColumnType(Schema schema, ArrowType type, Map<String, String> fieldMetadata) {
    Field c = schema.getFields().get(0);
    Field replaced = new Field(c.getName(), new FieldType(false, type, null, fieldMetadata), c.getChildren());
    return new Schema(List.of(replaced), schema.getCustomMetadata());
  }

  private static InvalidArgumentException readFails(BufferAllocator allocator, byte[] bytes, String... fragments) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> TensorIpc.readStream(allocator, new ByteArrayInputStream(bytes)).close());
    assertTrue(e.getMessage().startsWith("not a tensor stream: "), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "'" + e.getMessage() + "' should mention '" + f + "'");
    }
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // Schema and metadata

  @Test
  void twoColumnsAreNotATensor(BufferAllocator allocator) throws IOException {
    Field a = Field.notNullable("a", new ArrowType.Int(32, true));
    Field b = Field.notNullable("b", new ArrowType.Int(32, true));
    Schema schema = new Schema(List.of(a, b), Map.of(TensorSchema.DTYPE_KEY, "int32", TensorSchema.SHAPE_KEY, "[2]"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      for (int c = 0; c < 2; c++) {
        IntVector v = (IntVector) root.getVector(c);
        v.allocateNew(2);
        v.set(0, 1);
        v.set(1, 2);
      }
      root.setRowCount(2);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    readFails(allocator, out.toByteArray(), "2 columns");
  }

  @Test
  void aColumnOfAnotherTypeThanTheDeclaredDtypeIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT32, Shape.of(3), s -> withMetadata(s, TensorSchema.DTYPE_KEY, "float32"));
    readFails(allocator, bytes, "float32", "Int(32, true)");
  }

  @Test
  void aRankTwoShapeOverAPlainColumnIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT32, Shape.of(4), s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[2,2]"));
    readFails(allocator, bytes, "rank-2", FixedShapeTensorType.EXTENSION_NAME);
  }

  @Test
  void missingDtypeIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT8, Shape.of(3), s -> withMetadata(s, TensorSchema.DTYPE_KEY, null));
    readFails(allocator, bytes, "no '" + TensorSchema.DTYPE_KEY + "'");
  }

  @Test
  void missingShapeIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT8, Shape.of(3), s -> withMetadata(s, TensorSchema.SHAPE_KEY, null));
    readFails(allocator, bytes, "no '" + TensorSchema.SHAPE_KEY + "'");
  }

  @Test
  void anUnknownDtypeIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT8, Shape.of(3),
        s -> withMetadata(s, TensorSchema.DTYPE_KEY, "complex64"));
    readFails(allocator, bytes, "'complex64'");
  }

  @Test
  void aNewerFormatVersionIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT8, Shape.of(3), s -> withMetadata(s, TensorSchema.VERSION_KEY, "2"));
    readFails(allocator, bytes, "version", "'2'");
  }

  @Test
  void malformedShapesAreRejectedByDescribe() {
    Schema good = TensorSchema.of(DType.FLOAT32, Shape.of(3));
    for (String bad : List.of("3", "[3", "[-1]", "[1.5]", "[\"3\"]", "{}", "[99999999999999999999]")) {
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> TensorSchema.describe(withMetadata(good, TensorSchema.SHAPE_KEY, bad)), bad);
      assertTrue(e.getMessage().contains(TensorSchema.SHAPE_KEY), e.getMessage());
    }
  }

  @Test
  void aShapeWhoseElementsOverflowIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.INT64, Shape.of(3),
        s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[4611686018427387904]")); // 2^62 elements of 8 bytes
    readFails(allocator, bytes, "too large");
    Schema huge = withMetadata(TensorSchema.of(DType.FLOAT32, Shape.of(3)), TensorSchema.SHAPE_KEY,
        "[1000000000000, 1000000000000, 1000000000000]");
    assertThrows(InvalidArgumentException.class, () -> TensorSchema.describe(huge));
  }

  @Test
  void aHugeDeclaredShapeIsCheckedAgainstTheRowsWithoutAllocatingIt(BufferAllocator allocator) throws IOException {
    // 2^40 rows of float32 would be 4 TiB: more than the test allocator's 8 GiB limit.
    byte[] bytes = editedStream(allocator, DType.FLOAT32, Shape.of(3),
        s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[1099511627776]"));
    readFails(allocator, bytes, "ended after 3 rows", "1099511627776");
  }

  @Test
  void fewerRowsThanTheShapeDeclaresAreRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.FLOAT64, Shape.of(3, 2),
        s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[5,2]"));
    readFails(allocator, bytes, "ended after 3 rows", "declares 5");
  }

  @Test
  void moreRowsThanTheShapeDeclaresAreRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.STRING, Shape.of(3, 2),
        s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[2,2]"));
    readFails(allocator, bytes, "more than the 2 rows");
  }

  @Test
  void aScalarStreamWithTwoRowsIsRejected(BufferAllocator allocator) throws IOException {
    byte[] bytes = editedStream(allocator, DType.BOOL, Shape.of(2), s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[]"));
    readFails(allocator, bytes, "more than the 1 rows");
  }

  @Test
  void anExtensionShapeDisagreeingWithTheMetadataIsRejected(BufferAllocator allocator) throws IOException {
    // The column holds rows of shape (4,); the metadata claims rows of (2, 2).
    byte[] bytes = editedStream(allocator, DType.INT16, Shape.of(3, 4),
        s -> withMetadata(s, TensorSchema.SHAPE_KEY, "[3,2,2]"));
    readFails(allocator, bytes, "shape (4,) disagrees", "(2, 2)");
  }

  @Test
  void aPermutedTensorIsRejected(BufferAllocator allocator) throws IOException {
    ArrowType permuted = FixedShapeTensorType.parse(new ArrowType.FixedSizeList(6),
        "{\"shape\":[2,3],\"permutation\":[1,0]}");
    byte[] bytes = editedStream(allocator, DType.UINT8, Shape.of(2, 2, 3), s -> withColumnType(s, permuted, null));
    readFails(allocator, bytes, "permutation [1, 0]");
  }

  @Test
  void extensionMetadataThatContradictsItsStorageIsRejected(BufferAllocator allocator) throws IOException {
    Map<String, String> ext = Map.of(ArrowType.ExtensionType.EXTENSION_METADATA_KEY_NAME,
        FixedShapeTensorType.EXTENSION_NAME, ArrowType.ExtensionType.EXTENSION_METADATA_KEY_METADATA, "{\"shape\":[5]}");
    byte[] bytes = editedStream(allocator, DType.INT32, Shape.of(2, 6),
        s -> withColumnType(s, new ArrowType.FixedSizeList(6), ext));
    readFails(allocator, bytes, "metadata '{\"shape\":[5]}'", "5 elements", "list size is 6");
  }

  // ---------------------------------------------------------------------------------------------
  // Data

  @Test
  void nullsAreRejected(BufferAllocator allocator) throws IOException {
    Schema schema = TensorSchema.of(DType.INT32, Shape.of(3));
    Schema nullable = new Schema(List.of(Field.nullable(TensorSchema.COLUMN_NAME, new ArrowType.Int(32, true))),
        schema.getCustomMetadata());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(nullable, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      IntVector v = (IntVector) root.getVector(0);
      v.allocateNew(3);
      v.set(0, 1);
      v.setNull(1);
      v.set(2, 3);
      root.setRowCount(3);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    readFails(allocator, out.toByteArray(), "1 null elements");
  }

  @Test
  void decreasingStringOffsetsAreRejected(BufferAllocator allocator) throws IOException {
    Schema schema = TensorSchema.of(DType.STRING, Shape.of(3));
    ArrowBuf validity = allocator.getEmpty();
    ArrowBuf offsets = allocator.buffer(16);
    ArrowBuf data = allocator.buffer(8);
    byte[] bytes;
    try {
      int[] bad = {0, 5, 2, 8};
      for (int i = 0; i < bad.length; i++) {
        offsets.setInt(i * 4L, bad[i]);
      }
      offsets.writerIndex(16);
      data.setZero(0, 8);
      data.writerIndex(8);
      ArrowRecordBatch batch = new ArrowRecordBatch(3, List.of(new ArrowFieldNode(3, 0)),
          List.of(validity, offsets, data));
      bytes = stream(allocator, schema, List.of(batch));
    } finally {
      offsets.close();
      data.close();
    }
    readFails(allocator, bytes, "string offset 2 (2) is below the one before (5)");
  }

  @Test
  void everyTruncationOfAStreamInsideAMessageIsRejected(BufferAllocator allocator) throws IOException {
    byte[] full;
    try (Tensor t = Samples.sample(allocator, DType.STRING, Shape.of(4, 2))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TensorIpc.writeStream(t, out, 24); // several batches
      full = out.toByteArray();
    }
    // The last 8 bytes are the end-of-stream marker, which Arrow treats as optional; any shorter prefix cuts a
    // message (an Arrow error) or drops whole batches (fewer rows than the shape declares).
    for (int n = 0; n < full.length - 8; n++) {
      byte[] prefix = Arrays.copyOf(full, n);
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> TensorIpc.readStream(allocator, new ByteArrayInputStream(prefix)).close(), "prefix of " + n + " bytes");
      assertTrue(e.getMessage().startsWith("not a tensor stream: "), e.getMessage());
      assertEquals(0, allocator.getAllocatedMemory(), "after a prefix of " + n + " bytes");
    }
  }

  @Test
  void aStreamCutBetweenBatchesNamesTheMissingRows(BufferAllocator allocator) throws IOException {
    byte[] first;
    byte[] both;
    try (Tensor t = Samples.sample(allocator, DType.INT32, Shape.of(2, 2));
        Tensor row = t.slice(0, 1)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TensorIpc.writeStream(t, out, 8); // one row per batch
      both = out.toByteArray();
      ByteArrayOutputStream one = new ByteArrayOutputStream();
      TensorIpc.writeStream(row, one, 8);
      first = one.toByteArray();
    }
    // Schema and first batch are the same bytes in both streams except the declared shape; cut 'both' after its
    // first batch: its length is that of the one-row stream minus its end marker.
    byte[] cut = Arrays.copyOf(both, first.length - 8);
    readFails(allocator, cut, "ended after 1 rows", "declares 2");
  }

  @Test
  void everyTruncationOfAFileIsRejected(BufferAllocator allocator, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("t.arrow");
    try (Tensor t = Samples.sample(allocator, DType.FLOAT32, Shape.of(3, 3))) {
      TensorIpc.writeFile(t, file, 12);
    }
    byte[] full = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.arrow");
    for (int n = 0; n < full.length; n += 5) {
      Files.write(cut, Arrays.copyOf(full, n));
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> TensorIpc.readFile(allocator, cut).close(), "prefix of " + n + " bytes");
      assertTrue(e.getMessage().startsWith("not a tensor stream: "), e.getMessage());
    }
  }

  @Test
  void garbageIsRejected(BufferAllocator allocator) {
    byte[] junk = new byte[200];
    new java.util.Random(7).nextBytes(junk);
    readFails(allocator, junk);
    readFails(allocator, "not arrow at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aFailingSourceIsAnIoErrorNotAFormatError(BufferAllocator allocator) throws IOException {
    byte[] full;
    try (Tensor t = Samples.sample(allocator, DType.INT64, Shape.of(4))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TensorIpc.writeStream(t, out);
      full = out.toByteArray();
    }
    InputStream failing = new InputStream() {
      private int served;

      @Override
      public int read() throws IOException {
        if (served >= 100) {
          throw new IOException("connection reset");
        }
        return full[served++] & 0xFF;
      }
    };
    IOException e = assertThrows(IOException.class, () -> TensorIpc.readStream(allocator, failing).close());
    assertEquals("connection reset", e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Assembler misuse

  @Test
  void anAssemblerIsUnusableAfterAFailure(BufferAllocator allocator) {
    try (Tensor t = Samples.sample(allocator, DType.INT8, Shape.of(4));
        VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(t), allocator);
        TensorAssembler assembler = new TensorAssembler(allocator,
            withMetadata(TensorSchema.of(t), TensorSchema.SHAPE_KEY, "[2]"))) {
      List<ArrowRecordBatch> batches = TensorBatches.of(t);
      try {
        TensorBatches.load(root, batches.get(0));
      } finally {
        batches.forEach(ArrowRecordBatch::close);
      }
      assertThrows(InvalidArgumentException.class, () -> assembler.append(root));
      assertThrows(IllegalStateException.class, () -> assembler.append(root));
      assertThrows(IllegalStateException.class, assembler::finish);
    }
  }

  @Test
  void finishingTwiceIsAnError(BufferAllocator allocator) {
    Schema schema = TensorSchema.of(DType.FLOAT32, Shape.of(0));
    try (TensorAssembler assembler = new TensorAssembler(allocator, schema)) {
      assembler.finish().close();
      assertThrows(IllegalStateException.class, assembler::finish);
    }
  }

  @Test
  void anAssemblerClosedWithHeldBatchesFreesThem(BufferAllocator allocator) {
    try (Tensor t = Samples.sample(allocator, DType.STRING, Shape.of(6));
        VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(t), allocator)) {
      TensorAssembler assembler = new TensorAssembler(allocator, root.getSchema());
      List<ArrowRecordBatch> batches = TensorBatches.of(t, 8);
      try {
        TensorBatches.load(root, batches.get(0));
        assembler.append(root);
      } finally {
        batches.forEach(ArrowRecordBatch::close);
      }
      assembler.close(); // never finished: the leak check proves it let go
    }
  }
}
