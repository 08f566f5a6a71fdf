package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The quiver command against an in-process server: outputs, files, plain errors and exit codes. */
@ExtendWith(LeakCheckedAllocator.class)
class QuiverCommandTest {
  private HandleStore store;
  private QuiverServer server;
  private String out;
  private String err;

  @BeforeEach
  void start() throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).authToken("tok").start();
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "-s";
    all[args.length + 1] = server.location().getUri().toString();
    all[args.length + 2] = "--token";
    all[args.length + 3] = "tok";
    int code = QuiverCommand.execute(new PrintWriter(o), new PrintWriter(e), all);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @Test
  void putGetLsRmStatsWorkOnNpyAndArrowFiles(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    Path npy = dir.resolve("x.npy");
    try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
      NpyFile.write(t, npy);
    }
    assertEquals(0, run("put", npy.toString()), err);
    String handle = out.trim();
    assertTrue(store.contains(handle), handle);
    assertEquals(0, run("ls"), err);
    assertTrue(out.contains(handle) && out.contains("float32") && out.contains("(2, 3)"), out);
    assertEquals(0, run("get", handle, "-o", dir.resolve("y.arrow").toString()), err);
    assertEquals(0, run("put", dir.resolve("y.arrow").toString()), err);
    String second = out.trim();
    assertEquals(0, run("get", second, "-o", dir.resolve("z.npy").toString()), err);
    try (Tensor a = NpyFile.read(allocator, npy); Tensor b = NpyFile.read(allocator, dir.resolve("z.npy"))) {
      assertTrue(a.contentEquals(b));
    }
    assertEquals(0, run("stats"), err);
    assertTrue(out.contains("handlesInMemory: 2"), out);
    assertEquals(0, run("rm", handle, second), err);
    assertEquals(java.util.List.of(), store.handles(""));
  }

  @Test
  void anUnknownHandleIsAPlainErrorWithExitCode1(@TempDir Path dir) {
    assertEquals(QuiverCommand.FAILED, run("get", "Tensor;AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA;/cpu:0", "-o",
        dir.resolve("o.npy").toString()));
    assertTrue(err.startsWith("quiver: "), err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
  }

  @Test
  void aFileThatIsNotNpyIsAPlainErrorWithExitCode1(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.npy");
    Files.writeString(bad, "hello");
    assertEquals(QuiverCommand.FAILED, run("put", bad.toString()));
    assertTrue(err.contains("bad.npy"), err);
    assertFalse(err.contains("\tat "), err);
    assertEquals(QuiverCommand.FAILED, run("put", dir.resolve("missing.npy").toString()));
    assertTrue(err.contains("no such file"), err);
  }

  @Test
  void aCorruptArrowFileIsAPlainErrorWithExitCode1(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.arrow"), "ARROW1 and then nothing an Arrow file holds");
    Path whole = dir.resolve("whole.arrow");
    try (Tensor t = Tensor.of(allocator, new float[4096], 64, 64)) {
      dev.quiver.store.interchange.TensorIpc.writeFile(t, whole);
    }
    byte[] bytes = Files.readAllBytes(whole);
    Path truncated = Files.write(dir.resolve("truncated.arrow"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    for (Path bad : new Path[] {garbage, truncated}) {
      assertEquals(QuiverCommand.FAILED, run("put", bad.toString()), err);
      assertTrue(err.startsWith("quiver: InvalidArgument: '" + bad + "': not a tensor stream"), err);
      assertTrue(err.contains(bad.getFileName().toString()), "names the file: " + err);
      assertFalse(err.contains("\tat "), "no stack trace: " + err);
      assertEquals("", out);
    }
    assertEquals(java.util.List.of(), store.handles(""), "nothing was stored");
  }

  @Test
  void arrowFilesWrittenByPyarrowAreUploadedAsTheTensorsTheyHold(BufferAllocator allocator, @TempDir Path dir)
      throws Exception {
    // docs/interchange-format.md's recipe for writers, in Arrow's file format; the 2x3x4 tensor in two batches.
    Python.Result r = Python.runSource(String.join("\n",
        "import json, sys, numpy as np, pyarrow as pa",
        "def write(path, column, dtype, shape, rows_per_batch):",
        "    meta = {'quiver:dtype': dtype, 'quiver:shape': json.dumps(shape), 'quiver:version': '1'}",
        "    schema = pa.schema([pa.field('tensor', column.type)], metadata=meta)",
        "    with pa.ipc.new_file(path, schema) as writer:",
        "        writer.write_table(pa.Table.from_arrays([column], schema=schema), max_chunksize=rows_per_batch)",
        "d = sys.argv[1]",
        "t = np.arange(24, dtype=np.float32).reshape(2, 3, 4)",
        "write(d + '/t.arrow', pa.FixedShapeTensorArray.from_numpy_ndarray(t), 'float32', [2, 3, 4], 1)",
        "write(d + '/v.arrow', pa.array(np.array([-5, 0, 7], dtype=np.int64)), 'int64', [3], 3)",
        "write(d + '/s.arrow', pa.array(['a', 'h\u00e9llo']), 'string', [2], 2)"), 120, dir.toString());
    assertEquals(0, r.exitCode(), r.output());
    float[] t = new float[24];
    for (int i = 0; i < t.length; i++) {
      t[i] = i;
    }
    try (Tensor want = Tensor.of(allocator, t, 2, 3, 4)) {
      assertPutStores(dir.resolve("t.arrow"), want);
    }
    try (Tensor want = Tensor.of(allocator, new long[] {-5, 0, 7}, 3)) {
      assertPutStores(dir.resolve("v.arrow"), want);
    }
    try (Tensor want = Tensor.of(allocator, new String[] {"a", "h\u00e9llo"}, 2)) {
      assertPutStores(dir.resolve("s.arrow"), want);
    }
  }

  private void assertPutStores(Path file, Tensor want) {
    assertEquals(0, run("put", file.toString()), err);
    try (Tensor stored = store.get(out.trim())) {
      assertTrue(stored.contentEquals(want), file + ": " + stored + " is not " + want);
    }
  }

  @Test
  void everySubcommandAnswersHelpWithItsOwnUsage() {
    for (String sub : new String[] {"put", "get", "ls", "rm", "stats"}) {
      assertEquals(0, run(sub, "--help"), sub + ": " + err);
      assertTrue(out.contains("Usage: quiver " + sub), sub + " printed: " + out);
      assertTrue(out.contains("--server"), sub + "'s usage lists the server option: " + out);
    }
    StringWriter o = new StringWriter();
    assertEquals(0, QuiverCommand.execute(new PrintWriter(o), new PrintWriter(new StringWriter()), "serve", "--help"));
    assertTrue(o.toString().contains("--memory-budget"), o.toString());
  }

  @Test
  void anUnknownExtensionIsAUsageError(@TempDir Path dir) throws Exception {
    assertEquals(QuiverCommand.USAGE, run("put", dir.resolve("x.csv").toString()));
    assertTrue(err.contains(".npy"), err);
  }

  @Test
  void aWrongTokenExitsWith4AndAnUnreachableServerWith3() {
    StringWriter sink = new StringWriter();
    assertEquals(QuiverCommand.UNAUTHENTICATED, QuiverCommand.execute(new PrintWriter(sink), new PrintWriter(sink),
        "ls", "-s", server.location().getUri().toString(), "--token", "wrong"));
    assertEquals(QuiverCommand.UNREACHABLE, QuiverCommand.execute(new PrintWriter(sink), new PrintWriter(sink),
        "ls", "-s", "grpc+tcp://127.0.0.1:1"));
  }

  @Test
  void npyFilesWrittenByNumpyAreReadAndOursAreReadByNumpy(BufferAllocator allocator, @TempDir Path dir)
      throws Exception {
    Python.Result r = Python.runSource(String.join("\n",
        "import sys, numpy as np",
        "d = sys.argv[1]",
        "np.save(d + '/f.npy', np.arange(12, dtype=np.float64).reshape(3, 4))",
        "np.save(d + '/s.npy', np.array(['a', 'héllo']))",
        "np.save(d + '/b.npy', np.array([True, False, True]))"), 120, dir.toString());
    assertEquals(0, r.exitCode(), r.output());
    for (String name : new String[] {"f", "s", "b"}) {
      try (Tensor t = NpyFile.read(allocator, dir.resolve(name + ".npy"))) {
        NpyFile.write(t, dir.resolve(name + "2.npy"));
      }
    }
    r = Python.runSource(String.join("\n",
        "import sys, numpy as np",
        "d = sys.argv[1]",
        "for n in 'fsb':",
        "    a, b = np.load(d + f'/{n}.npy'), np.load(d + f'/{n}2.npy')",
        "    assert a.dtype == b.dtype and a.shape == b.shape and (a == b).all(), (n, a, b)",
        "print('ok')"), 120, dir.toString());
    assertEquals(0, r.exitCode(), r.output());
  }
}
