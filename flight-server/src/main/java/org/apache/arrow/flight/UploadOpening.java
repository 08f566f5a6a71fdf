package org.apache.arrow.flight;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waits for the start of an upload without hanging on one that never starts.
 *
 * <p>Why it exists: in Arrow Java 19 a {@link FlightStream} whose client ends the call before sending any message
 * never settles its schema or descriptor, so {@code getSchema()} and {@code getDescriptor()} block forever: an
 * empty DoPut would hang its client and hold a server thread until shutdown. Pinned to Arrow Java 19 (it reads
 * the stream's private schema future); with another version {@link #awaitSchema} waits as Flight does.
 */
public final class UploadOpening {
  private static final VarHandle ROOT = findRoot();

  private UploadOpening() {}

  /**
   * Blocks until {@code upload}'s schema has arrived (true, and {@code getSchema()} answers at once) or the client
   * ended or failed the upload without one (false).
   *
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public static boolean awaitSchema(FlightStream upload) throws InterruptedException {
    if (ROOT == null) {
      return true;
    }
    ListenableFuture<?> root = (ListenableFuture<?>) ROOT.get(upload);
    CompletableFuture<Void> either = new CompletableFuture<>();
    root.addListener(() -> either.complete(null), Runnable::run);
    upload.cancelled.whenComplete((v, t) -> either.complete(null)); // completed by the end of the call, or its error
    try {
      either.get();
    } catch (ExecutionException impossible) {
      throw new IllegalStateException(impossible);
    }
    return root.isDone();
  }

  private static VarHandle findRoot() {
    try {
      return MethodHandles.privateLookupIn(FlightStream.class, MethodHandles.lookup())
          .findVarHandle(FlightStream.class, "root", SettableFuture.class);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
