package dev.quiver.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.QuiverException;
import dev.quiver.errors.UnavailableException;
import dev.quiver.flight.FlightErrors;
import dev.quiver.flight.FlightProtocol;
import dev.quiver.store.StoreStats;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorAssembler;
import dev.quiver.store.interchange.TensorBatches;
import dev.quiver.store.interchange.TensorSchema;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.RecordBatchPassthrough;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.auth2.BearerCredentialWriter;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A client of a Quiver Flight server: stores tensors, fetches them, lists and deletes handles.
 *
 * <pre>{@code
 * try (QuiverClient client = QuiverClient.connect("grpc+tcp://127.0.0.1:8815");
 *      Tensor t = Tensor.of(allocator, new float[] {1, 2, 3})) {
 *   String handle = client.put(t);
 *   try (Tensor back = client.get(handle)) { ... }
 * }
 * }</pre>
 *
 * <p>Every failure the server reports arrives as the {@link QuiverException} of its TensorFlow code
 * ({@link dev.quiver.errors.NotFoundException} for an unknown handle, ...). Tensors returned by {@link #get}
 * belong to the caller and live in the client's allocator; close them before the client. Thread-safe: one
 * client serves many threads.
 */
public final class QuiverClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final FlightClient flight;
  private final BufferAllocator allocator;
  private final boolean ownsAllocator;
  private final CallOption[] options;
  private final long maxBatchBytes;
  private final Location location;

  private QuiverClient(Builder b, FlightClient flight, BufferAllocator allocator, boolean ownsAllocator) {
    this.flight = flight;
    this.allocator = allocator;
    this.ownsAllocator = ownsAllocator;
    this.options = b.token == null
        ? new CallOption[0]
        : new CallOption[] {new CredentialCallOption(new BearerCredentialWriter(b.token))};
    this.maxBatchBytes = b.maxBatchBytes;
    this.location = b.location;
  }

  /** Connects without a token to {@code location}, e.g. {@code grpc+tcp://127.0.0.1:8815}. */
  public static QuiverClient connect(String location) {
    return builder(location).build();
  }

  /** A builder for a client of the server at {@code location} ({@code grpc+tcp://} or {@code grpc+tls://}). */
  public static Builder builder(String location) {
    return new Builder(parse(location));
  }

  /** A builder for a client of the server at {@code location}. */
  public static Builder builder(Location location) {
    return new Builder(Objects.requireNonNull(location, "location"));
  }

  /** The server this client talks to. */
  public Location location() {
    return location;
  }

  /** The allocator fetched tensors live in. */
  public BufferAllocator allocator() {
    return allocator;
  }

  // ---------------------------------------------------------------------------------------------

  /** Uploads {@code tensor} (borrowed) and returns its new handle. */
  public String put(Tensor tensor) {
    return put(tensor, bytes -> {});
  }

  /**
   * Uploads {@code tensor} (borrowed; its bytes are sent from its own memory, not copied) and returns the
   * new handle; {@code progress} receives the bytes sent so far after each batch.
   */
  public String put(Tensor tensor, LongConsumer progress) {
    Schema schema = TensorSchema.of(tensor.dtype(), tensor.shape());
    List<ArrowRecordBatch> batches = TensorBatches.of(tensor, maxBatchBytes);
    try (SyncPutListener answers = new SyncPutListener()) {
      FlightClient.ClientStreamListener upload;
      // The root only carries the schema into startPut; batches go out as they are, slices of the tensor.
      try (VectorSchemaRoot schemaOnly = VectorSchemaRoot.create(schema, allocator)) {
        upload = flight.startPut(FlightProtocol.uploadDescriptor(), schemaOnly, answers, options);
      }
      long sent = 0;
      try {
        for (int i = 0; i < batches.size(); i++) {
          awaitReady(upload, answers);
          if (answers.isCancelled()) {
            break; // the server ended the call early (an error); getResult below reports it
          }
          try (ArrowRecordBatch batch = batches.set(i, null)) {
            RecordBatchPassthrough.send(upload, batch);
            sent += batch.computeBodyLength();
          }
          progress.accept(sent);
        }
        upload.completed();
      } catch (RuntimeException e) {
        upload.error(e);
        throw e;
      }
      try (PutResult result = answers.read()) {
        upload.getResult(); // throws the server's error, if any
        if (result == null) {
          throw new UnavailableException("the server at " + location + " answered the upload without a handle");
        }
        ArrowBuf meta = result.getApplicationMetadata();
        byte[] bytes = new byte[(int) meta.readableBytes()];
        meta.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (FlightRuntimeException e) {
      throw FlightErrors.toQuiver(e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof FlightRuntimeException
          ? FlightErrors.toQuiver((FlightRuntimeException) e.getCause())
          : new UnavailableException("upload to " + location + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.quiver.errors.CancelledException("upload to " + location + " was interrupted", e);
    } finally {
      closeAll(batches);
    }
  }

  /** Waits (without spinning a core) until gRPC is ready to take the next batch or the call has ended. */
  private static void awaitReady(FlightClient.ClientStreamListener upload, SyncPutListener answers) {
    while (!upload.isReady() && !answers.isCancelled()) {
      LockSupport.parkNanos(50_000);
    }
  }

  /** Fetches the tensor of {@code handle}; the caller closes it. */
  public Tensor get(String handle) {
    return get(handle, bytes -> {});
  }

  /** Fetches the tensor of {@code handle}; {@code progress} receives the bytes received after each batch. */
  public Tensor get(String handle, LongConsumer progress) {
    Objects.requireNonNull(handle, "handle");
    try (FlightStream stream = flight.getStream(new Ticket(handle.getBytes(StandardCharsets.UTF_8)), options)) {
      Schema schema = stream.getSchema();
      try (TensorAssembler assembler = new TensorAssembler(allocator, schema)) {
        long received = 0;
        while (stream.next()) {
          VectorSchemaRoot root = stream.getRoot();
          assembler.append(root);
          for (var v : root.getFieldVectors()) {
            received += v.getBufferSize();
          }
          progress.accept(received);
        }
        // One batch: the received buffer itself, accounted to our allocator once the stream lets go of it.
        return assembler.finish();
      }
    } catch (FlightRuntimeException e) {
      throw FlightErrors.toQuiver(e);
    } catch (QuiverException e) {
      throw e;
    } catch (Exception e) {
      throw new UnavailableException("fetching '" + handle + "' from " + location + " failed: " + e, e);
    }
  }

  /** What the server knows about {@code handle}, without fetching it. */
  public TensorListing info(String handle) {
    try {
      return listing(flight.getInfo(FlightProtocol.tensorDescriptor(handle), options));
    } catch (FlightRuntimeException e) {
      throw FlightErrors.toQuiver(e);
    }
  }

  /** Deletes {@code handle} on the server. */
  public void delete(String handle) {
    action(FlightProtocol.ACTION_DELETE, handle.getBytes(StandardCharsets.UTF_8));
  }

  /** Every handle the server holds. */
  public List<TensorListing> list() {
    return list("");
  }

  /** The handles that start with {@code prefix}. */
  public List<TensorListing> list(String prefix) {
    try {
      List<TensorListing> out = new ArrayList<>();
      for (FlightInfo info : flight.listFlights(new Criteria(prefix.getBytes(StandardCharsets.UTF_8)), options)) {
        out.add(listing(info));
      }
      return out;
    } catch (FlightRuntimeException e) {
      throw FlightErrors.toQuiver(e);
    }
  }

  /** The server's store statistics. */
  public StoreStats stats() {
    try {
      return JSON.readValue(action(FlightProtocol.ACTION_STATS, new byte[0]), StoreStats.class);
    } catch (IOException e) {
      throw new InvalidArgumentException("the server sent stats that are not the expected JSON: " + e.getMessage());
    }
  }

  /** The server's health answer, e.g. {@code SERVING}. */
  public String health() {
    try {
      JsonNode node = JSON.readTree(action(FlightProtocol.ACTION_HEALTH, new byte[0]));
      return node.path("status").asText();
    } catch (IOException e) {
      throw new InvalidArgumentException("the server sent a health answer that is not JSON: " + e.getMessage());
    }
  }

  /** Runs one action and returns the body of its single answer. */
  private byte[] action(String type, byte[] body) {
    try {
      Iterator<Result> results = flight.doAction(new Action(type, body), options);
      byte[] answer = results.hasNext() ? results.next().getBody() : new byte[0];
      while (results.hasNext()) {
        results.next();
      }
      return answer;
    } catch (FlightRuntimeException e) {
      throw FlightErrors.toQuiver(e);
    }
  }

  private static TensorListing listing(FlightInfo info) {
    List<String> path = info.getDescriptor().getPath();
    String handle = path.size() == 2 ? path.get(1) : new String(
        info.getEndpoints().get(0).getTicket().getBytes(), StandardCharsets.UTF_8);
    TensorSchema.Spec spec = TensorSchema.describe(info.getSchema());
    return new TensorListing(handle, spec.dtype(), spec.shape(), info.getBytes());
  }

  @Override
  public void close() {
    try {
      flight.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (ownsAllocator) {
        allocator.close();
      }
    }
  }

  private static void closeAll(List<ArrowRecordBatch> batches) {
    try {
      AutoCloseables.close(batches);
    } catch (Exception e) {
      throw new IllegalStateException("releasing upload batches failed", e);
    }
  }

  private static Location parse(String location) {
    Objects.requireNonNull(location, "location");
    try {
      URI uri = new URI(location.contains("://") ? location : "grpc+tcp://" + location);
      if (uri.getHost() == null || uri.getPort() < 0) {
        throw new IllegalArgumentException("'" + location + "' is no Flight location like grpc+tcp://127.0.0.1:8815");
      }
      return new Location(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + location + "' is no Flight location like grpc+tcp://127.0.0.1:8815", e);
    }
  }

  /** Configures a {@link QuiverClient}. Not thread-safe. */
  public static final class Builder {
    private final Location location;
    private String token;
    private Path trustedCertificate;
    private BufferAllocator allocator;
    private long maxBatchBytes = TensorBatches.DEFAULT_MAX_BATCH_BYTES;

    private Builder(Location location) {
      this.location = location;
    }

    /** Sends {@code authorization: Bearer <token>} with every call. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Trusts the PEM certificate(s) in {@code pem} for a {@code grpc+tls://} server (e.g. a self-signed one). */
    public Builder trustedCertificate(Path pem) {
      this.trustedCertificate = pem;
      return this;
    }

    /**
     * The allocator fetched tensors are accounted to (they are not copied), so they may outlive the client;
     * the client does not close it. By default the client makes its own and closes it with itself, so tensors
     * it fetched must be closed first.
     */
    public Builder allocator(BufferAllocator allocator) {
      this.allocator = allocator;
      return this;
    }

    /** The largest record batch {@link #put} sends; default 4 MiB. */
    public Builder maxBatchBytes(long bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxBatchBytes must be at least 1024, not " + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    /** Creates the client; the connection is made on the first call. */
    public QuiverClient build() {
      boolean owns = allocator == null;
      BufferAllocator alloc = owns ? new RootAllocator() : allocator;
      try {
        FlightClient.Builder fb = FlightClient.builder(alloc, location);
        if (trustedCertificate != null) {
          // Flight reads the stream only in build(), so it must still be open then: hand it the bytes.
          fb.trustedCertificates(new ByteArrayInputStream(Files.readAllBytes(trustedCertificate)));
        }
        return new QuiverClient(this, fb.build(), alloc, owns);
      } catch (IOException e) {
        if (owns) {
          alloc.close();
        }
        throw new IllegalArgumentException("cannot read the trusted certificate '" + trustedCertificate + "': " + e, e);
      } catch (RuntimeException e) {
        if (owns) {
          alloc.close();
        }
        throw e;
      }
    }
  }
}
