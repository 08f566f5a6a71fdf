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
@Command(name = "serve", description = "Serve an in-memory tensor store over Arrow Flight.")
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

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
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
      if (tlsCertificate != null) {
        b.tls(tlsCertificate, tlsPrivateKey);
      }
      server = b.start();
    } catch (Exception e) {
      store.close();
      throw e;
    }
    Thread stop = new Thread(() -> {
      LOG.info("shutting down");
      server.close();
      store.close();
    }, "quiver-shutdown");
    Runtime.getRuntime().addShutdownHook(stop);

    PrintWriter out = spec.commandLine().getOut();
    out.println("quiver: serving at " + server.location().getUri());
    out.println();
    out.println("Put a tensor:    bin/quiver put x.npy" + (token != null ? "   (with --token or $QUIVER_TOKEN)" : ""));
    out.println("Fetch it in Python with pyarrow alone:");
    out.println();
    out.println(Snippets.pyarrowFetch(server.location().getUri().toString(), token != null));
    out.flush();
    server.awaitTermination();
    return 0;
  }
}
