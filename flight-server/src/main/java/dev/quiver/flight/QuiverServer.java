package dev.quiver.flight;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.QuiverException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.store.HandleStore;
import dev.quiver.store.interchange.TensorBatches;
import io.grpc.netty.NettyServerBuilder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightDataMarshaller;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightServiceBinding;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link HandleStore} over Arrow Flight (the protocol of {@code docs/flight-protocol.md}).
 *
 * <p>The server does not own the store: sessions in the same JVM that use the same store share handles
 * with Flight clients, and the store outlives the server. The server's own transient memory (streams in
 * flight, uploads being received) comes from a child allocator of the store's, which is back to zero when
 * {@link #close} returns.
 *
 * <p>Without an auth token the server binds only to a loopback address; {@link Builder#start} refuses any
 * other host. With a token every call must carry {@code authorization: Bearer <token>}; a server bound beyond
 * loopback without TLS logs a warning at start, since the token then travels in clear.
 *
 * <pre>{@code
 * try (HandleStore store = HandleStore.builder().build();
 *      QuiverServer server = QuiverServer.builder(store).port(0).start()) {
 *   System.out.println("serving at " + server.location());
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close} is idempotent.
 */
public final class QuiverServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuiverServer.class);
  /** Bytes of a DoGet's references gRPC may queue before the stream waits for the client (Flight's default). */
  static final int BACKPRESSURE_THRESHOLD = 10 << 20;
  /** How long {@link #close} waits for upload runnables to see their call's cancellation, before interrupting them. */
  static final Duration UPLOAD_DRAIN = Duration.ofSeconds(5);
  /**
   * Bytes a connection may queue for the socket before Netty calls it unwritable. HTTP/2 flow control hands
   * Netty only that much per flush, so Netty's 64 KiB default cut a 256 MiB DoGet into 4,096 writes and as many
   * wake-ups of the client; at 4 MiB the server's CPU per byte halved. The queue holds references to stored
   * tensors, not copies.
   */
  static final WriteBufferWaterMark WRITE_QUEUE = new WriteBufferWaterMark(2 << 20, 4 << 20);

  private final HandleStore store;
  private final BufferAllocator allocator;
  private final StoreFlightProducer producer;
  private final FlightServer flight;
  private final Location location;
  private final ExecutorService executor;
  private final Duration gracePeriod;
  private final boolean requiresToken;
  private boolean closed;

  private QuiverServer(Builder b, BufferAllocator allocator, StoreFlightProducer producer, FlightServer flight,
      Location location, ExecutorService executor) {
    this.executor = executor;
    this.store = b.store;
    this.allocator = allocator;
    this.producer = producer;
    this.flight = flight;
    this.location = location;
    this.gracePeriod = b.gracePeriod;
    this.requiresToken = b.authToken != null;
  }

  /** A builder for a server of {@code store}. */
  public static Builder builder(HandleStore store) {
    return new Builder(store);
  }

  /**
   * Where clients connect: the advertised host ({@link Builder#advertise}) and the port actually bound (useful
   * after {@code port(0)}). FlightInfo endpoints name this location.
   */
  public Location location() {
    return location;
  }

  /** The port the server listens on. */
  public int port() {
    return flight.getPort();
  }

  /** The store this server serves. */
  public HandleStore store() {
    return store;
  }

  /** True if calls must carry a bearer token. */
  public boolean requiresToken() {
    return requiresToken;
  }

  /** The allocator of the server's transient memory; zero when no transfer is in flight. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /** DoGet streams still sending (for tests of cancellation and shutdown). */
  int activeStreams() {
    return producer.activeStreams();
  }

  /** Blocks until the server has shut down. */
  public void awaitTermination() throws InterruptedException {
    flight.awaitTermination();
  }

  /**
   * Shuts the server down gracefully: new calls are refused at once, calls in flight get the grace
   * period to finish, then streams still running end with UNAVAILABLE. Returns when every transfer has
   * released its memory. The store stays open.
   *
   * @throws IllegalStateException if the server's allocator still holds memory after shutdown (a leak)
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    producer.stopAccepting();
    flight.shutdown();
    try {
      if (!flight.awaitTermination(gracePeriod.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.info("{} stream(s) still running after the {} grace period; aborting them and any upload",
            producer.activeStreams(), gracePeriod);
        producer.abortStreams();
        producer.abortUploads(); // else Flight's close() would wait 3 s more for them before cancelling
      }
      flight.close(); // cancels what is left and waits for gRPC to let go of every buffer
      awaitUploads();
      awaitRelease();
    } catch (InterruptedException e) {
      producer.abortStreams();
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdown();
      allocator.close();
    }
    LOG.info("Quiver Flight server at {} stopped", location);
  }

  /**
   * Waits for the pool's work to end: an upload's runnable outlives its cancelled call until it has seen the
   * cancellation and freed what it received, and closing the allocator before would report that memory as a
   * leak. Bounded: a runnable still running after {@link #UPLOAD_DRAIN} is interrupted.
   */
  private void awaitUploads() throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(UPLOAD_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("uploads still running {} after shutdown; interrupting them", UPLOAD_DRAIN);
      executor.shutdownNow();
      executor.awaitTermination(UPLOAD_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Netty frees the last queued messages of cancelled streams on its own threads, shortly after termination. */
  private void awaitRelease() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (allocator.getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Configures and starts a {@link QuiverServer}. Not thread-safe. */
  public static final class Builder {
    private final HandleStore store;
    private String host = FlightProtocol.DEFAULT_HOST;
    private int port = FlightProtocol.DEFAULT_PORT;
    private String authToken;
    private Path tlsCertificate;
    private Path tlsPrivateKey;
    private long maxBatchBytes = TensorBatches.DEFAULT_MAX_BATCH_BYTES;
    private Duration gracePeriod = Duration.ofSeconds(5);
    private String advertiseHost;
    private int advertisePort = -1;

    private Builder(HandleStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The address to bind; default {@code 127.0.0.1}. Any non-loopback host needs an {@link #authToken}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The host (or {@code host:port}) clients are told to connect to, in FlightInfo endpoints and
     * {@link QuiverServer#location}. By default the bound host, except that a wildcard bind ({@code 0.0.0.0},
     * {@code ::}) advertises this machine's host name: the wildcard is no address a client can reach. A port
     * given here (say, one a proxy forwards) replaces the bound one in what is advertised.
     */
    public Builder advertise(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "hostAndPort");
      URI uri;
      try {
        uri = new URI("grpc://" + hostAndPort);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("'" + hostAndPort + "' is not a host or host:port to advertise", e);
      }
      if (uri.getHost() == null || uri.getPath() != null && !uri.getPath().isEmpty() || uri.getUserInfo() != null) {
        throw new IllegalArgumentException("'" + hostAndPort + "' is not a host or host:port to advertise");
      }
      this.advertiseHost = uri.getHost();
      this.advertisePort = uri.getPort();
      return this;
    }

    /** The port to bind; default 8815; 0 picks a free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not in 0..65535");
      }
      this.port = port;
      return this;
    }

    /** Requires every call to carry {@code authorization: Bearer <token>}; null for no authentication. */
    public Builder authToken(String token) {
      if (token != null && token.isBlank()) {
        throw new IllegalArgumentException("the auth token must not be blank");
      }
      this.authToken = token;
      return this;
    }

    /** Serves over TLS with a PEM certificate chain and a PEM (PKCS#8) private key. */
    public Builder tls(Path certificateChain, Path privateKey) {
      this.tlsCertificate = Objects.requireNonNull(certificateChain, "certificateChain");
      this.tlsPrivateKey = Objects.requireNonNull(privateKey, "privateKey");
      return this;
    }

    /** The largest record batch DoGet sends; default {@link TensorBatches#DEFAULT_MAX_BATCH_BYTES}. */
    public Builder maxBatchBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxBatchBytes must be at least 1024, not " + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /** How long {@link QuiverServer#close} lets calls in flight finish before aborting them; default 5 s. */
    public Builder shutdownGracePeriod(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("the grace period must not be negative: " + grace);
      }
      this.gracePeriod = grace;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws IllegalArgumentException if the host is not a loopback address and no token is set, or the
     *     TLS files are missing
     * @throws IOException if the port cannot be bound
     */
    public QuiverServer start() throws IOException {
      boolean tls = tlsCertificate != null;
      checkExposure(tls);
      if (tls) {
        requireFile(tlsCertificate, "TLS certificate");
        requireFile(tlsPrivateKey, "TLS private key");
      }
      Location bind = tls ? Location.forGrpcTls(host, port) : Location.forGrpcInsecure(host, port);
      BufferAllocator allocator = store.allocator().newChildAllocator("flight-server", 0, Long.MAX_VALUE);
      // Our own executor: Flight would shut its default one down with the listener, and streams finishing
      // during the grace period still need it for their on-ready callbacks.
      ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
      FlightServer flight = null;
      try {
        StoreFlightProducer producer = new StoreFlightProducer(store, allocator, maxBatchBytes, executor);
        FlightServer.Builder fb = FlightServer.builder(allocator, bind, producer).executor(executor)
            .backpressureThreshold(BACKPRESSURE_THRESHOLD)
            .transportHint("grpc.builderConsumer", tuning(store, allocator, producer, executor, tls));
        if (authToken != null) {
          fb.headerAuthenticator(new StaticTokenAuthenticator(authToken));
        }
        if (tls) {
          fb.useTls(tlsCertificate.toFile(), tlsPrivateKey.toFile());
        }
        flight = fb.build().start();
        Location actual = flight.getLocation();
        Location advertised = advertisedLocation(tls, flight.getPort());
        producer.advertise(advertised); // endpoints name the port actually bound
        QuiverServer server = new QuiverServer(this, allocator, producer, flight, advertised, executor);
        LOG.info("Quiver Flight server listening at {}{}{}{}", actual,
            advertised.equals(actual) ? "" : ", advertised as " + advertised.getUri(), tls ? " (TLS)" : "",
            authToken != null ? " (bearer token required)" : "");
        return server;
      } catch (IOException | RuntimeException e) {
        if (flight != null) {
          try {
            flight.close();
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        }
        executor.shutdown();
        allocator.close();
        throw e;
      }
    }

    /**
     * What Flight's builder does not expose: calls that cannot block run on the network thread
     * ({@link BlockingCalls}); a deeper write queue ({@link #WRITE_QUEUE}) and Netty's own allocator; received
     * buffers are composed, not merged ({@link ComposingNegotiator}); batches
     * go out without a copy and uploads are parsed with one copy per body instead of two
     * ({@link FlightDataMarshaller}), when this Arrow version allows it.
     */
    private static Consumer<NettyServerBuilder> tuning(HandleStore store, BufferAllocator allocator,
        StoreFlightProducer producer, ExecutorService executor, boolean tls) {
      return netty -> {
        if (!tls) { // over TLS gRPC's own negotiation stays (Flight configured it from the certificate)
          netty.protocolNegotiator(new ComposingNegotiator());
        }
        netty.directExecutor().callExecutor(new BlockingCalls(executor));
        netty.withChildOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_QUEUE);
        // Netty's default allocator (adaptive since Netty 4.2), not gRPC's pooled one: gRPC's pool gives a chunk
        // back to the OS as soon as it empties, so each large upload, held whole until its message is complete,
        // faulted in fresh pages again (10,000 to 50,000 page faults per 256 MiB DoPut; about 1,000 with Netty's).
        netty.withChildOption(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT);
        if (FlightDataMarshaller.isAvailable()) {
          BufferAllocator storeMemory = store.allocator();
          netty.addService(FlightServiceBinding.bind(allocator, producer, executor, BACKPRESSURE_THRESHOLD,
              failure -> FlightErrors.toFlight(unparsableUpload(store.id(), storeMemory, failure))));
        } else {
          LOG.warn("this Arrow Flight version does not allow single-copy uploads; using Flight's own parser");
        }
      };
    }

    /**
     * What an upload message that could not be parsed is answered with: RESOURCE_EXHAUSTED when the store's
     * allocator could not hold it (the store and what it holds are untouched), INVALID_ARGUMENT otherwise.
     */
    private static QuiverException unparsableUpload(String storeId, BufferAllocator root, RuntimeException failure) {
      if (failure instanceof OutOfMemoryException) {
        return new ResourceExhaustedException("an upload to handle store " + storeId + " was refused: "
            + failure.getMessage() + " within the store's allocator limit of " + root.getLimit() + " bytes ("
            + root.getAllocatedMemory() + " in use)", failure);
      }
      return new InvalidArgumentException(
          "not a tensor stream: a FlightData message is malformed (" + failure.getMessage() + ")", failure);
    }

    private static ThreadFactory daemonThreads() {
      AtomicInteger n = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, "quiver-flight-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }

    /** The location clients are told to use (see {@link #advertise}). */
    private Location advertisedLocation(boolean tls, int boundPort) {
      String where = advertiseHost != null ? advertiseHost : isWildcard(host) ? localHostName() : host;
      int p = advertisePort >= 0 ? advertisePort : boundPort;
      return tls ? Location.forGrpcTls(where, p) : Location.forGrpcInsecure(where, p);
    }

    private static boolean isWildcard(String host) {
      try {
        return InetAddress.getByName(host).isAnyLocalAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }

    private static String localHostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        LOG.warn("this machine's host name is unknown ({}); advertising 'localhost': set the address clients "
            + "should use with advertise (--advertise)", e.getMessage());
        return "localhost";
      }
    }

    /**
     * Refuses a host other than loopback without a token, and warns (once, at start) when a token would cross
     * the network in clear: bound beyond loopback without TLS, anyone on the path can read it and then use it.
     */
    private void checkExposure(boolean tls) {
      if (isLoopback(host)) {
        return;
      }
      if (authToken == null) {
        throw new IllegalArgumentException("refusing to serve on '" + host + "' without an auth token: anyone who "
            + "can reach it could read and delete every tensor. Set an auth token, or bind to 127.0.0.1.");
      }
      if (!tls) {
        LOG.warn("serving on '{}' without TLS: the bearer token and every tensor cross the network in clear, so "
            + "anyone who can see the traffic can take the token; serve TLS (--tls-cert and --tls-key), or bind "
            + "to 127.0.0.1", host);
      }
    }

    /** True if every address {@code host} names is a loopback address. */
    private static boolean isLoopback(String host) {
      try {
        InetAddress[] all = InetAddress.getAllByName(host);
        boolean loopback = all.length > 0;
        for (InetAddress a : all) {
          loopback &= a.isLoopbackAddress();
        }
        return loopback;
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown host '" + host + "'", e);
      }
    }

    private static void requireFile(Path p, String what) {
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("the " + what + " '" + p + "' is not a readable file");
      }
    }
  }
}
