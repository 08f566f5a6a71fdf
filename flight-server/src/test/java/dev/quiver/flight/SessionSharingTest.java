package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.quiver.executor.Graph;
import dev.quiver.executor.Ops;
import dev.quiver.executor.Output;
import dev.quiver.executor.Result;
import dev.quiver.executor.Session;
import dev.quiver.executor.SessionConfig;
import dev.quiver.executor.SessionTensor;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A server embedded next to sessions on the same store: handles flow both ways without copies of the API. */
@ExtendWith(LeakCheckedAllocator.class)
class SessionSharingTest {
  @Test
  void aHandleMadeByGetSessionHandleIsFetchableOverFlight(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().build();
         QuiverServer server = QuiverServer.builder(store).port(0).start();
         Graph graph = new Graph(allocator);
         Session session = new Session(graph, SessionConfig.builder().handleStore(store).build());
         FlightClient client = FlightClient.builder(allocator, server.location()).build()) {
      Ops tf = Ops.create(graph);
      Output doubled = tf.math.multiply(tf.constant(new float[] {1, 2, 3}), tf.constant(2f));
      try (Result r = session.run(tf.getSessionHandle(doubled));
           Tensor fetched = FlightTensors.get(client, allocator, r.handle().handle())) {
        assertArrayEquals(new float[] {2, 4, 6}, fetched.toFloatArray());
      }
    }
  }

  @Test
  void aTensorUploadedOverFlightFeedsGetSessionTensor(BufferAllocator allocator) throws Exception {
    try (HandleStore store = HandleStore.builder().build();
         QuiverServer server = QuiverServer.builder(store).port(0).start();
         Graph graph = new Graph(allocator);
         Session session = new Session(graph, SessionConfig.builder().handleStore(store).build());
         FlightClient client = FlightClient.builder(allocator, server.location()).build();
         Tensor upload = Tensor.of(allocator, new float[] {1, 2, 3, 4}, 2, 2)) {
      String handle = FlightTensors.put(client, upload);
      Ops tf = Ops.create(graph);
      SessionTensor fed = tf.getSessionTensor(handle, DType.FLOAT32);
      Output times10 = tf.math.multiply(fed.tensor(), tf.constant(10f));
      try (Result r = session.run(times10, Map.of(fed.placeholder(), handle))) {
        assertArrayEquals(new float[] {10, 20, 30, 40}, r.tensor().toFloatArray());
      }
    }
  }
}
