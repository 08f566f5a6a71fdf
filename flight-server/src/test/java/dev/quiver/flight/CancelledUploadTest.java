package dev.quiver.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.store.HandleStore;
import dev.quiver.store.Tensor;
import dev.quiver.store.interchange.TensorSchema;
import dev.quiver.testing.LeakCheckedAllocator;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.UploadMessages;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that ends its upload, then cancels the call before reading the answer, never learns its handle; the
 * server must not keep a tensor nobody can name.
 */
@ExtendWith(LeakCheckedAllocator.class)
class CancelledUploadTest {
  @Test
  void anUploadCancelledBeforeItsHandleIsAnsweredIsNotKept(BufferAllocator allocator, @TempDir Path spill)
      throws Exception {
    // A memory budget below the upload: storing it writes a spill file, which gives the client's cancel time to
    // arrive after the upload ended and before the handle is answered.
    try (HandleStore store = HandleStore.builder().memoryBudget(1 << 20).spillDirectory(spill).build();
         QuiverServer server = QuiverServer.builder(store).port(0).shutdownGracePeriod(Duration.ZERO).start()) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        List<byte[]> messages;
        try (Tensor t = Tensor.of(allocator, new float[4 << 20], 4096, 1024)) { // 16 MiB, one batch
          messages = UploadMessages.of(allocator, FlightProtocol.uploadDescriptor(), TensorSchema.of(t), t, Long.MAX_VALUE);
        }
        for (int round = 0; round < 16; round++) {
          CompletableFuture<String> answered = new CompletableFuture<>();
          CompletableFuture<Void> ended = new CompletableFuture<>();
          ClientCallStreamObserver<byte[]> call = (ClientCallStreamObserver<byte[]>) ClientCalls.asyncBidiStreamingCall(
              channel.newCall(FuzzedUploadTest.DO_PUT, CallOptions.DEFAULT), new StreamObserver<byte[]>() {
                @Override
                public void onNext(byte[] answer) {
                  answered.complete(new String(answer, StandardCharsets.ISO_8859_1));
                }

                @Override
                public void onError(Throwable t) {
                  ended.complete(null);
                }

                @Override
                public void onCompleted() {
                  ended.complete(null);
                }
              });
          messages.forEach(call::onNext);
          call.onCompleted(); // the upload is whole
          // Then the client gives up, at points from 0 to 300 ms: while the body is still arriving, while it is
          // stored (about 200 ms here), or after the answer went out.
          Thread.sleep(20 * round);
          call.cancel("the client gave up", null);
          ended.get(30, TimeUnit.SECONDS);
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          // The server is done with the body once it is freed or moved into the store.
          while (server.allocator().getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
          }
          while (!store.handles("").isEmpty() && System.nanoTime() < deadline) {
            if (answered.isDone()) {
              // The answer arrived before the cancel: the client holds the handle, so the tensor is rightly kept.
              store.handles("").forEach(store::delete);
            }
            Thread.sleep(10);
          }
          assertEquals(List.of(), store.handles(""), "round " + round + ": a tensor nobody can name is kept");
        }
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (server.allocator().getAllocatedMemory() != 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(0, server.allocator().getAllocatedMemory());
    }
  }
}
