package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.executor.ops.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ops that let engine tests observe the scheduler: every op of the global registry plus
 * {@code Count} (an identity counting its runs), {@code Fail} (a kernel error), {@code Block} (waits until the
 * step is cancelled), {@code Hold} (waits for the test, deaf to cancellation), {@code InterruptSelf} (interrupts
 * its thread) and {@code Rendezvous} (an identity that waits for a partner op on another thread).
 * Per-test state is keyed by the string attribute {@code key}.
 */
final class TestOps {
  static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
  static final Map<String, CountDownLatch> STARTED = new ConcurrentHashMap<>();
  static final Map<String, CyclicBarrier> BARRIERS = new ConcurrentHashMap<>();
  static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();

  /** The attribute the test ops find their latches, barriers and counters by. */
  private static final AttrDef KEY = AttrDef.required("key", AttrType.STRING);

  private TestOps() {}

  /** A registry of every global op plus the test ops. */
  static OpRegistry registry() {
    OpRegistry r = new OpRegistry();
    OpRegistry.global().all().values().forEach(r::register);
    r.register(OpDef.of("Count", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))), ctx -> {
      COUNTS.computeIfAbsent(ctx.attrs().getString("key"), k -> new AtomicInteger()).incrementAndGet();
      ctx.setOutput(0, ctx.input(0).share());
    }).withAttrs(KEY));
    r.register(OpDef.of("Fail", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))), ctx -> {
      ctx.allocateOutput(0, ctx.input(0).dtype(), ctx.input(0).shape()); // freed by the executor on failure
      throw new InvalidArgumentException("the test kernel refuses its input");
    }).withAttrs());
    r.register(OpDef.of("Block", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))), ctx -> {
      ctx.allocateOutput(0, ctx.input(0).dtype(), ctx.input(0).shape());
      CountDownLatch started = STARTED.get(ctx.attrs().getString("key"));
      if (started != null) {
        started.countDown();
      }
      while (true) {
        ctx.checkCancelled();
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }).withAttrs(KEY));
    r.register(OpDef.of("Hold", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))), ctx -> {
      CountDownLatch started = STARTED.get(ctx.attrs().getString("key"));
      if (started != null) {
        started.countDown();
      }
      CountDownLatch release = RELEASE.get(ctx.attrs().getString("key"));
      boolean interrupted = false;
      while (true) { // deaf to cancellation and interrupts: only the test's latch ends it
        try {
          release.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      ctx.setOutput(0, ctx.input(0).share());
    }).withAttrs(KEY));
    r.register(OpDef.of("InterruptSelf", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))),
        ctx -> {
          try { // first let the op of the same key start elsewhere
            STARTED.get(ctx.attrs().getString("key")).await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          Thread.currentThread().interrupt();
          ctx.setOutput(0, ctx.input(0).share());
        }).withAttrs(KEY));
    r.register(OpDef.of("Rendezvous", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))),
        ctx -> {
          try {
            BARRIERS.get(ctx.attrs().getString("key")).await(20, TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new IllegalStateException("the partner op never ran at the same time", e);
          }
          ctx.setOutput(0, ctx.input(0).share());
        }).withAttrs(KEY));
    return r;
  }

  static Output count(Ops tf, String key, Output x) {
    return tf.scope().addOp("Count", "Count", Attrs.of("key", key), x).output(0);
  }

  static Output fail(Ops tf, Output x) {
    return tf.scope().addOp("Fail", "Fail", Attrs.empty(), x).output(0);
  }

  static Output block(Ops tf, String key, Output x) {
    return tf.scope().addOp("Block", "Block", Attrs.of("key", key), x).output(0);
  }

  /** An identity that waits, deaf to cancellation and interrupts, until {@code RELEASE.get(key)} opens. */
  static Output hold(Ops tf, String key, Output x) {
    return tf.scope().addOp("Hold", "Hold", Attrs.of("key", key), x).output(0);
  }

  /** An identity that interrupts the thread running it, once {@code STARTED.get(key)} opened. */
  static Output interruptSelf(Ops tf, String key, Output x) {
    return tf.scope().addOp("InterruptSelf", "InterruptSelf", Attrs.of("key", key), x).output(0);
  }

  static Output rendezvous(Ops tf, String key, Output x) {
    return tf.scope().addOp("Rendezvous", "Rendezvous", Attrs.of("key", key), x).output(0);
  }

  static int count(String key) {
    AtomicInteger c = COUNTS.get(key);
    return c == null ? 0 : c.get();
  }
}
