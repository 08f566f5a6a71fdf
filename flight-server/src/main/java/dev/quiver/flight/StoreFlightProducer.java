package dev.quiver.flight;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.quiver.errors.CancelledException;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.NotFoundException;
import dev.quiver.errors.StatusCode;
import dev.quiver.executor.DeviceAttributes;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.store.TensorInfo;
import dev.quiver.store.interchange.TensorAssembler;
import dev.quiver.store.interchange.TensorSchema;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.UploadCancellation;
import org.apache.arrow.flight.UploadOpening;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link HandleStore} over Flight: one method per RPC of the protocol in
 * {@code docs/flight-protocol.md}. Every error leaves through {@link FlightErrors}. Thread-safe: gRPC calls
 * it from many threads at once.
 */
final class StoreFlightProducer implements FlightProducer {
  private static final Logger LOG = LoggerFactory.getLogger(StoreFlightProducer.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  /** Action name to description, in the order ListActions answers them. */
  private static final Map<String, String> ACTIONS = new LinkedHashMap<>();

  static {
    ACTIONS.put(FlightProtocol.ACTION_DELETE, "Deletes the handle given as the UTF-8 body; answers the handle.");
    ACTIONS.put(FlightProtocol.ACTION_STATS, "The store's statistics as a JSON object.");
    ACTIONS.put(FlightProtocol.ACTION_LIST_DEVICES, "The devices tensors live on, as a JSON array.");
    ACTIONS.put(FlightProtocol.ACTION_HEALTH, "{\"status\":\"SERVING\"} while the server accepts calls.");
  }


  private final HandleStore store;
  private final BufferAllocator allocator;
  private volatile Location location;
  private final long maxBatchBytes;
  private final Executor blockingWork;
  /** Differs between two servers' devices of the same name, as a session's incarnation does. */
  private final long incarnation = new SecureRandom().nextLong();
  private final Set<TensorStream> streams = ConcurrentHashMap.newKeySet();
  private final Set<FlightStream> uploads = ConcurrentHashMap.newKeySet();
  private volatile boolean shuttingDown;

  StoreFlightProducer(HandleStore store, BufferAllocator allocator, long maxBatchBytes, Executor blockingWork) {
    this.store = store;
    this.blockingWork = blockingWork;
    this.allocator = allocator;
    this.maxBatchBytes = maxBatchBytes;
  }

  /** Sets the location endpoints name: the server's, once its port is bound. */
  void advertise(Location where) {
    this.location = where;
  }

  // ---------------------------------------------------------------------------------------------
  // DoGet

  /**
   * Streams a tensor found in memory right away, on the network thread the call arrived on (no thread hop: a
   * one-element DoGet costs one event-loop turn); a spilled one is read back on the pool, never on that thread.
   */
  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    String handle;
    Tensor resident;
    try {
      checkServing();
      handle = FlightProtocol.utf8(ticket.getBytes(), "the ticket");
      resident = store.getIfInMemory(handle);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    if (resident != null) {
      stream(handle, resident, listener);
      return;
    }
    blockingWork.execute(() -> {
      Tensor reloaded;
      try {
        reloaded = store.get(handle);
      } catch (RuntimeException e) {
        listener.error(FlightErrors.toFlight(e));
        return;
      }
      stream(handle, reloaded, listener);
    });
  }

  /** Streams {@code tensor} (owned: released here once the stream holds its own references). */
  private void stream(String handle, Tensor tensor, ServerStreamListener listener) {
    TensorStream stream;
    try (tensor) {
      stream = TensorStream.prepare(allocator, handle, tensor, maxBatchBytes, listener, streams::remove);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    streams.add(stream);
    stream.start();
  }

  // ---------------------------------------------------------------------------------------------
  // DoPut

  @Override
  public Runnable acceptPut(CallContext context, FlightStream upload, StreamListener<PutResult> ack) {
    return () -> {
      String handle;
      uploads.add(upload); // before checkServing: abortUploads either sees it, or it sees the shutdown
      try {
        checkServing();
        awaitSchema(upload);
        checkUploadDescriptor(UploadOpening.sentDescriptor(upload));
        handle = store(upload);
      } catch (RuntimeException e) {
        ack.onError(FlightErrors.toFlight(e));
        return;
      } finally {
        uploads.remove(upload);
      }
      answer(context, ack, handle);
    };
  }

  /**
   * Answers an upload with its handle. A handle that cannot reach the client (the call was cancelled after the
   * upload ended, before the answer went out) is deleted: nobody else could ever name the tensor.
   */
  private void answer(CallContext context, StreamListener<PutResult> ack, String handle) {
    boolean answered = false;
    try {
      if (!context.isCancelled()) {
        byte[] bytes = handle.getBytes(StandardCharsets.UTF_8);
        // Flight copies the metadata into the answer and leaves the buffer to us.
        try (ArrowBuf metadata = allocator.buffer(bytes.length)) {
          metadata.writeBytes(bytes);
          ack.onNext(PutResult.metadata(metadata));
        }
        ack.onCompleted();
        answered = !context.isCancelled();
      }
    } catch (RuntimeException e) {
      LOG.debug("answering the upload of {} failed: {}", handle, e.toString());
    } finally {
      if (!answered) {
        LOG.info("the upload of {} was cancelled before its handle was answered; deleting it", handle);
        forget(handle);
      }
    }
  }

  private void forget(String handle) {
    try {
      store.delete(handle);
    } catch (RuntimeException alreadyGone) {
      // deleted, expired, or the store closed meanwhile: either way it is not kept
    }
  }

  /** Reads the whole upload and stores it; nothing is stored unless the stream ends cleanly and is a tensor. */
  private String store(FlightStream upload) {
    Schema schema = upload.getSchema();
    TensorSchema.describe(schema); // INVALID_ARGUMENT "not a tensor stream" before any data is read
    // A one-batch upload becomes the received buffer itself, accounted to the store once the call lets go.
    try (TensorAssembler assembler = new TensorAssembler(store.allocator(), schema)) {
      while (upload.next()) {
        assembler.append(upload.getRoot());
      }
      try (Tensor tensor = assembler.finish()) {
        return store.put(tensor);
      }
    }
  }

  /** Waits for the upload's first message; an upload that ends without a schema is not a tensor stream. */
  private void awaitSchema(FlightStream upload) {
    try {
      if (!UploadOpening.awaitSchema(upload)) {
        checkServing(); // ended by abortUploads, not by its client
        throw new InvalidArgumentException("not a tensor stream: the upload ended before its schema");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("the upload was interrupted while waiting for its schema");
    }
  }

  private static void checkUploadDescriptor(FlightDescriptor descriptor) {
    if (descriptor != null && !descriptor.isCommand() && descriptor.getPath().equals(List.of(FlightProtocol.TENSORS))) {
      return;
    }
    throw new InvalidArgumentException("uploads go to the descriptor path [\"" + FlightProtocol.TENSORS + "\"], not "
        + describe(descriptor));
  }

  // ---------------------------------------------------------------------------------------------
  // GetFlightInfo, ListFlights

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      List<String> path = descriptor.isCommand() ? List.of() : descriptor.getPath();
      if (path.size() != 2 || !path.get(0).equals(FlightProtocol.TENSORS)) {
        throw new InvalidArgumentException("a tensor's descriptor is the path [\"" + FlightProtocol.TENSORS
            + "\", handle], not " + describe(descriptor));
      }
      return flightInfo(path.get(1));
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void listFlights(CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    try {
      byte[] expression = criteria.getExpression();
      String prefix = expression == null ? "" : FlightProtocol.utf8(expression, "the criteria");
      for (String handle : store.handles(prefix)) {
        try {
          listener.onNext(flightInfo(handle));
        } catch (NotFoundException deletedMeanwhile) {
          // listing is a snapshot; a handle deleted or expired since is simply not listed
        }
      }
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  private FlightInfo flightInfo(String handle) {
    TensorInfo info = store.info(handle);
    Schema schema = TensorSchema.of(info.dtype(), info.shape());
    byte[] ticket = handle.getBytes(StandardCharsets.UTF_8);
    FlightEndpoint endpoint = new FlightEndpoint(new Ticket(ticket), location);
    long rows = info.shape().rank() == 0 ? 1 : info.shape().dim(0);
    return FlightInfo.builder(schema, FlightProtocol.tensorDescriptor(handle), List.of(endpoint))
        .setBytes(info.byteSize())
        .setRecords(rows)
        .setOrdered(true)
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // DoAction, ListActions

  /**
   * Runs an action; {@code delete} and {@code stats} on the pool, since freeing a handle deletes its spill file
   * and {@code stats} first frees expired handles (DoAction starts on the network thread, {@link BlockingCalls}).
   */
  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    String type = action.getType();
    if (FlightProtocol.ACTION_DELETE.equals(type) || FlightProtocol.ACTION_STATS.equals(type)) {
      blockingWork.execute(() -> runAction(action, listener));
    } else {
      runAction(action, listener);
    }
  }

  private void runAction(Action action, StreamListener<Result> listener) {
    try {
      byte[] answer;
      switch (action.getType()) {
        case FlightProtocol.ACTION_DELETE:
          String handle = FlightProtocol.utf8(action.getBody(), "the body of 'delete'");
          store.delete(handle);
          answer = handle.getBytes(StandardCharsets.UTF_8);
          break;
        case FlightProtocol.ACTION_STATS:
          answer = json(store.stats());
          break;
        case FlightProtocol.ACTION_LIST_DEVICES:
          answer = json(List.of(device(listDevice())));
          break;
        case FlightProtocol.ACTION_HEALTH:
          checkServing();
          answer = json(Map.of("status", "SERVING", "store", store.id()));
          break;
        default:
          throw FlightErrors.callStatus(StatusCode.UNIMPLEMENTED, "unknown action '" + action.getType()
              + "'; this server knows " + String.join(", ", ACTIONS.keySet())).toRuntimeException();
      }
      listener.onNext(new Result(answer));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach((type, description) -> listener.onNext(new ActionType(type, description)));
    listener.onCompleted();
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown

  /** Refuses new transfers from now on; calls already running go on. */
  void stopAccepting() {
    shuttingDown = true;
  }

  /** Ends every stream still running with UNAVAILABLE, releasing its buffers. */
  void abortStreams() {
    FlightRuntimeException error =
        FlightErrors.callStatus(StatusCode.UNAVAILABLE, "the Quiver server is shutting down").toRuntimeException();
    for (TensorStream s : List.copyOf(streams)) {
      LOG.info("aborting the stream of {} at shutdown", s.handle());
      s.abort(error);
    }
  }

  /** Ends every upload still being received with UNAVAILABLE; its reader frees what it holds and answers. */
  void abortUploads() {
    FlightRuntimeException error =
        FlightErrors.callStatus(StatusCode.UNAVAILABLE, "the Quiver server is shutting down").toRuntimeException();
    for (FlightStream upload : List.copyOf(uploads)) {
      LOG.info("aborting an upload at shutdown");
      UploadCancellation.fail(upload, error);
    }
  }

  int activeStreams() {
    return streams.size();
  }

  private void checkServing() {
    if (shuttingDown) {
      throw FlightErrors.callStatus(StatusCode.UNAVAILABLE, "the Quiver server is shutting down").toRuntimeException();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The store's device as the executor describes a session's ({@code Session.listDevices()}): its name and
   * type, the limit of the allocator tensors live in, and this server's incarnation.
   */
  private DeviceAttributes listDevice() {
    String name = store.device();
    String type = "CPU";
    int at = name.lastIndexOf("device:");
    if (at >= 0) {
      String rest = name.substring(at + "device:".length());
      int colon = rest.indexOf(':');
      type = colon > 0 ? rest.substring(0, colon) : rest;
    } else if (name.contains(":")) {
      type = name.substring(0, name.indexOf(':'));
    }
    return new DeviceAttributes(name, type, store.allocator().getLimit(), incarnation);
  }

  /** The JSON of a device: the attribute names of TensorFlow's {@code Session.list_devices()} entries. */
  private static Map<String, Object> device(DeviceAttributes d) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", d.name());
    json.put("device_type", d.deviceType());
    json.put("memory_limit_bytes", d.memoryLimit());
    json.put("incarnation", d.incarnation());
    return json;
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value + " as JSON", e);
    }
  }

  private static String describe(FlightDescriptor d) {
    if (d == null) {
      return "no descriptor";
    }
    return d.isCommand() ? "a command descriptor" : "the path " + d.getPath();
  }
}
