package dev.quiver.store.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interchange format against pyarrow, both ways: pyarrow reads what Java writes (fixed_shape_tensor's
 * {@code to_numpy_ndarray()} for numeric tensors of rank &ge; 2), and Java reads what pyarrow writes
 * ({@code FixedShapeTensorArray.from_numpy_ndarray} and its storage). Expected values come from the formula both
 * {@link Samples} and the script implement.
 */
@ExtendWith(LeakCheckedAllocator.class)
class PyArrowInteropTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SMALL_BATCHES = 8;

  private static Path script() {
    return Paths.get(System.getProperty("basedir", "."), "src", "test", "python", "interchange_interop.py");
  }

  private static String name(DType dtype, Shape shape) {
    StringBuilder sb = new StringBuilder(dtype.tfName()).append('_');
    long[] dims = shape.dims();
    if (dims.length == 0) {
      return sb.append("scalar").toString();
    }
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : "x").append(dims[i]);
    }
    return sb.toString();
  }

  private static ObjectNode entry(ArrayNode cases, String file, String format, DType dtype, Shape shape, int batches) {
    ObjectNode c = cases.addObject();
    c.put("file", file).put("format", format).put("dtype", dtype.tfName()).put("batches", batches);
    ArrayNode dims = c.putArray("shape");
    for (long d : shape.dims()) {
      dims.add(d);
    }
    return c;
  }

  private static int batchCount(Tensor t, long maxBatchBytes) {
    List<ArrowRecordBatch> batches = TensorBatches.of(t, maxBatchBytes);
    batches.forEach(ArrowRecordBatch::close);
    return batches.size();
  }

  @Test
  void pyarrowReadsEveryTensorJavaWrites(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    ObjectNode manifest = JSON.createObjectNode();
    ArrayNode cases = manifest.putArray("cases");
    for (Object[] c : Samples.everyDtypeAndShape()) {
      DType dtype = (DType) c[0];
      Shape shape = (Shape) c[1];
      try (Tensor t = Samples.sample(allocator, dtype, shape)) {
        String file = name(dtype, shape) + ".arrow";
        TensorIpc.writeFile(t, dir.resolve(file));
        entry(cases, file, "file", dtype, shape, 1);
        if (shape.rank() >= 1 && shape.dim(0) >= 2) {
          String stream = name(dtype, shape) + ".arrows";
          try (OutputStream out = Files.newOutputStream(dir.resolve(stream))) {
            TensorIpc.writeStream(t, out, SMALL_BATCHES);
          }
          int batches = batchCount(t, SMALL_BATCHES);
          entry(cases, stream, "stream", dtype, shape, batches);
        }
      }
    }
    JSON.writeValue(dir.resolve("manifest.json").toFile(), manifest);

    Python.Result r = Python.run(script(), 120, "check", dir.toString());
    assertEquals(0, r.exitCode(), () -> "pyarrow rejected Java's tensors:\n" + r.output());
    assertTrue(r.output().contains("checked " + cases.size() + " tensors, 0 mismatches"), r.output());
  }

  @Test
  void javaReadsEveryTensorPyarrowWrites(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    Python.Result r = Python.run(script(), 120, "write", dir.toString());
    assertEquals(0, r.exitCode(), () -> "the pyarrow writer failed:\n" + r.output());
    JsonNode cases = JSON.readTree(dir.resolve("manifest.json").toFile()).get("cases");
    List<String> seen = new ArrayList<>();
    for (JsonNode c : cases) {
      DType dtype = DType.fromName(c.get("dtype").asText());
      long[] dims = new long[c.get("shape").size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = c.get("shape").get(i).asLong();
      }
      Shape shape = Shape.of(dims);
      Path file = dir.resolve(c.get("file").asText());
      try (Tensor expected = Samples.sample(allocator, dtype, shape);
          Tensor read = read(allocator, file, c.get("format").asText())) {
        Samples.assertSameTensor(expected, read);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("reading pyarrow's " + file.getFileName() + ": " + e.getMessage(), e);
      }
      seen.add(caseName(dtype, shape, c.get("format").asText()));
    }
    seen.sort(null);
    List<String> expected = expectedCases();
    assertEquals(expected, seen, () -> "pyarrow's tensors that Java read; missing " + without(expected, seen)
        + ", unexpected " + without(seen, expected));
  }

  /**
   * Every case the pyarrow writer must produce, sorted: a file per sample dtype and shape, and a stream of several
   * batches where the first dim has two rows or more.
   */
  private static List<String> expectedCases() {
    List<String> cases = new ArrayList<>();
    for (Object[] c : Samples.everyDtypeAndShape()) {
      DType dtype = (DType) c[0];
      Shape shape = (Shape) c[1];
      cases.add(caseName(dtype, shape, "file"));
      if (shape.rank() >= 1 && shape.dim(0) >= 2) {
        cases.add(caseName(dtype, shape, "stream"));
      }
    }
    cases.sort(null);
    return cases;
  }

  private static List<String> without(List<String> a, List<String> b) {
    List<String> rest = new ArrayList<>(a);
    rest.removeAll(b);
    return rest;
  }

  private static String caseName(DType dtype, Shape shape, String format) {
    return dtype + " " + shape + " " + format;
  }

  private static Tensor read(BufferAllocator allocator, Path file, String format) throws IOException {
    if (format.equals("file")) {
      return TensorIpc.readFile(allocator, file);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return TensorIpc.readStream(allocator, in);
    }
  }
}
