package dev.quiver.executor;

import dev.quiver.errors.CancelledException;
import dev.quiver.errors.DeadlineExceededException;
import dev.quiver.errors.InternalException;
import dev.quiver.errors.QuiverException;
import dev.quiver.errors.ResourceExhaustedException;
import dev.quiver.executor.ops.IntraOpPool;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * One run of a {@link StepPlan}: the value slots, the countdowns, the failure. Ops whose inputs are ready
 * run on the thread that made them ready; when more than one large op becomes ready at once, the extra
 * ones go to the inter-op pool. A step of small tensors therefore runs entirely on the caller's thread.
 *
 * <p>A failure (a kernel error, the deadline, the session closing) stops every op that has not started;
 * the step still drains (each op releases its inputs) so that every buffer is freed before {@link #run}
 * throws.
 */
final class StepExecution {
  /** Ops whose inputs take fewer bytes than this are never worth a hand-off to another thread. */
  private static final long INLINE_BYTES = 128 * 1024;
  /** Why a step the closing session cancels fails: TensorFlow's "Run call was cancelled", and the reason. */
  static final String CLOSED = "Run call was cancelled: Session has been closed.";

  final Session session;
  final StepPlan plan;
  private final StepArena arena; // null: every tensor is allocated on its own
  private final Tensor[] slots;
  private final AtomicIntegerArray uses;
  private AtomicIntegerArray pending; // replaced by each call of a partial run
  private AtomicInteger remaining;
  private boolean[] only; // the nodes of the current partial-run call; null for a whole step
  private long deadlineNanos; // Long.MAX_VALUE for none; set before ops are dispatched, read by them
  private long timeoutMs;
  private final boolean trace;
  private final List<NodeStats> stats;
  private final Object done = new Object();
  private volatile RuntimeException failure;
  private volatile boolean awaiting; // the caller waits for ops on other threads
  private List<String> createdHandles; // guarded by this
  private volatile IntraOpPool intraOp; // the cancellable view, made on first use

  StepExecution(Session session, StepPlan plan, StepArena arena, long timeoutMs, boolean trace) {
    this.session = session;
    this.plan = plan;
    this.arena = arena;
    this.slots = new Tensor[plan.numSlots];
    this.uses = new AtomicIntegerArray(plan.initialUses);
    this.pending = new AtomicIntegerArray(plan.initialPending);
    this.remaining = new AtomicInteger(plan.nodes.length);
    setTimeout(timeoutMs);
    this.trace = trace;
    this.stats = trace ? java.util.Collections.synchronizedList(new ArrayList<>()) : null;
    for (int i = 0; i < plan.constOps.length; i++) {
      int slot = plan.constSlots[i];
      if (slot >= 0) {
        slots[slot] = session.constant(plan.constOps[i]);
      }
    }
    if (trace) {
      recordConstants();
    }
  }

  /** Starts the deadline: {@code timeoutMs} from now (0 for none). */
  private void setTimeout(long timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.deadlineNanos = timeoutMs > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs) : Long.MAX_VALUE;
  }

  /** Lent constants ran at plan time; a trace lists them as TensorFlow's does, taking no time. */
  private void recordConstants() {
    long now = nowMicros();
    Thread th = Thread.currentThread();
    for (int i = 0; i < plan.constOps.length; i++) {
      Operation op = plan.constOps[i];
      int slot = plan.constSlots[i];
      long bytes = slot >= 0 ? elementBytes(slots[slot]) : 0;
      stats.add(new NodeStats(op.name(), op.type(), now, 0, th.getName(), th.getId(), bytes, List.of()));
    }
  }

  /**
   * Runs the step. Takes ownership of {@code feeds} (one per {@code plan.feeds}), returns the fetched tensors
   * (one per {@code plan.fetches}), owned by the caller.
   */
  Tensor[] run(Tensor[] feeds) {
    for (int i = 0; i < feeds.length; i++) {
      int slot = plan.feedSlots[i];
      if (uses.get(slot) == 0) {
        feeds[i].close();
      } else {
        slots[slot] = feeds[i];
      }
    }
    if (plan.nodes.length > 0) {
      IntStack local = new IntStack();
      for (int r : plan.initialReady) {
        dispatch(r, local);
      }
      drain(local);
      awaitDone();
    }
    RuntimeException f = failure;
    if (f != null) {
      freeAll();
      throw f;
    }
    Tensor[] result = new Tensor[plan.fetchSlots.length];
    for (int i = 0; i < result.length; i++) {
      int slot = plan.fetchSlots[i];
      if (plan.borrowed[slot]) {
        result[i] = slots[slot].share();
      } else {
        result[i] = slots[slot];
        slots[slot] = null;
      }
    }
    return result;
  }

  /**
   * The session's intra-op pool as this step's kernels see it: it checks between slices of their work whether
   * the step was cancelled ({@link #checkCancelled}), so a deadline or the session closing stops a long kernel.
   */
  IntraOpPool intraOp() {
    IntraOpPool p = intraOp;
    if (p == null) {
      p = session.intraOpPool().withCancellation(this::checkCancelled);
      intraOp = p; // two threads may each make one: they are the same view
    }
    return p;
  }

  /** A zero-filled tensor for a kernel's output: a small one is carved from the step's arena. */
  Tensor allocate(DType dtype, Shape shape) {
    if (arena != null && dtype.isFixedWidth() && shape.isFullyDefined()) {
      long bytes = Tensor.byteSizeOf(dtype, shape);
      if (StepArena.fits(bytes)) {
        return arena.allocate(dtype, shape, bytes);
      }
    }
    return Tensor.allocate(session.stepAllocator(), dtype, shape);
  }

  /** An output tensor whose contents the kernel overwrites: a small one is carved (zeroed) from the arena. */
  Tensor allocateUninitialized(DType dtype, Shape shape) {
    if (arena != null && dtype.isFixedWidth() && shape.isFullyDefined()) {
      long bytes = Tensor.byteSizeOf(dtype, shape);
      if (StepArena.fits(bytes)) {
        return arena.allocate(dtype, shape, bytes);
      }
    }
    return Tensor.allocateUninitialized(session.stepAllocator(), dtype, shape);
  }

  // Partial runs: the step is driven node by node by PartialRun, over several calls.

  /** Puts the value of feed {@code i} (ownership taken). */
  void putFeed(int i, Tensor t) {
    int slot = plan.feedSlots[i];
    if (uses.get(slot) == 0) {
      t.close();
    } else {
      slots[slot] = t;
    }
  }

  /**
   * Runs the nodes marked in {@code nodes} as one step would (independent large ones on the inter-op pool), then
   * throws the step's failure if there is one. Every predecessor of a marked node ran before or is marked.
   * Calls must not overlap; each has its own deadline, {@code timeoutMs} from its start (0 for none), as each
   * of TensorFlow's {@code partial_run} calls waits at most {@code operation_timeout_in_ms}.
   */
  void runNodes(boolean[] nodes, long timeoutMs) {
    setTimeout(timeoutMs);
    int[] local = new int[plan.nodes.length];
    int count = 0;
    for (int k = 0; k < nodes.length; k++) {
      if (nodes[k]) {
        count++;
        for (int s : plan.nodes[k].successors) {
          if (nodes[s]) {
            local[s]++;
          }
        }
      }
    }
    if (count > 0) {
      pending = new AtomicIntegerArray(local);
      remaining = new AtomicInteger(count);
      only = nodes;
      IntStack ready = new IntStack();
      for (int k = 0; k < nodes.length; k++) {
        if (nodes[k] && local[k] == 0) {
          dispatch(k, ready);
        }
      }
      drain(ready);
      awaitDone();
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  /**
   * The tensor of fetch {@code i} (the caller owns it): the step's own reference if the fetch was its last use,
   * else a shared one, since ops of later partial runs still read it.
   */
  Tensor takeFetch(int i) {
    int slot = plan.fetchSlots[i];
    Tensor t = slots[slot];
    if (plan.borrowed[slot]) {
      uses.decrementAndGet(slot);
      return t.share();
    }
    if (uses.decrementAndGet(slot) == 0) {
      slots[slot] = null;
      return t;
    }
    return t.share();
  }

  /** Frees every tensor the step still holds (a partial run ending or failing). */
  void abandon(boolean rollback) {
    freeSlots();
    if (rollback) {
      rollbackHandles();
    }
  }

  private void freeSlots() {
    for (int i = 0; i < slots.length; i++) {
      Tensor t = slots[i];
      if (t != null) {
        slots[i] = null;
        if (!plan.borrowed[i]) {
          t.close();
        }
      }
    }
  }

  /** Deletes the handles this step created; run when a step that created some fails after they were made. */
  private void rollbackHandles() {
    List<String> hs;
    synchronized (this) {
      hs = createdHandles;
      createdHandles = null;
    }
    if (hs != null) {
      for (String h : hs) {
        session.deleteHandleQuietly(h);
      }
    }
  }

  synchronized void recordCreatedHandle(String handle) {
    if (createdHandles == null) {
      createdHandles = new ArrayList<>(2);
    }
    createdHandles.add(handle);
  }

  List<NodeStats> stats() {
    return stats;
  }

  private void freeAll() {
    freeSlots();
    rollbackHandles();
  }

  private void awaitDone() {
    if (remaining.get() == 0) {
      return;
    }
    boolean interrupted = false;
    synchronized (done) {
      awaiting = true; // set before reading remaining: whoever ends the last op then sees it and notifies
      while (remaining.get() > 0) {
        long wait = 0;
        if (deadlineNanos != Long.MAX_VALUE && failure == null) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            fail(deadlineExceeded());
            continue;
          }
          wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
        try {
          done.wait(wait);
        } catch (InterruptedException e) {
          // Restored after the loop: a pending interrupt would make every later wait throw at once, a busy spin
          // until the ops still running on other threads see the failure and end.
          interrupted = true;
          fail(new CancelledException("the thread running the step was interrupted"));
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Marks the step failed (the first failure wins); ops not yet started are skipped. */
  void fail(RuntimeException e) {
    if (failure == null) {
      synchronized (this) {
        if (failure == null) {
          failure = e;
        }
      }
    }
  }

  RuntimeException failure() {
    return failure;
  }

  /** Throws if the step should stop: an earlier failure, the deadline, the session closing. */
  void checkCancelled() {
    if (failure == null) {
      if (session.isClosing()) {
        fail(new CancelledException(CLOSED));
      } else if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() > deadlineNanos) {
        fail(deadlineExceeded());
      }
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f instanceof QuiverException q ? QuiverException.of(q.code(), q.getMessage(), q)
          : new CancelledException("step cancelled: " + f.getMessage(), f);
    }
  }

  private DeadlineExceededException deadlineExceeded() {
    return new DeadlineExceededException("Timed out waiting for notification: the step did not finish within "
        + timeoutMs + " ms");
  }

  private void dispatch(int node, IntStack local) {
    if (!local.isEmpty() && isLarge(plan.nodes[node])) {
      Executor pool = session.interOpPool();
      if (pool != null) {
        try {
          pool.execute(() -> {
            IntStack own = new IntStack();
            own.push(node);
            drain(own);
          });
          return;
        } catch (RejectedExecutionException e) {
          // the pool is shutting down: run it here
        }
      }
    }
    local.push(node);
  }

  private boolean isLarge(StepPlan.Node node) {
    long bytes = 0;
    for (int s : node.inputSlots) {
      Tensor t = slots[s];
      if (t != null) {
        bytes += t.byteSize();
      }
    }
    return bytes >= INLINE_BYTES;
  }

  private void drain(IntStack local) {
    while (!local.isEmpty()) {
      int k = local.pop();
      StepPlan.Node node = plan.nodes[k];
      execute(node);
      for (int s : node.successors) {
        if ((only == null || only[s]) && pending.decrementAndGet(s) == 0) {
          dispatch(s, local);
        }
      }
      if (remaining.decrementAndGet() == 0 && awaiting) {
        synchronized (done) {
          done.notifyAll();
        }
      }
    }
  }

  private void execute(StepPlan.Node node) {
    Tensor[] outputs = null;
    if (failure == null) {
      if (session.isClosing()) {
        fail(new CancelledException(CLOSED));
      } else if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() > deadlineNanos) {
        fail(deadlineExceeded());
      }
    }
    if (failure == null) {
      NodeContext ctx = new NodeContext(this, node, slots);
      long start = trace ? System.nanoTime() : 0;
      long startMicros = trace ? nowMicros() : 0;
      try {
        node.kernel.compute(ctx);
        outputs = ctx.finish();
      } catch (Throwable e) {
        ctx.abandon();
        fail(namingOp(e, node));
      }
      if (trace) {
        long dur = (System.nanoTime() - start) / 1000;
        long bytes = 0;
        if (outputs != null) {
          for (Tensor t : outputs) {
            bytes += t == null ? 0 : elementBytes(t);
          }
        }
        Thread th = Thread.currentThread();
        stats.add(new NodeStats(node.op.name(), node.op.type(), startMicros, dur, th.getName(), th.getId(), bytes,
            ctx.handlesTouched()));
      }
    }
    if (outputs != null) {
      for (int i = 0; i < outputs.length; i++) {
        int slot = node.outputSlots[i];
        if (slot < 0 || failure != null) {
          outputs[i].close();
        } else {
          slots[slot] = outputs[i];
        }
      }
    }
    for (int s : node.inputSlots) {
      release(s);
    }
  }

  private void release(int slot) {
    if (uses.decrementAndGet(slot) == 0 && !plan.borrowed[slot]) {
      Tensor t = slots[slot];
      slots[slot] = null;
      if (t != null) {
        t.close();
      }
    }
  }

  private static long elementBytes(Tensor t) {
    return t.dtype().isFixedWidth() ? Tensor.byteSizeOf(t.dtype(), t.shape()) : t.byteSize();
  }

  private static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  /** The error a failed kernel reports, with the op named as TensorFlow does ({@code [[node mul]]}). */
  static RuntimeException namingOp(Throwable e, StepPlan.Node node) {
    String name = node.op.name();
    String suffix = "\n\t [[node " + name + " (" + node.op.type() + ")]]";
    if (e instanceof QuiverException q) {
      String msg = q.getMessage() == null ? "" : q.getMessage();
      if (msg.contains("'" + name + "'") || msg.contains("[[node ")) {
        return q;
      }
      return QuiverException.of(q.code(), msg + suffix, q);
    }
    if (e instanceof OutOfMemoryException) {
      return new ResourceExhaustedException("OOM when allocating the outputs of " + node.op.type() + " op '" + name
          + "': " + e.getMessage() + suffix, e);
    }
    return new InternalException(node.op.type() + " op '" + name + "' failed: " + e + suffix, e);
  }

  /** A growable stack of node indices, the ready ops a thread runs itself. */
  private static final class IntStack {
    private int[] items = new int[8];
    private int size;

    void push(int v) {
      if (size == items.length) {
        items = java.util.Arrays.copyOf(items, size * 2);
      }
      items[size++] = v;
    }

    int pop() {
      return items[--size];
    }

    boolean isEmpty() {
      return size == 0;
    }
  }
}
