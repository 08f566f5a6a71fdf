package org.apache.arrow.flight;

/**
 * Ends an upload from the server's side: the producer reading it sees {@code error} at its next read.
 *
 * <p>Why it exists: a server-side {@link FlightStream} ends only when its client ends or cancels the call, and
 * Flight's own shutdown then waits a fixed 3 s for calls to finish before cancelling them. A server that stops
 * after its own grace period needs to end a stalled upload at once, so that its reader frees what it received
 * and answers the client. This feeds the error to the stream as gRPC would ({@code FlightStream}'s observer is
 * package-private); messages arriving afterwards are freed by the stream on arrival. Pinned to Arrow Java 19.
 */
public final class UploadCancellation {
  private UploadCancellation() {}

  /** Fails {@code upload} with {@code error}: a blocked or later {@code next()} throws it. Thread-safe. */
  public static void fail(FlightStream upload, Throwable error) {
    upload.asObserver().onError(error);
  }
}
