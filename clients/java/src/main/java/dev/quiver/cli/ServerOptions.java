package dev.quiver.cli;

import dev.quiver.client.QuiverClient;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import picocli.CommandLine.Option;

/** How the client subcommands reach a server: location, token, trusted certificate. */
final class ServerOptions {
  @Option(names = {"-s", "--server"}, paramLabel = "LOCATION",
      defaultValue = "${env:QUIVER_SERVER:-grpc+tcp://127.0.0.1:8815}",
      description = "The server's location (default: $QUIVER_SERVER or ${DEFAULT-VALUE}).")
  String server;

  @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:QUIVER_TOKEN}",
      description = "Bearer token the server requires (default: $QUIVER_TOKEN).")
  String token;

  @Option(names = "--tls-ca", paramLabel = "PEM",
      description = "Trust this certificate for a grpc+tls:// server (e.g. a self-signed one).")
  Path trustedCertificate;

  QuiverClient connect(BufferAllocator allocator) {
    QuiverClient.Builder b = QuiverClient.builder(server).allocator(allocator);
    if (token != null && !token.isEmpty()) {
      b.token(token);
    }
    if (trustedCertificate != null) {
      b.trustedCertificate(trustedCertificate);
    }
    return b.build();
  }
}
