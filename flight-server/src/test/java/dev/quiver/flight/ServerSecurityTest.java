package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens, TLS, and the loopback-only rule for servers without a token. */
@ExtendWith(LeakCheckedAllocator.class)
class ServerSecurityTest {
  private HandleStore store;

  @BeforeEach
  void createStore() {
    store = HandleStore.builder().build();
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static CredentialCallOption bearer(String token) {
    return new CredentialCallOption(new BearerCredentialWriter(token));
  }

  @Test
  void aCallWithoutTheTokenIsUnauthenticated(BufferAllocator allocator) throws Exception {
    try (QuiverServer server = QuiverServer.builder(store).port(0).authToken("s3cret").start();
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class, () -> client.listActions().iterator().next());
      assertEquals(FlightStatusCode.UNAUTHENTICATED, e.status().code());
    }
  }

  @Test
  void aCallWithAWrongTokenIsUnauthenticatedAndTouchesNothing(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.scalar(allocator, 7)) {
      handle = store.put(t);
    }
    try (QuiverServer server = QuiverServer.builder(store).port(0).authToken("s3cret").start();
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> client.doAction(new org.apache.arrow.flight.Action("delete", handle.getBytes()), bearer("guess"))
              .next());
      assertEquals(FlightStatusCode.UNAUTHENTICATED, e.status().code());
      assertTrue(store.contains(handle));
    }
  }

  @Test
  void theRightTokenIsAccepted(BufferAllocator allocator) throws Exception {
    try (QuiverServer server = QuiverServer.builder(store).port(0).authToken("s3cret").start();
         FlightClient client = FlightClient.builder(allocator, server.location()).build();
         Tensor t = Tensor.of(allocator, new float[] {1, 2})) {
      String handle = FlightTensors.put(client, t, bearer("s3cret"));
      try (Tensor back = FlightTensors.get(client, allocator, handle, bearer("s3cret"))) {
        assertTrue(back.contentEquals(t));
      }
    }
  }

  @Test
  void withoutATokenANonLoopbackHostIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QuiverServer.builder(store).host("0.0.0.0").port(0).start());
    assertTrue(e.getMessage().contains("without an auth token"), e.getMessage());
  }

  @Test
  void withATokenAnyHostMayBeBound(BufferAllocator allocator) throws Exception {
    try (QuiverServer server = QuiverServer.builder(store).host("0.0.0.0").port(0).authToken("t").start();
         FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
             .build()) {
      assertTrue(client.listActions(bearer("t")).iterator().hasNext());
    }
  }

  @Test
  void aTlsServerServesAClientThatTrustsItsCertificate(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    try (QuiverServer server = QuiverServer.builder(store).port(0).tls(cert.certificate(), cert.privateKey()).start();
         InputStream trusted = Files.newInputStream(cert.certificate());
         FlightClient client = FlightClient.builder(allocator, server.location()).trustedCertificates(trusted).build();
         Tensor t = Tensor.of(allocator, new int[] {4, 5, 6})) {
      assertEquals("grpc+tls", server.location().getUri().getScheme());
      String handle = FlightTensors.put(client, t);
      try (Tensor back = FlightTensors.get(client, allocator, handle)) {
        assertTrue(back.contentEquals(t));
      }
    }
  }

  @Test
  void aPlaintextClientCannotTalkToATlsServer(BufferAllocator allocator, @TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    try (QuiverServer server = QuiverServer.builder(store).port(0).tls(cert.certificate(), cert.privateKey()).start();
         FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
             .build()) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class, () -> client.listActions().iterator().next());
      assertEquals(FlightStatusCode.UNAVAILABLE, e.status().code());
    }
  }

  @Test
  void missingTlsFilesAreRefusedBeforeBinding(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QuiverServer.builder(store).port(0).tls(dir.resolve("none.crt"), dir.resolve("none.key")).start());
    assertTrue(e.getMessage().contains("none.crt"), e.getMessage());
  }
}
