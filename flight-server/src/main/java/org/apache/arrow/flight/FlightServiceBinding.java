package org.apache.arrow.flight;

import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.apache.arrow.flight.auth.ServerAuthHandler;
import org.apache.arrow.flight.auth.ServerAuthInterceptor;
import org.apache.arrow.flight.grpc.ServerBackpressureThresholdInterceptor;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Flight's gRPC service exactly as {@link FlightServer} binds it, except that {@code FlightData} travels through
 * {@link FlightDataMarshaller}: uploads (DoPut, DoExchange) copy each received body once instead of twice,
 * and downloads (DoGet, DoExchange) send batches without the copy Netty made of Flight's framing.
 *
 * <p>Registered on the server's gRPC builder after Flight's own service, under the same service name, it takes
 * its place (gRPC keeps the last service registered under a name). Pinned to Arrow Java 19, like
 * {@link RecordBatchPassthrough}.
 */
public final class FlightServiceBinding {
  private static final Set<String> UPLOADS = Set.of(
      FlightServiceGrpc.getDoPutMethod().getFullMethodName(),
      FlightServiceGrpc.getDoExchangeMethod().getFullMethodName());
  private static final Set<String> DOWNLOADS = Set.of(
      FlightServiceGrpc.getDoGetMethod().getFullMethodName(),
      FlightServiceGrpc.getDoExchangeMethod().getFullMethodName());

  private FlightServiceBinding() {}

  /**
   * Flight's service for {@code producer}, with the same interceptors {@link FlightServer.Builder#build} puts
   * around it (the backpressure threshold of each call, and the legacy handshake check, which with no
   * {@code authHandler} admits every call). Header authentication and middleware are server-wide interceptors
   * and stay as the builder set them. An upload message that cannot be parsed (malformed, or an
   * {@link org.apache.arrow.memory.OutOfMemoryException} when the allocator cannot hold it) ends its call with the
   * error {@code onUnparsableUpload} makes of the failure ({@link ParsingListener}).
   *
   * @throws IllegalStateException if this Arrow version does not support {@link FlightDataMarshaller}
   */
  public static ServerServiceDefinition bind(BufferAllocator allocator, FlightProducer producer,
      ExecutorService executor, int backpressureThreshold, Function<RuntimeException, Throwable> onUnparsableUpload) {
    if (!FlightDataMarshaller.isAvailable()) {
      throw new IllegalStateException("FlightDataMarshaller does not support this Arrow Flight version");
    }
    ServerServiceDefinition flights =
        new FlightBindingService(allocator, producer, ServerAuthHandler.NO_OP, executor).bindService();
    FlightDataMarshaller flightData = new FlightDataMarshaller(allocator);
    ServiceDescriptor.Builder service = ServiceDescriptor.newBuilder(flights.getServiceDescriptor().getName())
        .setSchemaDescriptor(flights.getServiceDescriptor().getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : flights.getMethods()) {
      String name = m.getMethodDescriptor().getFullMethodName();
      ServerMethodDefinition<?, ?> bound = UPLOADS.contains(name) || DOWNLOADS.contains(name)
          ? withMarshallers(m, UPLOADS.contains(name), DOWNLOADS.contains(name), flightData, onUnparsableUpload) : m;
      service.addMethod(bound.getMethodDescriptor());
      methods.add(bound);
    }
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service.build());
    methods.forEach(definition::addMethod);
    return ServerInterceptors.intercept(definition.build(),
        new ServerBackpressureThresholdInterceptor(backpressureThreshold),
        new ServerAuthInterceptor(ServerAuthHandler.NO_OP));
  }

  @SuppressWarnings("unchecked")
  private static <ReqT, RespT> ServerMethodDefinition<?, RespT> withMarshallers(ServerMethodDefinition<?, ?> method,
      boolean requests, boolean responses, FlightDataMarshaller flightData,
      Function<RuntimeException, Throwable> onUnparsableUpload) {
    ServerMethodDefinition<ReqT, RespT> m = (ServerMethodDefinition<ReqT, RespT>) method;
    MethodDescriptor<ReqT, RespT> d = m.getMethodDescriptor();
    MethodDescriptor.Marshaller<RespT> out =
        responses ? (MethodDescriptor.Marshaller<RespT>) flightData : d.getResponseMarshaller();
    if (!requests) {
      return ServerMethodDefinition.create(d.toBuilder(d.getRequestMarshaller(), out).build(), m.getServerCallHandler());
    }
    // Requests reach the listener raw and are parsed there, so a message that fails to parse gets a status of ours.
    ServerCallHandler<ArrowMessage, RespT> flights = (ServerCallHandler<ArrowMessage, RespT>) m.getServerCallHandler();
    return ServerMethodDefinition.create(d.toBuilder(ParsingListener.RAW, out).build(),
        ParsingListener.handler(flights, flightData, onUnparsableUpload));
  }
}
