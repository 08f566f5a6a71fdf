package dev.quiver.flight;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorSchema;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.RecordBatchPassthrough;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One DoGet: sends a stored tensor as record batches that are slices of its memory, as fast as the client
 * reads and no faster.
 *
 * <p>Each batch goes out as it is ({@link RecordBatchPassthrough}) through Flight's zero-copy write path: gRPC
 * is handed references to the tensor's own buffers, never a copy. The stream only writes while the call
 * {@linkplain ServerStreamListener#isReady is ready} and otherwise waits for gRPC's on-ready callback without
 * holding a thread, so a slow client leaves at most Flight's backpressure threshold of references queued, and
 * the tensor is never buffered twice. Each batch is made just before it is sent ({@link LazyTensorBatches}), so
 * the converted copies of a bool or string tensor exist only for the batches gRPC holds. Completion, failure, cancellation by the client and {@link #abort}
 * (server shutdown) all release every reference the stream holds, exactly once.
 *
 * <p>gRPC runs the callbacks of one call one at a time; {@link #abort} comes from another thread, so every
 * entry point is synchronized.
 */
final class TensorStream {
  private final String handle;
  private final Schema schema;
  private final BufferAllocator allocator;
  private final ServerStreamListener listener;
  private final LazyTensorBatches pending;
  private final Consumer<TensorStream> onFinish;
  private boolean finished;

  private TensorStream(String handle, Schema schema, BufferAllocator allocator, ServerStreamListener listener,
      LazyTensorBatches batches, Consumer<TensorStream> onFinish) {
    this.handle = handle;
    this.schema = schema;
    this.allocator = allocator;
    this.listener = listener;
    this.pending = batches;
    this.onFinish = onFinish;
  }

  /**
   * Prepares the stream of {@code tensor} (borrowed: the stream takes its own references to slices of it)
   * without sending anything yet.
   *
   * @param onFinish called once when the stream has completed, failed, or been cancelled or aborted
   */
  static TensorStream prepare(BufferAllocator allocator, String handle, Tensor tensor, long maxBatchBytes,
      ServerStreamListener listener, Consumer<TensorStream> onFinish) {
    Schema schema = TensorSchema.of(tensor.dtype(), tensor.shape());
    LazyTensorBatches batches = new LazyTensorBatches(tensor, maxBatchBytes);
    return new TensorStream(handle, schema, allocator, listener, batches, onFinish);
  }

  String handle() {
    return handle;
  }

  /** Sends the schema and as many batches as the client is ready for; the rest follow on-ready. */
  synchronized void start() {
    listener.setOnCancelHandler(this::cancelled);
    listener.setOnReadyHandler(this::pump);
    // The root only carries the schema into start(): it never holds data, so it allocates nothing.
    try (VectorSchemaRoot schemaOnly = VectorSchemaRoot.create(schema, allocator)) {
      listener.start(schemaOnly);
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    pump();
  }

  /** Ends the stream with {@code error} if it is still running (server shutdown), releasing its buffers. */
  synchronized void abort(FlightRuntimeException error) {
    if (finished) {
      return;
    }
    release();
    listener.error(error);
  }

  private synchronized void pump() {
    if (finished) {
      return;
    }
    try {
      while (true) {
        if (listener.isCancelled()) {
          release();
          return;
        }
        if (!listener.isReady()) {
          return; // the on-ready callback resumes here
        }
        try (ArrowRecordBatch batch = pending.next()) {
          if (batch == null) {
            break;
          }
          RecordBatchPassthrough.send(listener, batch); // gRPC now holds its own references to the slices
        }
      }
      release();
      listener.completed();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private synchronized void cancelled() {
    release();
  }

  private void fail(RuntimeException e) {
    release();
    listener.error(FlightErrors.toFlight(e));
  }

  private void release() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      pending.close();
    } finally {
      onFinish.accept(this);
    }
  }
}
