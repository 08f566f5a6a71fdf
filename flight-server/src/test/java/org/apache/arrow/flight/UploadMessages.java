package org.apache.arrow.flight;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
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

  /**
   * The upload of {@code tensor} under {@code schema} to {@code descriptor} (null: a schema message without one),
   * in batches of {@code maxBatchBytes}.
   */
  public static List<byte[]> of(BufferAllocator allocator, FlightDescriptor descriptor, Schema schema, Tensor tensor,
      long maxBatchBytes) {
    List<byte[]> out = new ArrayList<>();
    try (ArrowMessage first = new ArrowMessage(descriptor == null ? null : descriptor.toProtocol(), schema,
        IpcOption.DEFAULT)) {
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

  /** The top-level fields of one FlightData message, each as its own bytes (tag, length, content). */
  public static List<byte[]> fields(byte[] message) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      List<byte[]> out = new ArrayList<>();
      int tag;
      while ((tag = in.readTag()) != 0) {
        byte[] content = in.readByteArray(); // every field of FlightData is length-delimited
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        CodedOutputStream w = CodedOutputStream.newInstance(field);
        w.writeUInt32NoTag(tag);
        w.writeByteArrayNoTag(content);
        w.flush();
        out.add(field.toByteArray());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tag of a field from {@link #fields}. */
  public static int tag(byte[] field) {
    try {
      return CodedInputStream.newInstance(field).readTag();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The content of a field from {@link #fields}, without its tag and length. */
  public static byte[] content(byte[] field) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(field);
      in.readTag();
      return in.readByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
