package dev.quiver.cli;

import dev.quiver.flight.QuiverServer;
import dev.quiver.store.HandleStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code quiver serve}: an in-memory handle store served over Flight until the process is stopped
 * (Ctrl-C or SIGTERM shut it down gracefully). The first line on stdout is
 * {@code quiver: serving at <location>}, for scripts that start a server on port 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve an in-memory tensor store over Arrow Flight.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default ${DEFAULT-VALUE}); any other than loopback needs --auth-token.")
  String host;

  @Option(names = "--port", defaultValue = "8815", description = "Port (default ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(names = "--memory-budget", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Bytes of tensors kept in memory before spilling to disk, e.g. 4g.")
  Long memoryBudget;

  @Option(names = "--disk-budget", paramLabel = "SIZE", converter = ByteSizeConverter.class,
      description = "Bytes of spilled tensors kept on disk, e.g. 20g.")
  Long diskBudget;

  @Option(names = "--spill-dir", paramLabel = "DIR", description = "Where spilled tensors go.")
  Path spillDirectory;

  @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Drop a tensor not accessed for this long, e.g. 30m or 2h.")
  Duration ttl;

  @Option(names = "--auth-token", paramLabel = "TOKEN", defaultValue = "${env:QUIVER_TOKEN}",
      description = "Require 'authorization: Bearer TOKEN' on every call (default: $QUIVER_TOKEN).")
  String authToken;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve TLS with this certificate chain.")
  Path tlsCertificate;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "The TLS private key (PKCS#8 PEM).")
  Path tlsPrivateKey;

  @Option(names = "--advertise", paramLabel = "HOST[:PORT]",
      description = "The address clients are told to use, in the printed location and in FlightInfo endpoints "
          + "(default: the --host, or this machine's host name when --host is 0.0.0.0 or ::).")
  String advertise;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Serving serving = start(spec.commandLine().getOut());
    Thread stop = new Thread(() -> {
      LOG.info("shutting down");
      serving.close();
    }, "quiver-shutdown");
    Runtime.getRuntime().addShutdownHook(stop);
    serving.server().awaitTermination();
    return 0;
  }

  /** A running server and the store it serves, which it owns; closing stops the server, then frees the store. */
  record Serving(HandleStore store, QuiverServer server) implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.close();
      } finally {
        store.close();
      }
    }
  }

  /**
   * Starts the server the options describe and prints its location (the first line, {@code quiver: serving at
   * <location>}) and how to use it to {@code out}; the caller closes what it returns.
   *
   * @throws CommandLine.ParameterException if only one of --tls-cert and --tls-key is given
   * @throws IllegalArgumentException if the server refuses a setting (a public host without a token, ...)
   */
  Serving start(PrintWriter out) throws Exception {
    if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    String token = authToken == null || authToken.isEmpty() ? null : authToken;
    HandleStore.Builder sb = HandleStore.builder();
    if (memoryBudget != null) {
      sb.memoryBudget(memoryBudget);
    }
    if (diskBudget != null) {
      sb.diskBudget(diskBudget);
    }
    if (spillDirectory != null) {
      sb.spillDirectory(spillDirectory);
    }
    if (ttl != null) {
      sb.expireAfterAccess(ttl);
    }
    HandleStore store = sb.build();
    QuiverServer server;
    try {
      QuiverServer.Builder b = QuiverServer.builder(store).host(host).port(port).authToken(token);
      if (advertise != null) {
        b.advertise(advertise);
      }
      if (tlsCertificate != null) {
        b.tls(tlsCertificate, tlsPrivateKey);
      }
      server = b.start();
    } catch (Exception e) {
      store.close();
      throw e;
    }
    String location = server.location().getUri().toString();
    out.println("quiver: serving at " + location);
    out.println();
    out.println("Put a tensor:    bin/quiver put x.npy" + (token != null ? "   (with --token or $QUIVER_TOKEN)" : ""));
    out.println("Fetch it in Python with pyarrow alone:");
    out.println();
    out.println(Snippets.pyarrowFetch(location, token != null));
    out.flush();
    return new Serving(store, server);
  }
}
