package dev.quiver.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.QuiverException;
import dev.quiver.errors.StatusCode;
import dev.quiver.store.interchange.TensorIpc;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input aimed at a store that holds tensors in memory and on disk: streams that are not a tensor's read into
 * the store's allocator (as a Flight upload is), impossible shapes, wrong-dtype reads of stored tensors, and
 * handles that are not the store's. Each fails with its status code and names what is wrong, and afterwards the
 * store's contents, counters and allocated bytes are what they were, and every handle reads back bit-identical.
 */
@ExtendWith(LeakCheckedAllocator.class)
class HandleStoreBadInputTest {
  @TempDir
  Path tmp;

  private HandleStore store;
  /** Each stored handle and the checksum of what was put there. */
  private final Map<String, Long> stored = new LinkedHashMap<>();

  @BeforeEach
  void fill(BufferAllocator allocator) {
    // 400-byte tensors under a 1 KiB budget: two stay in memory, the rest are spilled.
    store = HandleStore.builder().memoryBudget(1024).spillDirectory(tmp.resolve("spill")).build();
    Random r = new Random(11);
    List<DType> dtypes = List.of(DType.FLOAT32, DType.INT64, DType.STRING, DType.UINT8, DType.BOOL, DType.FLOAT64);
    for (DType d : dtypes) {
      try (Tensor t = TestTensors.ofSize(allocator, d, 400, r)) {
        stored.put(store.put(d.tfName(), t), TestTensors.checksum(t));
      }
    }
    StoreStats s = store.stats();
    assertTrue(s.handlesInMemory() >= 1 && s.handlesOnDisk() >= 1, "handles in both tiers: " + s);
  }

  @AfterEach
  void close() {
    BufferAllocator storeAllocator = store.allocator();
    store.close();
    assertEquals(0, storeAllocator.getAllocatedMemory());
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void streamsThatAreNoTensorsAreRefusedNamingTheFaultAndLeaveTheStoreIntact(BufferAllocator allocator)
      throws IOException {
    byte[] valid = streamOf(allocator, DType.INT32, Shape.of(6, 2), 16); // several batches
    List<Map.Entry<String, byte[]>> bad = new ArrayList<>(); // what the message must say, and the stream
    byte[] junk = new byte[300];
    new Random(3).nextBytes(junk);
    bad.add(Map.entry("the Arrow reader failed", junk));
    bad.add(Map.entry("the Arrow reader failed", "not arrow at all".getBytes(StandardCharsets.UTF_8)));
    // Cut inside the last batch; and three rows where the shape declares five.
    bad.add(Map.entry("Unexpected end of input", Arrays.copyOf(valid, valid.length - 8 - 1)));
    bad.add(Map.entry("ended after 3 rows", plainIntStream(allocator,
        Map.of(TensorSchema.DTYPE_KEY, "int32", TensorSchema.SHAPE_KEY, "[5]"))));
    bad.add(Map.entry("no '" + TensorSchema.DTYPE_KEY + "'", plainIntStream(allocator, Map.of())));
    bad.add(Map.entry("2 columns", twoColumnStream(allocator)));
    bad.add(Map.entry(TensorSchema.SHAPE_KEY + " '[-3]': dim 0 is not an integer >= 0", plainIntStream(allocator,
        Map.of(TensorSchema.DTYPE_KEY, "int32", TensorSchema.SHAPE_KEY, "[-3]"))));
    bad.add(Map.entry(TensorSchema.SHAPE_KEY + " (4611686018427387904,) is too large", plainIntStream(allocator,
        Map.of(TensorSchema.DTYPE_KEY, "int64", TensorSchema.SHAPE_KEY, "[4611686018427387904]"))));
    bad.add(Map.entry("shape (99999999999, 99999999999, 99999999999) has more elements than fit in a long",
        plainIntStream(allocator, Map.of(TensorSchema.DTYPE_KEY, "int32",
            TensorSchema.SHAPE_KEY, "[99999999999, 99999999999, 99999999999]"))));
    bad.add(Map.entry(TensorSchema.DTYPE_KEY + " 'int128'", plainIntStream(allocator,
        Map.of(TensorSchema.DTYPE_KEY, "int128", TensorSchema.SHAPE_KEY, "[3]"))));

    Snapshot before = snapshot();
    for (Map.Entry<String, byte[]> e : bad) {
      InvalidArgumentException x = assertThrows(InvalidArgumentException.class,
          () -> TensorIpc.readStream(store.allocator(), new ByteArrayInputStream(e.getValue())).close(), e.getKey());
      assertEquals(StatusCode.INVALID_ARGUMENT, x.code());
      assertTrue(x.getMessage().startsWith("not a tensor stream: "), x.getMessage());
      assertTrue(x.getMessage().contains(e.getKey()),
          () -> "'" + x.getMessage() + "' should say '" + e.getKey() + "'");
    }
    // Every cut of the stream short of its optional end marker, whatever its place.
    for (int n = 0; n < valid.length - 8; n++) {
      byte[] prefix = Arrays.copyOf(valid, n);
      InvalidArgumentException x = assertThrows(InvalidArgumentException.class,
          () -> TensorIpc.readStream(store.allocator(), new ByteArrayInputStream(prefix)).close(), n + " bytes");
      assertTrue(x.getMessage().startsWith("not a tensor stream: "), x.getMessage());
    }
    assertIntact(before, 0);
  }

  @Test
  void negativeAndOverflowingShapesAreInvalidArgumentNamingTheShape() {
    Snapshot before = snapshot();
    BufferAllocator storeAllocator = store.allocator();
    assertInvalid(() -> Shape.of(4, -2), "dimension 1 of shape [4, -2] is -2");
    assertInvalid(() -> Tensor.allocate(storeAllocator, DType.FLOAT32, Shape.of(-1, 3)),
        "a tensor needs a fully defined shape, not (?, 3)");
    assertInvalid(() -> Tensor.allocate(storeAllocator, DType.INT64, Shape.of(1L << 62)),
        "a int64 tensor of shape (4611686018427387904,) is larger than 2^63 bytes");
    Shape huge = Shape.of(1L << 32, 1L << 32, 1L << 32);
    assertInvalid(() -> Tensor.allocate(storeAllocator, DType.UINT8, huge),
        "shape (4294967296, 4294967296, 4294967296) has more elements than fit in a long");
    assertInvalid(() -> Tensor.fromBuffer(storeAllocator, DType.FLOAT32, Shape.of(2, 2), ByteBuffer.allocate(12)),
        "a float32 tensor of shape (2, 2) takes 16 bytes but the buffer has 12");
    try (Tensor t = Tensor.of(storeAllocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
      assertInvalid(() -> t.reshape(Shape.of(4, 2)), "cannot reshape a tensor of 6 elements to shape (4, 2)");
      assertInvalid(() -> t.slice(1, 3), "slice [1, 3) is outside the first dim of shape (2, 3)");
    }
    assertIntact(before, 0);
  }

  @Test
  void aWrongDtypeReadOfAStoredTensorIsInvalidArgumentNamingItsDtypeAndShape() {
    String inMemory = store.handles("").stream().filter(h -> store.info(h).inMemory()).findFirst().orElseThrow();
    String spilled = store.handles("").stream().filter(h -> !store.info(h).inMemory()).findFirst().orElseThrow();
    try (Tensor resident = store.get(inMemory); Tensor reloaded = store.get(spilled)) {
      Snapshot before = snapshot();
      for (Tensor t : List.of(resident, reloaded)) {
        String is = "tensor is " + t.dtype() + " " + t.shape() + ", not ";
        for (DType other : DType.values()) {
          if (other != t.dtype() && other != DType.INT8 && other != DType.UINT8) {
            assertInvalid(() -> readOne(t, other), is + other);
          }
        }
        if (t.dtype() != DType.INT8 && t.dtype() != DType.UINT8) {
          assertInvalid(() -> t.getByte(0), is + "int8 or uint8");
        }
        long n = t.numElements();
        assertInvalid(() -> readOne(t, t.dtype(), n), "flat index " + n + " is out of range for a tensor of " + n
            + " elements");
        assertInvalid(() -> t.get(0, 0), "index of rank 2 into a tensor of shape " + t.shape());
      }
      assertIntact(before, 0);
    }
  }

  @Test
  void unknownMalformedNullAndForeignHandlesAreRefusedAndLeaveTheStoreIntact(BufferAllocator allocator) {
    String some = stored.keySet().iterator().next();
    HandleId id = HandleId.parse(some);
    char flipped = id.secret().charAt(0) == 'A' ? 'B' : 'A';
    String unknown = new HandleId(id.name(), id.storeId(), flipped + id.secret().substring(1), id.device()).handle();
    try (HandleStore other = HandleStore.builder().build(); Tensor t = Tensor.scalar(allocator, 1)) {
      String foreign = other.put(t);
      Snapshot before = snapshot();
      long reads = 0;
      for (Op op : operations()) {
        for (String bad : List.of("", "garbage", "a;b;c", some.replace(';', ':'), some + ";")) {
          QuiverException e = op.refuses(bad, InvalidArgumentException.class);
          assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        QuiverException nul = op.refuses(null, InvalidArgumentException.class);
        assertTrue(nul.getMessage().contains("handle given is null"), nul.getMessage());
        QuiverException f = op.refuses(foreign, InvalidArgumentException.class);
        assertTrue(f.getMessage().contains("'" + foreign + "' belongs to handle store '" + other.id()
            + "', not to this store '" + store.id() + "'"), f.getMessage());
        if (op.name.equals("contains")) {
          assertFalse(store.contains(unknown));
        } else {
          QuiverException u = op.refuses(unknown, NotFoundException.class);
          assertEquals("The tensor with handle '" + unknown + "' is not in the session store.", u.getMessage());
          reads += op.isRead ? 1 : 0;
        }
      }
      assertTrue(other.contains(foreign), "the other store keeps its handle");
      assertIntact(before, reads);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** What must not change: the counters, each handle's place, and the bytes the store's allocator holds. */
  private record Snapshot(StoreStats stats, Map<String, TensorInfo> infos, long allocated) {}

  private Snapshot snapshot() {
    Map<String, TensorInfo> infos = new LinkedHashMap<>();
    for (String h : store.handles("")) {
      infos.put(h, store.info(h));
    }
    assertEquals(stored.keySet(), infos.keySet());
    return new Snapshot(store.stats(), infos, store.allocator().getAllocatedMemory());
  }

  /**
   * Asserts that the store is as {@code before}, but for {@code misses} more reads of handles it does not hold,
   * and then that each handle reads back with the checksum of what was put.
   */
  private void assertIntact(Snapshot before, long misses) {
    StoreStats s = before.stats();
    StoreStats expected = new StoreStats(s.handlesInMemory(), s.bytesInMemory(), s.handlesOnDisk(),
        s.bytesOnDisk(), s.hits(), s.misses() + misses, s.spills(), s.reloads(), s.expiries(), s.deletes(),
        s.bytesPooled());
    Snapshot after = snapshot();
    assertEquals(expected, after.stats());
    assertEquals(before.infos(), after.infos(), "each handle in the same tier");
    assertEquals(before.allocated(), after.allocated(), "bytes held by the store's allocator");
    for (Map.Entry<String, Long> e : stored.entrySet()) {
      try (Tensor back = store.get(e.getKey())) {
        assertEquals(e.getValue().longValue(), TestTensors.checksum(back), e.getKey());
      }
    }
  }

  /** Reads element 0 of {@code t} with the accessor for {@code dtype}. */
  private static Object readOne(Tensor t, DType dtype) {
    return readOne(t, dtype, 0);
  }

  private static Object readOne(Tensor t, DType dtype, long i) {
    switch (dtype) {
      case FLOAT32: return t.getFloat(i);
      case FLOAT64: return t.getDouble(i);
      case INT8: case UINT8: return t.getByte(i);
      case INT16: return t.getShort(i);
      case INT32: return t.getInt(i);
      case INT64: return t.getLong(i);
      case BOOL: return t.getBoolean(i);
      case STRING: return t.getString(i);
      default: throw new AssertionError(dtype);
    }
  }

  private static void assertInvalid(Executable call, String message) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, call);
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains(message), () -> "'" + e.getMessage() + "' should say '" + message + "'");
  }

  /** One of the store's handle operations; {@code isRead} if a miss counts in the stats. */
  private record Op(String name, boolean isRead, Consumer<String> call) {
    QuiverException refuses(String handle, Class<? extends QuiverException> type) {
      QuiverException e = assertThrows(type, () -> call.accept(handle), name + "(" + handle + ")");
      assertEquals(type == NotFoundException.class ? StatusCode.NOT_FOUND : StatusCode.INVALID_ARGUMENT, e.code());
      return e;
    }
  }

  private List<Op> operations() {
    List<Op> ops = new ArrayList<>();
    ops.add(new Op("get", true, h -> store.get(h).close()));
    ops.add(new Op("getIfInMemory", true, h -> {
      Tensor t = store.getIfInMemory(h);
      if (t != null) {
        t.close();
      }
    }));
    ops.add(new Op("info", false, h -> store.info(h)));
    ops.add(new Op("contains", false, h -> store.contains(h)));
    ops.add(new Op("delete", false, h -> store.delete(h)));
    return ops;
  }

  // ---------------------------------------------------------------------------------------------
  // Streams the tensor writer never writes

  private static byte[] streamOf(BufferAllocator allocator, DType dtype, Shape shape, long maxBatchBytes)
      throws IOException {
    try (Tensor t = TestTensors.random(allocator, dtype, shape, new Random(5))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      TensorIpc.writeStream(t, out, maxBatchBytes);
      return out.toByteArray();
    }
  }

  /** A stream of one non-null int32 column of three rows, with {@code metadata} on its schema. */
  private static byte[] plainIntStream(BufferAllocator allocator, Map<String, String> metadata) throws IOException {
    Field column = Field.notNullable(TensorSchema.COLUMN_NAME, new ArrowType.Int(32, true));
    return intStream(allocator, new Schema(List.of(column), new HashMap<>(metadata)));
  }

  private static byte[] twoColumnStream(BufferAllocator allocator) throws IOException {
    Field a = Field.notNullable("a", new ArrowType.Int(32, true));
    Field b = Field.notNullable("b", new ArrowType.Int(32, true));
    return intStream(allocator, new Schema(List.of(a, b),
        Map.of(TensorSchema.DTYPE_KEY, "int32", TensorSchema.SHAPE_KEY, "[3]")));
  }

  private static byte[] intStream(BufferAllocator allocator, Schema schema) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      for (int c = 0; c < schema.getFields().size(); c++) {
        IntVector v = (IntVector) root.getVector(c);
        v.allocateNew(3);
        for (int i = 0; i < 3; i++) {
          v.set(i, i + 1);
        }
      }
      root.setRowCount(3);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    return out.toByteArray();
  }
}
