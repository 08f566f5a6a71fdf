package org.apache.arrow.flight;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Sends a ready-made {@link ArrowRecordBatch} on a started Flight stream exactly as it is, through Flight's
 * zero-copy write path.
 *
 * <p>Why it exists: Flight's public {@code putNext()} sends the contents of a {@code VectorSchemaRoot}, and
 * loading a batch into a root allocates and fills a validity bitmap for every column that has none (a tensor
 * has no nulls, so its batches carry empty bitmaps). That would add an allocation and 1/8 of a bit per
 * element to every batch on the wire. This class lives in Flight's package to reach what {@code putNext()}
 * itself uses ({@code ArrowMessage} and the listener's gRPC observer) and does the same with the batch as
 * given. It works for the server's DoGet listener and the client's DoPut listener alike; pinned to Arrow
 * Java 19 (a change there fails compilation here, not silently).
 */
public final class RecordBatchPassthrough {
  private RecordBatchPassthrough() {}

  /**
   * Writes {@code batch} on {@code listener}, which must have been {@linkplain OutboundStreamListener#start
   * started} with the batch's schema. gRPC receives references to the batch's buffers, never a copy; the
   * caller still owns {@code batch} and may close it right away. Does not wait for backpressure: check
   * {@link OutboundStreamListener#isReady()} first.
   *
   * @throws IllegalArgumentException if the listener is not one of Flight's own stream listeners
   * @throws IllegalStateException if the stream was not started
   */
  public static void send(OutboundStreamListener listener, ArrowRecordBatch batch) {
    if (!(listener instanceof OutboundStreamListenerImpl)) {
      throw new IllegalArgumentException("not a Flight stream listener: " + listener.getClass().getName());
    }
    OutboundStreamListenerImpl impl = (OutboundStreamListenerImpl) listener;
    if (impl.option == null) {
      throw new IllegalStateException("the stream was not started; call start(root) first");
    }
    ArrowMessage message = new ArrowMessage(batch, null, /* tryZeroCopy */ true, impl.option);
    // The message releases one reference per buffer when closed; give it its own so the batch stays the caller's.
    for (ArrowBuf b : batch.getBuffers()) {
      b.getReferenceManager().retain();
    }
    try (message) {
      impl.responseObserver.onNext(message);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("releasing a sent Flight message failed", e);
    }
  }
}
