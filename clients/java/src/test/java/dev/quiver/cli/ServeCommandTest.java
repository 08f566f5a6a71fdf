package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.client.QuiverClient;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.errors.UnauthenticatedException;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code quiver serve} itself: each option reaches the store or the server, the printed location and pyarrow
 * snippet work, and bad combinations are plain errors with their exit codes.
 */
@ExtendWith(LeakCheckedAllocator.class)
class ServeCommandTest {
  private static final Pattern SERVING = Pattern.compile("\\Aquiver: serving at (\\S+)\n");

  private String printed;

  /** Starts {@code quiver serve ARGS} in this JVM; the caller closes what it returns. */
  private ServeCommand.Serving serve(String... args) throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs(args);
    StringWriter out = new StringWriter();
    ServeCommand.Serving serving = command.start(new PrintWriter(out));
    printed = out.toString();
    return serving;
  }

  private static int run(StringWriter err, String... args) {
    return QuiverCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
  }

  @Test
  void theFirstLineIsTheLocationAndThePrintedSnippetFetchesAHandle(BufferAllocator allocator) throws Exception {
    try (ServeCommand.Serving s = serve("--port", "0")) {
      Matcher m = SERVING.matcher(printed);
      assertTrue(m.find(), printed);
      String location = "grpc+tcp://127.0.0.1:" + s.server().port();
      assertEquals(location, m.group(1));
      assertTrue(printed.contains(Snippets.pyarrowFetch(location, false)), printed);
      assertFalse(s.server().requiresToken());

      String handle;
      try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
        handle = s.store().put(t);
      }
      // The snippet's lines exactly as printed (indented by four), run by pyarrow alone.
      String snippet = Stream.of(printed.split("\n")).filter(l -> l.startsWith("    "))
          .map(l -> l.substring(4)).collect(Collectors.joining("\n"));
      Python.Result r = Python.runSource("import sys\nhandle = sys.argv[1].encode()\n" + snippet
          + "\nprint(x.dtype, x.shape, x.tolist())\n", 120, handle);
      assertEquals(0, r.exitCode(), r.output());
      assertTrue(r.output().contains("float32 (2, 3) [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"), r.output());
    }
  }

  @Test
  void anAuthTokenIsRequiredAndTheSnippetSendsIt(BufferAllocator allocator) throws Exception {
    try (ServeCommand.Serving s = serve("--port", "0", "--auth-token", "s3cret")) {
      assertTrue(s.server().requiresToken());
      String location = s.server().location().getUri().toString();
      assertTrue(printed.contains(Snippets.pyarrowFetch(location, true)), printed);
      assertTrue(printed.contains("(with --token or $QUIVER_TOKEN)"), printed);
      try (QuiverClient anonymous = QuiverClient.builder(location).allocator(allocator).build()) {
        assertThrows(UnauthenticatedException.class, anonymous::list);
      }
      try (QuiverClient client = QuiverClient.builder(location).allocator(allocator).token("s3cret").build()) {
        assertEquals(List.of(), client.list());
      }
    }
  }

  @Test
  void budgetsAndTheSpillDirectoryReachTheStore(BufferAllocator allocator, @TempDir Path spill) throws Exception {
    try (ServeCommand.Serving s = serve("--port", "0", "--memory-budget", "1k", "--disk-budget", "1k",
        "--spill-dir", spill.toString())) {
      HandleStore store = s.store();
      assertTrue(store.spillDirectory().startsWith(spill), store.spillDirectory().toString());
      try (Tensor t = Tensor.of(allocator, new float[200])) { // 800 bytes
        store.put(t);
        store.put(t); // the first spills: memory holds 1 KiB
        assertEquals(1, store.stats().handlesOnDisk());
        try (Stream<Path> files = Files.walk(spill)) {
          assertTrue(files.anyMatch(Files::isRegularFile), "a spill file in " + spill);
        }
        ResourceExhaustedException e = assertThrows(ResourceExhaustedException.class, () -> store.put(t));
        assertTrue(e.getMessage().contains("memory budget of 1024 bytes") && e.getMessage().contains("disk budget of 1024"),
            e.getMessage());
      }
    }
  }

  @Test
  void aTtlDropsATensorNotReadForThatLong(BufferAllocator allocator) throws Exception {
    try (ServeCommand.Serving s = serve("--port", "0", "--ttl", "300ms")) {
      String handle;
      try (Tensor t = Tensor.scalar(allocator, 1f)) {
        handle = s.store().put(t);
      }
      assertTrue(s.store().contains(handle));
      Thread.sleep(600);
      assertEquals(1, s.store().stats().expiries());
      assertFalse(s.store().contains(handle));
    }
  }

  @Test
  void aCertificateAndKeyServeTls(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir);
    try (ServeCommand.Serving s = serve("--port", "0", "--tls-cert", cert.certificate().toString(),
        "--tls-key", cert.privateKey().toString())) {
      assertEquals("grpc+tls", s.server().location().getUri().getScheme());
      assertTrue(printed.startsWith("quiver: serving at grpc+tls://"), printed);
      try (QuiverClient client = QuiverClient.builder(s.server().location().getUri().toString())
          .trustedCertificate(cert.certificate()).build()) {
        assertEquals("SERVING", client.health());
      }
    }
  }

  @Test
  void aCertificateWithoutAKeyIsAUsageError(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("server.crt"), "not checked: the pair is incomplete");
    StringWriter err = new StringWriter();
    assertEquals(QuiverCommand.USAGE, run(err, "serve", "--port", "0", "--tls-cert", cert.toString()));
    assertTrue(err.toString().contains("--tls-cert and --tls-key go together"), err.toString());
  }

  @Test
  void aPublicHostWithoutATokenIsAPlainError() {
    StringWriter err = new StringWriter();
    assertEquals(QuiverCommand.USAGE, run(err, "serve", "--port", "0", "--host", "0.0.0.0", "--auth-token", ""));
    assertTrue(err.toString().startsWith("quiver: refusing to serve on '0.0.0.0' without an auth token"),
        err.toString());
    assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
  }

  @Test
  void aWildcardHostAdvertisesTheHostNameOrTheAdvertisedAddress() throws Exception {
    try (ServeCommand.Serving s = serve("--port", "0", "--host", "0.0.0.0", "--auth-token", "t")) {
      assertTrue(printed.startsWith("quiver: serving at grpc+tcp://" + InetAddress.getLocalHost().getHostName() + ":"
          + s.server().port() + "\n"), printed);
      assertFalse(printed.contains("0.0.0.0"), printed);
    }
    try (ServeCommand.Serving s = serve("--port", "0", "--host", "0.0.0.0", "--auth-token", "t",
        "--advertise", "tensors.example")) {
      String location = "grpc+tcp://tensors.example:" + s.server().port();
      assertTrue(printed.startsWith("quiver: serving at " + location + "\n"), printed);
      assertTrue(printed.contains(Snippets.pyarrowFetch(location, true)), printed);
    }
  }
}
