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
import org.apache.arrow.flight.auth.ServerAuthHandler;
import org.apache.arrow.flight.auth.ServerAuthInterceptor;
import org.apache.arrow.flight.grpc.ServerBackpressureThresholdInterceptor;
import org.apache.arrow.flight.impl.FlightServiceGrpc;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Flight's gRPC service exactly as {@link FlightServer} binds it, except that uploads (DoPut, DoExchange) are
 * parsed by {@link FlightDataMarshaller}, which copies each received body once instead of three times.
 *
 * <p>Registered on the server's gRPC builder after Flight's own service, under the same service name, it takes
 * its place (gRPC keeps the last service registered under a name). Pinned to Arrow Java 19, like
 * {@link RecordBatchPassthrough}.
 */
public final class FlightServiceBinding {
  private static final Set<String> UPLOADS = Set.of(
      FlightServiceGrpc.getDoPutMethod().getFullMethodName(),
      FlightServiceGrpc.getDoExchangeMethod().getFullMethodName());

  private FlightServiceBinding() {}

  /**
   * Flight's service for {@code producer}, with the same interceptors {@link FlightServer.Builder#build} puts
   * around it (the backpressure threshold of each call, and the legacy handshake check, which with no
   * {@code authHandler} admits every call). Header authentication and middleware are server-wide interceptors
   * and stay as the builder set them.
   *
   * @throws IllegalStateException if this Arrow version does not support {@link FlightDataMarshaller}
   */
  public static ServerServiceDefinition bind(BufferAllocator allocator, FlightProducer producer,
      ExecutorService executor, int backpressureThreshold) {
    if (!FlightDataMarshaller.isAvailable()) {
      throw new IllegalStateException("FlightDataMarshaller does not support this Arrow Flight version");
    }
    ServerServiceDefinition flights =
        new FlightBindingService(allocator, producer, ServerAuthHandler.NO_OP, executor).bindService();
    FlightDataMarshaller uploads = new FlightDataMarshaller(allocator);
    ServiceDescriptor.Builder service = ServiceDescriptor.newBuilder(flights.getServiceDescriptor().getName())
        .setSchemaDescriptor(flights.getServiceDescriptor().getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : flights.getMethods()) {
      ServerMethodDefinition<?, ?> bound = UPLOADS.contains(m.getMethodDescriptor().getFullMethodName())
          ? withRequestMarshaller(m, uploads) : m;
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
  private static <RespT> ServerMethodDefinition<ArrowMessage, RespT> withRequestMarshaller(
      ServerMethodDefinition<?, ?> method, FlightDataMarshaller requests) {
    ServerMethodDefinition<ArrowMessage, RespT> m = (ServerMethodDefinition<ArrowMessage, RespT>) method;
    MethodDescriptor<ArrowMessage, RespT> d = m.getMethodDescriptor();
    ServerCallHandler<ArrowMessage, RespT> handler = m.getServerCallHandler();
    return ServerMethodDefinition.create(d.toBuilder(requests, d.getResponseMarshaller()).build(), handler);
  }
}
