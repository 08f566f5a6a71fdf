package org.apache.arrow.flight;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The FlightData messages of an upload, as bytes on the wire (Flight's own framing): the schema with the
 * descriptor, then one message per batch. Tests send them, whole or mangled, through a raw gRPC call.
 */
public final class UploadMessages {
  private UploadMessages() {}

  /** The upload of {@code tensor} under {@code schema} to {@code descriptor}, in batches of {@code maxBatchBytes}. */
  public static List<byte[]> of(BufferAllocator allocator, FlightDescriptor descriptor, Schema schema, Tensor tensor,
      long maxBatchBytes) {
    List<byte[]> out = new ArrayList<>();
    try (ArrowMessage first = new ArrowMessage(descriptor.toProtocol(), schema, IpcOption.DEFAULT)) {
      out.add(ArrowMessage.createMarshaller(allocator).stream(first).readAllBytes());
      for (ArrowRecordBatch batch : TensorBatches.of(tensor, maxBatchBytes)) {
        try (batch) {
          batch.getBuffers().forEach(b -> b.getReferenceManager().retain()); // the message releases its own
          try (ArrowMessage m = new ArrowMessage(batch, null, false, IpcOption.DEFAULT)) {
            out.add(ArrowMessage.createMarshaller(allocator).stream(m).readAllBytes());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
