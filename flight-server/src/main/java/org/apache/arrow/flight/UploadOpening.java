package org.apache.arrow.flight;

import com.google.common.util.concurrent.Futures;
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
  private static final VarHandle DESCRIPTOR = findFuture("descriptor");

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

  /**
   * The descriptor {@code upload}'s schema message carried, or null if it carried none; call once
   * {@link #awaitSchema} returned true.
   *
   * <p>Why: Flight sets the stream's descriptor only from a message that has one, and never fails it, so
   * {@code getDescriptor()} of an upload whose schema came without a descriptor blocks forever (the upload's
   * thread with it). Flight sets the descriptor before the schema, under one lock, so once the schema is there
   * a descriptor not yet set will never be.
   */
  @SuppressWarnings("unchecked")
  public static FlightDescriptor sentDescriptor(FlightStream upload) {
    if (DESCRIPTOR == null) {
      return upload.getDescriptor();
    }
    SettableFuture<FlightDescriptor> sent = (SettableFuture<FlightDescriptor>) DESCRIPTOR.get(upload);
    return sent.isDone() ? Futures.getUnchecked(sent) : null;
  }

  private static VarHandle findRoot() {
    return findFuture("root");
  }

  private static VarHandle findFuture(String name) {
    try {
      return MethodHandles.privateLookupIn(FlightStream.class, MethodHandles.lookup())
          .findVarHandle(FlightStream.class, name, SettableFuture.class);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
