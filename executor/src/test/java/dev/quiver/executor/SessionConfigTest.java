package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.StoreStats;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SessionConfig, TensorFlow's ConfigProto: the options reach what they configure. The thread pools and the
 * operation timeout have their own tests (SessionConcurrencyTest, IntraOpPoolTest); here, device placement logging
 * and the budgets of the handle store a session makes for itself.
 */
@ExtendWith(LeakCheckedAllocator.class)
class SessionConfigTest {
  private static final String CPU = "/job:localhost/replica:0/task:0/device:CPU:0";

  @TempDir
  Path tmp;

  @Test
  void logDevicePlacementLogsEachOpsDeviceOnce(BufferAllocator allocator) {
    try (SessionFixture f = new SessionFixture(allocator, SessionConfig.builder().logDevicePlacement(true))) {
      Output c = f.tf.withName("c").constant(3f);
      Output y = f.tf.withName("y").identity(f.mul(c, f.tf.constant(2f)));
      String logged = DocSnippets.loggedBy(() -> {
        f.session.run(y).close();
        f.session.run(y).close();
        f.session.run(c).close();
        f.session.run(List.of(c, y)).close(); // a new plan of ops already placed
      });
      // TF 2.21 (tf_session_check.py log-device-placement): "c: (Const): /job:localhost/replica:0/task:0/device:CPU:0",
      // one line per op, once
      List<String> lines = logged.lines().filter(l -> l.contains(CPU)).map(String::strip).toList();
      assertEquals(Stream.of("c: (Const): ", "Const: (Const): ", "mul: (Mul): ", "y: (Identity): ").map(l -> l + CPU)
          .sorted().toList(), lines.stream().map(l -> l.substring(l.indexOf(" - ") + 3)).sorted().toList(), logged);
      assertTrue(lines.stream().allMatch(l -> l.contains("INFO") && l.contains("dev.quiver.executor.Session")),
          "SLF4J, INFO, the Session's logger: " + lines);
    }
    try (SessionFixture f = new SessionFixture(allocator)) {
      Output c = f.tf.withName("c").constant(3f);
      assertFalse(DocSnippets.loggedBy(() -> f.session.run(c).close()).contains(CPU), "not logged by default");
    }
  }

  /** 64 KiB of float32 whose bits are random, NaN payloads and all, so that only a bit-exact copy compares equal. */
  private static Tensor randomBits(BufferAllocator allocator) {
    Random random = new Random(7);
    float[] values = new float[16 * 1024];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(random.nextInt());
    }
    return Tensor.of(allocator, values);
  }

  private static ByteBuffer bytes(Tensor t) {
    return t.asByteBuffer();
  }

  @Test
  void theHandleBudgetsAndSpillDirectoryReachTheSessionsOwnStore(BufferAllocator allocator) throws Exception {
    Path spill = tmp.resolve("spill");
    SessionConfig.Builder config = SessionConfig.builder().handleMemoryBudget(4096).handleDiskBudget(1 << 20)
        .spillDirectory(spill);
    try (SessionFixture f = new SessionFixture(allocator, config, false);
         Tensor value = randomBits(allocator)) {
      Output p = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      try (Result hr = f.session.run(f.tf.getSessionHandle(p), Map.of(p, value))) {
        TensorHandle h = hr.handle();
        StoreStats stats = f.store.stats();
        assertEquals(1, stats.handlesOnDisk(), "64 KiB do not fit a memory budget of 4 KiB: " + stats);
        assertTrue(stats.bytesInMemory() <= 4096, stats.toString());
        assertTrue(f.store.spillDirectory().startsWith(spill), f.store.spillDirectory().toString());
        try (Stream<Path> files = Files.walk(spill)) {
          assertTrue(files.anyMatch(Files::isRegularFile), "a spill file in the configured directory");
        }
        SessionTensor st = f.tf.getSessionTensor(h, DType.FLOAT32);
        try (Result r = f.session.run(f.tf.identity(st.tensor()), Map.of(st.placeholder(), h))) {
          assertEquals(bytes(value), bytes(r.tensor()), "read back from disk bit for bit");
        }
        try (Tensor again = h.eval()) {
          assertEquals(bytes(value), bytes(again));
        }
        assertTrue(f.store.stats().reloads() >= 2, f.store.stats().toString());
      }
    }
  }

  @Test
  void aHandleBeyondTheDiskBudgetIsResourceExhaustedAndTheStepKeepsNothing(BufferAllocator allocator) {
    SessionConfig.Builder config = SessionConfig.builder().handleMemoryBudget(4096).handleDiskBudget(8192)
        .spillDirectory(tmp.resolve("small"));
    try (SessionFixture f = new SessionFixture(allocator, config, false);
         Tensor value = randomBits(allocator)) {
      Output p = f.tf.placeholder(DType.FLOAT32, Shape.of(-1));
      assertThrows(ResourceExhaustedException.class,
          () -> f.session.run(f.tf.getSessionHandle(p), Map.of(p, value)));
      assertEquals(0, f.store.stats().handles());
    }
  }

  @Test
  void handlesUnreadForTheExpiryAreDeleted(BufferAllocator allocator) throws Exception {
    SessionConfig.Builder config = SessionConfig.builder().handleExpiry(Duration.ofMillis(50));
    try (SessionFixture f = new SessionFixture(allocator, config, false)) {
      String h;
      try (Result hr = f.session.run(f.tf.getSessionHandle(f.tf.constant(new float[] {1, 2})))) {
        h = hr.handle().handle();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (f.store.contains(h) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertFalse(f.store.contains(h), "the handle expired");
        assertEquals(1, f.store.stats().expiries());
        var e = assertThrows(InvalidArgumentException.class, hr.handle()::eval);
        assertTrue(e.getMessage().contains("The tensor with handle '" + h + "' is not in the session store."),
            e.getMessage());
      }
    }
  }
}
