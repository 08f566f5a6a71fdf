package org.apache.arrow.flight;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.arrow.flight.grpc.StatusUtils;

/**
 * Parses an upload's FlightData messages in the call's listener rather than in gRPC, so that a message that cannot
 * be parsed (malformed, or too large for the allocator to receive) ends the call with a status the client can act on.
 *
 * <p>Why it exists: gRPC parses a request with the method's marshaller before the service sees it, and ends the
 * call with {@code UNKNOWN "Application error processing RPC"} (logging the exception as SEVERE) when the parse
 * throws. Here the method receives gRPC's raw stream and this listener parses it: a message that cannot be parsed
 * closes the call with the status {@code onUnparsable} gives, then cancels Flight's side of the call, whose own
 * attempt to close it afterwards is ignored. Not thread-safe, as gRPC listeners need not be.
 */
final class ParsingListener<RespT> extends ServerCall.Listener<InputStream> {
  /** gRPC's raw message stream, handed to the listener as is (gRPC closes it once {@code onMessage} returns). */
  static final io.grpc.MethodDescriptor.Marshaller<InputStream> RAW = new io.grpc.MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private final ServerCall.Listener<ArrowMessage> flight;
  private final ClosingOnce<RespT> call;
  private final FlightDataMarshaller flightData;
  private final Function<RuntimeException, Throwable> onUnparsable;
  private boolean failed;

  private ParsingListener(ServerCall.Listener<ArrowMessage> flight, ClosingOnce<RespT> call,
      FlightDataMarshaller flightData, Function<RuntimeException, Throwable> onUnparsable) {
    this.flight = flight;
    this.call = call;
    this.flightData = flightData;
    this.onUnparsable = onUnparsable;
  }

  /** {@code handler} (Flight's, for {@link ArrowMessage} requests) behind a listener that parses raw requests. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static <RespT> ServerCallHandler<InputStream, RespT> handler(ServerCallHandler<ArrowMessage, RespT> handler,
      FlightDataMarshaller flightData, Function<RuntimeException, Throwable> onUnparsable) {
    return (call, headers) -> {
      ClosingOnce<RespT> once = new ClosingOnce<>(call);
      // Flight's stub only requests, sends and closes through the call; it never reads its request marshaller.
      ServerCall.Listener<ArrowMessage> flight = handler.startCall((ServerCall) once, headers);
      return new ParsingListener<>(flight, once, flightData, onUnparsable);
    };
  }

  @Override
  public void onMessage(InputStream raw) {
    if (failed) {
      return;
    }
    ArrowMessage message;
    try {
      message = flightData.parse(raw);
    } catch (RuntimeException e) {
      failed = true;
      Throwable error = StatusUtils.toGrpcException(onUnparsable.apply(e));
      Status status = Status.fromThrowable(error);
      Metadata trailers = Status.trailersFromThrowable(error);
      call.close(status, trailers == null ? new Metadata() : trailers);
      flight.onCancel(); // Flight's stream fails, freeing what it holds; its own close is ignored
      return;
    }
    flight.onMessage(message);
  }

  @Override
  public void onHalfClose() {
    if (!failed) {
      flight.onHalfClose();
    }
  }

  @Override
  public void onCancel() {
    if (!failed) {
      flight.onCancel();
    }
  }

  @Override
  public void onComplete() {
    if (!failed) {
      flight.onComplete();
    }
  }

  @Override
  public void onReady() {
    if (!failed) {
      flight.onReady();
    }
  }

  /** A call that closes once; later closes (Flight's, after this listener ended the call) do nothing. */
  private static final class ClosingOnce<RespT> extends ForwardingServerCall.SimpleForwardingServerCall<InputStream, RespT> {
    private final AtomicBoolean closed = new AtomicBoolean();

    ClosingOnce(ServerCall<InputStream, RespT> call) {
      super(call);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (closed.compareAndSet(false, true)) {
        super.close(status, trailers);
      }
    }

    @Override
    public void sendMessage(RespT message) {
      if (!closed.get()) {
        super.sendMessage(message);
      }
    }
  }
}
