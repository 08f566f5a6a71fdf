package dev.quiver.flight;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorAssembler;
import dev.quiver.store.interchange.TensorBatches;
import dev.quiver.store.interchange.TensorSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.SyncPutListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Tensor uploads and downloads with a plain {@link FlightClient} and only Flight's public API (roots loaded
 * batch by batch), as any Java Flight client would do it: the server must not depend on our own client.
 */
final class FlightTensors {
  private FlightTensors() {}

  static String put(FlightClient client, Tensor tensor, CallOption... options) throws Exception {
    return put(client, tensor, 1 << 20, options);
  }

  /** Uploads {@code tensor} in batches of at most {@code maxBatchBytes} of elements. */
  static String put(FlightClient client, Tensor tensor, long maxBatchBytes, CallOption... options) throws Exception {
    BufferAllocator allocator = tensor.allocator();
    List<ArrowRecordBatch> batches = TensorBatches.of(tensor, maxBatchBytes);
    try (VectorSchemaRoot root = VectorSchemaRoot.create(TensorSchema.of(tensor), allocator);
         SyncPutListener answers = new SyncPutListener()) {
      FlightClient.ClientStreamListener upload =
          client.startPut(FlightProtocol.uploadDescriptor(), root, answers, options);
      for (ArrowRecordBatch b : batches) {
        TensorBatches.load(root, b);
        upload.putNext();
      }
      upload.completed();
      upload.getResult();
      try (PutResult r = answers.read()) {
        ArrowBuf meta = r.getApplicationMetadata();
        byte[] bytes = new byte[(int) meta.readableBytes()];
        meta.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
      }
    } finally {
      batches.forEach(ArrowRecordBatch::close);
    }
  }

  static Tensor get(FlightClient client, BufferAllocator allocator, String handle, CallOption... options)
      throws Exception {
    try (FlightStream stream = client.getStream(new Ticket(handle.getBytes(StandardCharsets.UTF_8)), options);
         TensorAssembler assembler = new TensorAssembler(allocator, stream.getSchema())) {
      while (stream.next()) {
        assembler.append(stream.getRoot());
      }
      return assembler.finish();
    }
  }
}
