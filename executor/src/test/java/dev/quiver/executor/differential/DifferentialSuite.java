package dev.quiver.executor.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.errors.QuiverException;
import dev.quiver.executor.kernels.math.OpRunner;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The differential suite: generated cases run through Quiver's real op declarations (inference, then the
 * kernel on a two-thread intra-op pool), inputs and outputs (or the error) written as {@code .npy} files
 * with a {@code cases.jsonl} manifest, and {@code executor/src/test/python/differential/check.py} recomputing
 * each case with numpy (TF semantics written out where numpy differs) and printing every mismatch.
 *
 * <p>Subclasses supply the cases; each is one JUnit test that passes only if the checker exits 0.
 */
@ExtendWith(LeakCheckedAllocator.class)
public abstract class DifferentialSuite {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cases to check, generated from {@code random} (a fixed seed: failures reproduce). */
  protected abstract void generate(Random random, CaseSink sink);

  /** The seed; override to explore. */
  protected long seed() {
    return Long.getLong("quiver.differential.seed", 20240611L);
  }

  /** Receives generated cases; runs and records each at once so few tensors are alive at a time. */
  public interface CaseSink {
    BufferAllocator allocator();

    void accept(DifferentialCase c);
  }

  @Test
  void quiverMatchesTheNumpyReference(BufferAllocator allocator) throws Exception {
    Path script = Paths.get("src/test/python/differential/check.py").toAbsolutePath();
    Path dir = Files.createTempDirectory("quiver-differential-");
    int[] count = {0};
    try (IntraOpPool pool = new IntraOpPool(2);
         BufferedWriter manifest = Files.newBufferedWriter(dir.resolve("cases.jsonl"), StandardCharsets.UTF_8)) {
      OpRunner runner = new OpRunner(allocator, pool);
      generate(new Random(seed()), new CaseSink() {
        @Override public BufferAllocator allocator() {
          return allocator;
        }

        @Override public void accept(DifferentialCase c) {
          try (c) {
            record(runner, c, dir, count[0]++, manifest);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
    }
    try {
      Python.Result r = Python.run(script, 300, dir.toString());
      System.out.println(r.output());
      assertEquals(0, r.exitCode(), "numpy disagrees with Quiver on some of " + count[0] + " cases:\n" + r.output());
    } finally {
      if (!Boolean.getBoolean("quiver.differential.keep")) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      } else {
        System.out.println("differential cases kept in " + dir);
      }
    }
  }

  private static void record(OpRunner runner, DifferentialCase c, Path dir, int id, BufferedWriter manifest)
      throws java.io.IOException {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", id);
    entry.put("op", c.op());
    Map<String, Object> attrs = new LinkedHashMap<>();
    c.attrs().asMap().forEach((k, v) -> attrs.put(k, v instanceof DType || v instanceof Shape ? v.toString() : v));
    entry.put("attrs", attrs);
    List<String> ins = new ArrayList<>();
    for (int i = 0; i < c.inputs().size(); i++) {
      ins.add(Npy.write(c.inputs().get(i), dir, id + "_in" + i));
    }
    entry.put("inputs", ins);
    List<String> outs = new ArrayList<>();
    try {
      List<Tensor> results = runner.run(c.op(), c.attrs(), c.inputs().toArray(new Tensor[0]));
      try {
        for (int i = 0; i < results.size(); i++) {
          outs.add(Npy.write(results.get(i), dir, id + "_out" + i));
        }
      } finally {
        results.forEach(Tensor::close);
      }
      entry.put("outputs", outs);
    } catch (QuiverException | IllegalArgumentException e) {
      entry.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    manifest.write(JSON.writeValueAsString(entry));
    manifest.newLine();
  }
}
