package dev.quiver.executor.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker checks: on a manifest of real Quiver results {@code check.py} passes, with one result
 * deliberately corrupted it fails naming the case, and with too few cases for the required ops its coverage
 * guard fails naming them. Without this a checker that passes everything would make the suite pass too.
 */
@ExtendWith(LeakCheckedAllocator.class)
class CheckerSelfTest {
  private static final Path SCRIPT = Paths.get("src/test/python/differential/check.py").toAbsolutePath();

  /** Writes case 0: AddV2 of two float32 vectors, run by a real session; returns its output file. */
  private static Path addCase(BufferAllocator a, Path dir) throws Exception {
    try (Tensor x = Tensor.of(a, new float[] {1, 2.5f, -0f, Float.NaN}, 4);
         Tensor y = Tensor.of(a, new float[] {3, 4, -0f, 1}, 4);
         Graph g = new Graph(a); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Output px = tf.placeholder(DType.FLOAT32, Shape.of(4));
      Output py = tf.placeholder(DType.FLOAT32, Shape.of(4));
      try (Result r = s.run(tf.math.add(px, py), Map.of(px, x, py, y))) {
        String in0 = Npy.write(x, dir, "0_in0");
        String in1 = Npy.write(y, dir, "0_in1");
        String out = Npy.write(r.tensor(), dir, "0_out0");
        Files.writeString(dir.resolve("cases.jsonl"), "{\"id\": 0, \"op\": \"AddV2\", \"attrs\": {}, \"inputs\": [\""
            + in0 + "\", \"" + in1 + "\"], \"outputs\": [\"" + out + "\"]}\n", StandardCharsets.UTF_8);
        return dir.resolve(out);
      }
    }
  }

  @Test
  void passesQuiversResultAndFailsACorruptedOne(BufferAllocator a, @TempDir Path dir) throws Exception {
    Path out = addCase(a, dir);
    Python.Result ok = Python.run(SCRIPT, 120, "--no-coverage", dir.toString());
    assertEquals(0, ok.exitCode(), ok.output());
    byte[] npy = Files.readAllBytes(out);
    // the second float32 (2.5 + 4 = 6.5), little-endian: a flipped mantissa bit of its third byte makes it 6.75
    int at = npy.length - 3 * 4;
    npy[at + 2] ^= 0x08;
    Files.write(out, npy);
    Python.Result bad = Python.run(SCRIPT, 120, "--no-coverage", dir.toString());
    assertEquals(1, bad.exitCode(), bad.output());
    assertTrue(bad.output().contains("MISMATCH case 0 AddV2"), bad.output());
  }

  @Test
  void failsWhenARequiredOpHasTooFewCases(BufferAllocator a, @TempDir Path dir) throws Exception {
    addCase(a, dir);
    Python.Result r = Python.run(SCRIPT, 120, dir.toString());
    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("coverage: required op AddV2 got 1 cases, needs"), r.output());
    assertTrue(r.output().contains("coverage: required op Softmax got 0 cases"), r.output());
  }
}
