package dev.quiver.flight;

import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorBatches;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * The record batches of one tensor's stream, each made only when it is asked for: a DoGet builds batch
 * {@code i} just before sending it.
 *
 * <p>Why: a batch of a {@code bool} tensor (bits packed from one byte per element) or a later batch of a
 * {@code string} tensor (offsets rebased to 0) is a converted copy ({@link TensorBatches}). Made up front, the
 * copies of the whole tensor (1/8 of a bool tensor, all the offsets of a string one) waited for a slow client
 * in every concurrent DoGet. Made one window at a time, a stream holds only the copies of the batches gRPC has
 * queued, which backpressure bounds.
 *
 * <p>Each window is a slice of the tensor of the rows {@link TensorBatches} would put in one batch (whole rows
 * up to the byte bound, at least one: {@link TensorBatches#batchEnd}), cut by {@link TensorBatches#of(Tensor,
 * long)} itself, so the batches are the ones it would have made. Not thread-safe: the stream that owns it serializes its calls.
 */
final class LazyTensorBatches implements AutoCloseable {
  private final Tensor tensor;
  private final long maxBatchBytes;
  private final long rows;
  private final ArrayDeque<ArrowRecordBatch> ready = new ArrayDeque<>();
  private long nextRow;
  private boolean whole; // a tensor cut in one call (a scalar, or no rows)
  private boolean closed;

  /** The batches of {@code tensor} (borrowed: this takes its own reference, released by {@link #close}). */
  LazyTensorBatches(Tensor tensor, long maxBatchBytes) {
    this.tensor = tensor.share();
    this.maxBatchBytes = maxBatchBytes;
    this.rows = tensor.rank() == 0 ? 0 : tensor.shape().dim(0);
    this.whole = tensor.rank() == 0 || rows == 0;
  }

  /** The next batch, which the caller closes, or null after the last. */
  ArrowRecordBatch next() {
    if (closed) {
      throw new IllegalStateException("the batches of " + tensor + " were released");
    }
    if (ready.isEmpty()) {
      cutNextWindow();
    }
    return ready.poll();
  }

  private void cutNextWindow() {
    if (whole) {
      whole = false;
      ready.addAll(TensorBatches.of(tensor, maxBatchBytes));
      nextRow = rows;
      return;
    }
    if (nextRow >= rows) {
      return;
    }
    long end = TensorBatches.batchEnd(tensor, nextRow, maxBatchBytes);
    List<ArrowRecordBatch> batches;
    try (Tensor window = tensor.slice(nextRow, end)) {
      batches = TensorBatches.of(window, maxBatchBytes);
    }
    ready.addAll(batches);
    nextRow = end;
  }

  /** Releases the batches made but not taken, and the tensor. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ArrowRecordBatch> rest = List.copyOf(ready);
    ready.clear();
    try {
      AutoCloseables.close(rest);
    } catch (Exception e) {
      throw new IllegalStateException("releasing the batches of " + tensor + " failed", e);
    } finally {
      tensor.close();
    }
  }
}
