package dev.quiver.executor.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.errors.QuiverException;
import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Scope;
import dev.quiver.executor.Session;
import dev.quiver.executor.SessionConfig;
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
 * The differential suite: generated cases run through the real engine and checked against numpy.
 *
 * <p><b>Cases.</b> Each subclass is one op group ({@link MathDifferentialTest}, {@link ArrayDifferentialTest},
 * {@link SparseDifferentialTest}) and generates its cases from a fixed seed ({@code -Dquiver.differential.seed}
 * to explore), with {@link Gen}: random shapes of rank 0 to 4 with empty and size-1 dims, every broadcasting
 * pattern, values mixing ordinary numbers with NaN, infinities, -0.0, rounding ties and the integer extremes that
 * overflow, every dtype an op takes, and arguments TensorFlow rejects.
 *
 * <p><b>Run.</b> Each case adds its op (or, for a composite such as {@code tf.linalg.tensordot}, the ops its
 * {@link DifferentialCase.Composite} builds) to one shared {@link Graph} on a placeholder per input, so build-time
 * inference runs (on full shapes, or, for the case's {@link DifferentialCase.Placeholders}, only ranks or nothing,
 * leaving the checks to run time), and one {@link Session} step (two intra-op threads) feeds the inputs and fetches
 * every output.
 * Inputs and outputs (or the error, from building or from running) are written as {@code .npy} files with a
 * {@code cases.jsonl} manifest ({@code -Dquiver.differential.keep=true} keeps them), and
 * {@code executor/src/test/python/differential/check.py} recomputes each case with the references in
 * {@code ops_*.py}, comparing dtype, shape and values, and printing every mismatch.
 *
 * <p><b>Tolerance.</b> Integers, bools and strings exactly (overflow wraps as in TF); array ops move floats
 * bit-exactly; other floats within a per-op relative tolerance (float32 2e-6 and float64 1e-12 by default, up to
 * 1e-4 of the sum of |terms| for sums and products), the sign of zero checked for the ops whose zero TF decides
 * — the table is at the top of {@code check.py} and in {@code docs/ops.md}.
 *
 * <p><b>Coverage and the references.</b> {@code check.py} fails if a required op (its {@code REQUIRED}) got too
 * few cases; {@link CheckerSelfTest} proves it fails on a wrong result. The numpy references are themselves
 * checked against TensorFlow by {@code tf_crosscheck.py} on a kept manifest (not part of this test: it needs
 * TensorFlow; {@code docs/ops.md} says how to run it).
 *
 * <p><b>Adding an op.</b> Emit its cases from the group's {@link #generate} with {@code sink.accept(new
 * DifferentialCase("OpType", attrs, inputs))}, and add a reference under the same name to that group's
 * {@code ops_*.py} {@code REFERENCES}; a case without a reference fails the suite.
 *
 * <p>Each subclass is one JUnit test that passes only if the checker exits 0.
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
    try (Graph graph = new Graph(allocator);
         Session session = new Session(graph, SessionConfig.builder().intraOpThreads(2).build());
         BufferedWriter manifest = Files.newBufferedWriter(dir.resolve("cases.jsonl"), StandardCharsets.UTF_8)) {
      Ops tf = Ops.create(graph);
      generate(new Random(seed()), new CaseSink() {
        @Override public BufferAllocator allocator() {
          return allocator;
        }

        @Override public void accept(DifferentialCase c) {
          try (c) {
            record(tf, session, c, dir, count[0]++, manifest);
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

  private static void record(Ops tf, Session session, DifferentialCase c, Path dir, int id, BufferedWriter manifest)
      throws java.io.IOException {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", id);
    entry.put("op", c.op());
    Map<String, Object> attrs = new LinkedHashMap<>();
    c.attrs().asMap().forEach((k, v) -> attrs.put(k, v instanceof DType || v instanceof Shape ? v.toString() : v));
    entry.put("attrs", attrs);
    if (c.placeholders() != DifferentialCase.Placeholders.STATIC) {
      entry.put("placeholders", c.placeholders().manifestName());
    }
    List<String> ins = new ArrayList<>();
    for (int i = 0; i < c.inputs().size(); i++) {
      ins.add(Npy.write(c.inputs().get(i), dir, id + "_in" + i));
    }
    entry.put("inputs", ins);
    try {
      entry.put("outputs", run(tf, session, c, dir, id));
    } catch (QuiverException | IllegalArgumentException e) {
      entry.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    manifest.write(JSON.writeValueAsString(entry));
    manifest.newLine();
  }

  /** Builds the case's op on placeholders and runs one step of it; returns the written output files. */
  private static List<String> run(Ops tf, Session session, DifferentialCase c, Path dir, int id)
      throws java.io.IOException {
    Scope scope = tf.scope().withSubScope("case" + id);
    Ops caseOps = Ops.create(scope);
    Map<Output, Object> feeds = new LinkedHashMap<>();
    List<Output> inputs = new ArrayList<>();
    for (Tensor t : c.inputs()) {
      Shape declared = switch (c.placeholders()) {
        case STATIC -> t.shape();
        case UNKNOWN_DIMS -> Shape.unknownDims(t.rank());
        case UNKNOWN_RANK -> Shape.unknown();
      };
      Output p = caseOps.placeholder(t.dtype(), declared);
      inputs.add(p);
      feeds.put(p, t); // shared with the step, not copied
    }
    List<Output> fetches = c.composite() != null ? c.composite().build(caseOps, inputs)
        : scope.addOp(c.op(), c.op(), c.attrs(), inputs).outputs();
    List<String> outs = new ArrayList<>();
    try (Result r = session.run(fetches, feeds)) {
      for (int i = 0; i < fetches.size(); i++) {
        outs.add(Npy.write(r.get(i), dir, id + "_out" + i));
      }
    }
    return outs;
  }
}
