package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
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
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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

  static CredentialCallOption bearer(String token) {
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

  /** One call of each kind a client makes, with the given call options. */
  enum Rpc {
    DO_GET, DO_PUT, GET_FLIGHT_INFO, GET_SCHEMA, LIST_FLIGHTS, DO_ACTION;

    void call(FlightClient client, BufferAllocator allocator, String handle, CallOption... options) throws Exception {
      switch (this) {
        case DO_GET -> FlightTensors.get(client, allocator, handle, options).close();
        case DO_PUT -> {
          try (Tensor t = Tensor.of(allocator, new float[] {1, 2, 3})) {
            FlightTensors.put(client, t, options);
          }
        }
        case GET_FLIGHT_INFO -> client.getInfo(FlightProtocol.tensorDescriptor(handle), options);
        case GET_SCHEMA -> client.getSchema(FlightProtocol.tensorDescriptor(handle), options);
        case LIST_FLIGHTS -> client.listFlights(new Criteria(new byte[0]), options).forEach(info -> {});
        default -> client.doAction(new Action("delete", handle.getBytes(StandardCharsets.UTF_8)), options).next();
      }
    }
  }

  static Stream<Arguments> rpcsAndBadTokens() {
    return Stream.of(Rpc.values()).flatMap(rpc -> Stream.of(
        Arguments.of(rpc, "no token", new CallOption[0]),
        Arguments.of(rpc, "a wrong token", new CallOption[] {bearer("guess")}),
        Arguments.of(rpc, "the token without 'Bearer'", new CallOption[] {new HeaderCallOption(headers("s3cret"))})));
  }

  private static CallHeaders headers(String authorization) {
    CallHeaders h = new FlightCallHeaders();
    h.insert("authorization", authorization);
    return h;
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("rpcsAndBadTokens")
  void everyCallWithoutTheRightTokenIsUnauthenticatedAndTouchesNothing(Rpc rpc, String what, CallOption[] options,
      BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.of(allocator, new int[] {7, 8})) {
      handle = store.put(t);
    }
    try (QuiverServer server = QuiverServer.builder(store).port(0).authToken("s3cret").start();
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> rpc.call(client, allocator, handle, options));
      assertEquals(FlightStatusCode.UNAUTHENTICATED, e.status().code(), e.toString());
      assertEquals(List.of(handle), store.handles(""), "the store is as it was");
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
  void aTokenServedBeyondLoopbackWithoutTlsIsWarnedAboutOnce(@TempDir Path dir) throws Throwable {
    String plain = stderrWhile(() -> QuiverServer.builder(store).host("0.0.0.0").port(0).authToken("t").start().close());
    assertEquals(1, plain.split("the bearer token and every tensor cross the network in clear", -1).length - 1, plain);
    assertTrue(plain.contains("WARN") && plain.contains("'0.0.0.0' without TLS"), plain);

    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    String tls = stderrWhile(() -> QuiverServer.builder(store).host("0.0.0.0").port(0).authToken("t")
        .tls(cert.certificate(), cert.privateKey()).start().close());
    String loopback = stderrWhile(() -> QuiverServer.builder(store).port(0).authToken("t").start().close());
    assertFalse(tls.contains("in clear"), tls);
    assertFalse(loopback.contains("in clear"), loopback);
  }

  /** What SLF4J's simple logger (which writes to the current System.err) prints while {@code action} runs. */
  private static String stderrWhile(Executable action) throws Throwable {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      action.execute();
    } finally {
      System.setErr(stderr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aWildcardBindAdvertisesThisMachinesHostNameNotTheWildcard(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.scalar(allocator, 1f)) {
      handle = store.put(t);
    }
    try (QuiverServer server = QuiverServer.builder(store).host("0.0.0.0").port(0).authToken("t").start();
         FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
             .build()) {
      assertEquals(java.net.InetAddress.getLocalHost().getHostName(), server.location().getUri().getHost());
      assertEquals(server.port(), server.location().getUri().getPort());
      FlightInfo info = client.getInfo(FlightProtocol.tensorDescriptor(handle), bearer("t"));
      assertEquals(List.of(server.location()), info.getEndpoints().get(0).getLocations());
    }
  }

  @Test
  void anAdvertisedAddressIsTheLocationEndpointsName(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.scalar(allocator, 1f)) {
      handle = store.put(t);
    }
    try (QuiverServer server = QuiverServer.builder(store).port(0).advertise("tensors.example:9999").start();
         FlightClient client = FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
             .build()) {
      assertEquals(Location.forGrpcInsecure("tensors.example", 9999), server.location());
      FlightInfo info = client.getInfo(FlightProtocol.tensorDescriptor(handle));
      assertEquals(List.of(server.location()), info.getEndpoints().get(0).getLocations());
    }
    try (QuiverServer server = QuiverServer.builder(store).port(0).advertise("tensors.example").start()) {
      assertEquals(Location.forGrpcInsecure("tensors.example", server.port()), server.location());
    }
    for (String bad : new String[] {"", "a b", "host/path", "user@host"}) {
      assertThrows(IllegalArgumentException.class, () -> QuiverServer.builder(store).advertise(bad), bad);
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
  void aTlsClientThatDoesNotTrustTheCertificateFailsCleanly(BufferAllocator allocator, @TempDir Path dir)
      throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
    try (QuiverServer server = QuiverServer.builder(store).port(0).tls(cert.certificate(), cert.privateKey()).start();
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) { // the JDK's trust only
      long start = System.nanoTime();
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> client.listActions(CallOptions.timeout(30, TimeUnit.SECONDS)).iterator().next());
      assertEquals(FlightStatusCode.UNAVAILABLE, e.status().code(), e.toString());
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "it failed at once, not at the deadline");
      assertEquals(0, server.allocator().getAllocatedMemory());
    }
  }

  @Test
  void missingTlsFilesAreRefusedBeforeBinding(@TempDir Path dir) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> QuiverServer.builder(store).port(0).tls(dir.resolve("none.crt"), dir.resolve("none.key")).start());
    assertTrue(e.getMessage().contains("none.crt"), e.getMessage());
  }
}
