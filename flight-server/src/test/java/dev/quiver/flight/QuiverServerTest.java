package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.store.DType;
import dev.quiver.store.HandleStore;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.Result;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The protocol of docs/flight-protocol.md, RPC by RPC, with a plain Flight client. */
@ExtendWith(LeakCheckedAllocator.class)
class QuiverServerTest {
  private HandleStore store;
  private QuiverServer server;

  @BeforeEach
  void start() throws Exception {
    store = HandleStore.builder().build();
    server = QuiverServer.builder(store).port(0).start();
  }

  @AfterEach
  void stop() {
    server.close();
    assertEquals(0, server.allocator().getAllocatedMemory(), "server memory after shutdown");
    store.close();
  }

  private FlightClient client(BufferAllocator allocator) {
    return FlightClient.builder(allocator, server.location()).build();
  }

  @Test
  void doGetStreamsAStoredTensorAsItsInterchangeStream(BufferAllocator allocator) throws Exception {
    float[] values = new float[3 * 5];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 0.5f;
    }
    String handle;
    try (Tensor t = Tensor.of(allocator, values, 3, 5)) {
      handle = store.put(t);
    }
    try (FlightClient client = client(allocator);
         Tensor back = FlightTensors.get(client, allocator, handle)) {
      assertEquals(DType.FLOAT32, back.dtype());
      assertEquals(Shape.of(3, 5), back.shape());
      assertArrayEquals(values, back.toFloatArray());
    }
  }

  @Test
  void doPutStoresTheStreamUnderANewHandleAnsweredAsAppMetadata(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator);
         Tensor t = Tensor.of(allocator, new long[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
      String handle = FlightTensors.put(client, t);
      assertTrue(store.contains(handle), handle);
      try (Tensor stored = store.get(handle)) {
        assertTrue(stored.contentEquals(t));
      }
    }
  }

  @Test
  void everyDtypeAndRankRoundTripsThroughPutAndGet(BufferAllocator allocator) throws Exception {
    List<Tensor> samples = List.of(
        Tensor.scalar(allocator, 2.5), Tensor.of(allocator, new int[] {1, -2, 3}),
        Tensor.of(allocator, new short[] {1, 2, 3, 4}, 2, 2), Tensor.of(allocator, new byte[] {-1, 2}, 2, 1),
        Tensor.ofUint8(allocator, new byte[] {(byte) 255, 0, 7}, 3),
        Tensor.of(allocator, new boolean[] {true, false, true, true}, 2, 1, 2),
        Tensor.of(allocator, new String[] {"a", "", "ünï", "δ"}, 2, 2),
        Tensor.of(allocator, new float[0], 0, 4));
    try (FlightClient client = client(allocator)) {
      for (Tensor t : samples) {
        String handle = FlightTensors.put(client, t);
        try (Tensor back = FlightTensors.get(client, allocator, handle)) {
          assertTrue(back.contentEquals(t), t + " came back as " + back);
        }
      }
    } finally {
      samples.forEach(Tensor::close);
    }
  }

  @Test
  void aTensorLargerThanOneBatchStreamsInSeveralBatchesAndArrivesWhole(BufferAllocator allocator) throws Exception {
    int rows = 3000;
    double[] values = new double[rows * 1000]; // 24 MB: six 4 MiB batches
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.sin(i);
    }
    try (Tensor t = Tensor.of(allocator, values, rows, 1000);
         FlightClient client = client(allocator)) {
      String handle = store.put(t);
      try (Tensor back = FlightTensors.get(client, allocator, handle)) {
        assertTrue(back.contentEquals(t));
      }
    }
  }

  @Test
  void doGetOfAnUnknownHandleIsNotFoundNamingTheHandle(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.scalar(allocator, 1)) {
      handle = store.put(t);
    }
    store.delete(handle);
    try (FlightClient client = client(allocator)) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> FlightTensors.get(client, allocator, handle).close());
      assertEquals(FlightStatusCode.NOT_FOUND, e.status().code());
      assertTrue(e.getMessage().contains(handle), e.getMessage());
    }
  }

  @Test
  void aMalformedTicketIsInvalidArgument(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> FlightTensors.get(client, allocator, "no-semicolons-here").close());
      assertEquals(FlightStatusCode.INVALID_ARGUMENT, e.status().code());
      assertTrue(e.getMessage().contains("no-semicolons-here"), e.getMessage());
    }
  }

  @Test
  void getFlightInfoGivesSchemaRowsBytesAndOneEndpointAtThisServer(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.of(allocator, new int[12], 4, 3)) {
      handle = store.put(t);
    }
    try (FlightClient client = client(allocator)) {
      FlightInfo info = client.getInfo(FlightProtocol.tensorDescriptor(handle));
      assertEquals(new TensorSchema.Spec(DType.INT32, Shape.of(4, 3)), TensorSchema.describe(info.getSchema()));
      assertEquals(4, info.getRecords());
      assertEquals(48, info.getBytes());
      assertEquals(1, info.getEndpoints().size());
      assertEquals(handle, new String(info.getEndpoints().get(0).getTicket().getBytes(), StandardCharsets.UTF_8));
      assertEquals(List.of(server.location()), info.getEndpoints().get(0).getLocations());
    }
  }

  @Test
  void getFlightInfoOfAnotherDescriptorIsInvalidArgument(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class,
          () -> client.getInfo(org.apache.arrow.flight.FlightDescriptor.path("tables", "x")));
      assertEquals(FlightStatusCode.INVALID_ARGUMENT, e.status().code());
    }
  }

  @Test
  void listFlightsListsEveryLiveHandleStartingWithTheCriteria(BufferAllocator allocator) throws Exception {
    List<String> handles = new ArrayList<>();
    try (Tensor a = Tensor.scalar(allocator, 1f); Tensor b = Tensor.scalar(allocator, 2f)) {
      handles.add(store.put("alpha", a));
      handles.add(store.put("beta", b));
      handles.add(store.put("alpha", b));
    }
    store.delete(handles.get(2));
    try (FlightClient client = client(allocator)) {
      assertEquals(Set.copyOf(handles.subList(0, 2)), listed(client, ""));
      assertEquals(Set.of(handles.get(0)), listed(client, "alpha"));
      assertEquals(Set.of(), listed(client, "gamma"));
    }
  }

  private static Set<String> listed(FlightClient client, String prefix) {
    List<String> out = new ArrayList<>();
    for (FlightInfo i : client.listFlights(new Criteria(prefix.getBytes(StandardCharsets.UTF_8)))) {
      out.add(i.getDescriptor().getPath().get(1));
    }
    return out.stream().collect(Collectors.toSet());
  }

  @Test
  void deleteActionRemovesTheHandleAndAnswersIt(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.scalar(allocator, 1)) {
      handle = store.put(t);
    }
    try (FlightClient client = client(allocator)) {
      assertEquals(handle, new String(action(client, "delete", handle), StandardCharsets.UTF_8));
      assertFalse(store.contains(handle));
      FlightRuntimeException again = assertThrows(FlightRuntimeException.class, () -> action(client, "delete", handle));
      assertEquals(FlightStatusCode.NOT_FOUND, again.status().code());
    }
  }

  @Test
  void statsActionAnswersTheStoreStatsAsSnakeCaseJson(BufferAllocator allocator) throws Exception {
    try (Tensor t = Tensor.of(allocator, new float[4])) {
      store.put(t);
    }
    try (FlightClient client = client(allocator)) {
      JsonNode stats = new ObjectMapper().readTree(action(client, "stats", ""));
      assertEquals(1, stats.get("handles_in_memory").asLong());
      assertEquals(16, stats.get("bytes_in_memory").asLong());
      assertTrue(stats.has("spills") && stats.has("hits"), stats.toString());
    }
  }

  @Test
  void listDevicesAnswersTheStoreDeviceWithTensorFlowsAttributes(BufferAllocator allocator) throws Exception {
    // TF 1.x: sess.list_devices()[0] has name, device_type, memory_limit_bytes, incarnation (observed, TF 2.x compat.v1).
    try (FlightClient client = client(allocator)) {
      JsonNode devices = new ObjectMapper().readTree(action(client, "list-devices", ""));
      assertEquals(1, devices.size());
      JsonNode device = devices.get(0);
      assertEquals(List.of("name", "device_type", "memory_limit_bytes", "incarnation"), fieldNames(device));
      assertEquals(store.device(), device.get("name").asText());
      assertEquals("CPU", device.get("device_type").asText());
      assertEquals(store.allocator().getLimit(), device.get("memory_limit_bytes").asLong());
      assertTrue(device.get("incarnation").isIntegralNumber(), device.toString());
      assertEquals(device.get("incarnation"), new ObjectMapper().readTree(action(client, "list-devices", "")).get(0)
          .get("incarnation"), "one server, one incarnation");
    }
  }

  @Test
  void aDeviceAttributedStoreListsThatDevicesType(BufferAllocator allocator) throws Exception {
    try (HandleStore gpuStore = HandleStore.builder().device("/job:w/replica:0/task:1/device:GPU:3")
             .memoryBudget(1 << 20).allocatorLimit(8 << 20).build();
         QuiverServer gpuServer = QuiverServer.builder(gpuStore).port(0).start();
         FlightClient client = FlightClient.builder(allocator, gpuServer.location()).build()) {
      JsonNode device = new ObjectMapper().readTree(action(client, "list-devices", "")).get(0);
      assertEquals("GPU", device.get("device_type").asText());
      assertEquals(8 << 20, device.get("memory_limit_bytes").asLong());
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void healthAnswersServingAndTheStore(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      JsonNode health = new ObjectMapper().readTree(action(client, "health", ""));
      assertEquals("SERVING", health.get("status").asText());
      assertEquals(store.id(), health.get("store").asText());
    }
  }

  @Test
  void listActionsDescribesEveryAction(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      List<String> types = new ArrayList<>();
      for (ActionType a : client.listActions()) {
        types.add(a.getType());
        assertFalse(a.getDescription().isBlank(), a.getType());
      }
      assertEquals(List.of("delete", "stats", "list-devices", "health"), types);
    }
  }

  @Test
  void anUnknownActionIsUnimplemented(BufferAllocator allocator) throws Exception {
    try (FlightClient client = client(allocator)) {
      FlightRuntimeException e = assertThrows(FlightRuntimeException.class, () -> action(client, "explode", ""));
      assertEquals(FlightStatusCode.UNIMPLEMENTED, e.status().code());
      assertTrue(e.getMessage().contains("explode"), e.getMessage());
    }
  }

  @Test
  void doGetSendsTheStoredBuffersWithoutAllocatingOnTheServer(BufferAllocator allocator) throws Exception {
    String handle;
    try (Tensor t = Tensor.of(allocator, new float[4 << 20], 4096, 1024)) { // 16 MiB
      handle = store.put(t);
    }
    long storePeakBefore = store.allocator().getPeakMemoryAllocation();
    try (FlightClient client = client(allocator);
         Tensor back = FlightTensors.get(client, allocator, handle)) {
      assertEquals(16L << 20, back.byteSize());
    }
    // Batches are slices of the stored tensor handed to gRPC as they are: no copy, no validity bitmaps.
    assertEquals(0, server.allocator().getPeakMemoryAllocation(), "bytes the server allocated for a DoGet");
    assertEquals(storePeakBefore, store.allocator().getPeakMemoryAllocation(), "store memory peak during a DoGet");
  }

  private static byte[] action(FlightClient client, String type, String body) {
    Iterator<Result> results = client.doAction(new Action(type, body.getBytes(StandardCharsets.UTF_8)));
    byte[] answer = results.next().getBody();
    assertFalse(results.hasNext(), "one result");
    return answer;
  }
}
