package dev.quiver.flight;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.arrow.flight.impl.FlightServiceGrpc;

/**
 * Sends the calls that may block to the server's pool; every other call runs on gRPC's network thread (the
 * server's default executor is direct).
 *
 * <p>Why: a one-element DoGet is a few microseconds of work, and handing it to a pool thread and its answer
 * back to the network thread costs two thread wake-ups, which dominate its round trip (more so on a busy
 * machine). DoGet only takes references to memory and writes them without waiting (it resumes on gRPC's
 * on-ready callback); GetFlightInfo, GetSchema, DoAction and ListActions only read or update the store's
 * index. Work that may touch the disk moves itself to the pool: a DoGet of a tensor that is not in memory
 * ({@link StoreFlightProducer#getStream}, through {@code HandleStore.getIfInMemory}, which never reads the disk),
 * and the {@code delete} and {@code stats} actions, which remove spill files ({@link StoreFlightProducer#doAction}).
 * Uploads block while they read their stream, a handshake may wait for its client, and a listing is as long as
 * the store: those run on the pool.
 */
final class BlockingCalls implements ServerCallExecutorSupplier {
  private static final Set<String> METHODS = Set.of(
      FlightServiceGrpc.getDoPutMethod().getFullMethodName(),
      FlightServiceGrpc.getDoExchangeMethod().getFullMethodName(),
      FlightServiceGrpc.getHandshakeMethod().getFullMethodName(),
      FlightServiceGrpc.getListFlightsMethod().getFullMethodName());

  private final Executor pool;

  BlockingCalls(Executor pool) {
    this.pool = pool;
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    return METHODS.contains(call.getMethodDescriptor().getFullMethodName()) ? pool : null;
  }
}
