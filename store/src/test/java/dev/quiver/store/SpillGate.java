package dev.quiver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Stands between a store and its spill files ({@link HandleStore.Builder#spillChannels}): a test makes spill
 * writes fail like a full or broken disk, stalls the next one until it lets go, or looks at the store at the
 * moment a spill file is being written.
 */
final class SpillGate implements UnaryOperator<WritableByteChannel> {
  /** While set, every write fails with an IOException. */
  final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean stallNext = new AtomicBoolean();
  private final CountDownLatch stalled = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Runnable onWrite = () -> {};

  /** The next spill file's first write waits until {@link #release()}. */
  void stallNextWrite() {
    stallNext.set(true);
  }

  /** Waits until a write is stalled; false after the timeout. */
  boolean awaitStalled(long seconds) throws InterruptedException {
    return stalled.await(seconds, TimeUnit.SECONDS);
  }

  void release() {
    release.countDown();
  }

  /** Runs {@code check} on the spilling thread when each spill file is first written to. */
  void onWrite(Runnable check) {
    this.onWrite = check;
  }

  @Override
  public WritableByteChannel apply(WritableByteChannel file) {
    return new WritableByteChannel() {
      private boolean first = true;

      @Override
      public int write(ByteBuffer src) throws IOException {
        if (failing.get()) {
          throw new IOException("injected: no space left on device");
        }
        if (first) {
          first = false;
          onWrite.run();
          if (stallNext.getAndSet(false)) {
            stalled.countDown();
            try {
              if (!release.await(5, TimeUnit.MINUTES)) {
                throw new IOException("the test never released the stalled write");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted while stalled", e);
            }
          }
        }
        return file.write(src);
      }

      @Override
      public boolean isOpen() {
        return file.isOpen();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }
}
