package dev.quiver.executor;

import dev.quiver.errors.NotFoundException;
import dev.quiver.executor.library.CoreLibrary;
import dev.quiver.executor.ops.Kernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pruned, scheduled form of one kind of step: which ops run for a set of fetches, targets and feeds,
 * in which order, and which value slot each tensor lives in. Built once per distinct (feeds, fetches,
 * targets) and cached by the session; immutable, shared by concurrent steps.
 *
 * <p>Only the ops the fetches and targets need run: the walk back from them stops at fed tensors. Every
 * needed tensor gets a slot whose use count (consumer edges plus one per fetch) lets a step free it as soon
 * as its last consumer ran.
 */
final class StepPlan {
  /** One op to run: its kernel, where its inputs come from and where its outputs go. */
  static final class Node {
    final Operation op;
    final Kernel kernel;
    int[] inputSlots;
    final int[] outputSlots; // -1: the output is not needed (or is overridden by a feed) and is freed at once
    int[] successors; // nodes waiting on this one (an entry per edge)
    int pending; // edges this node waits on

    Node(Operation op, Kernel kernel, int[] outputSlots) {
      this.op = op;
      this.kernel = kernel;
      this.outputSlots = outputSlots;
    }
  }

  final Output[] feeds;
  final Output[] fetches;
  final Operation[] targets;
  final Node[] nodes;
  final int numSlots;
  final int[] feedSlots;
  final int[] fetchSlots;
  /** Needed {@code Const} ops: not run, their values are lent to the step in {@link #constSlots} (-1: unread). */
  final Operation[] constOps;
  final int[] constSlots;
  /** Slots whose tensor the step borrows (constants): never closed by the step, shared when fetched. */
  final boolean[] borrowed;
  final int[] initialUses;
  final int[] initialPending;
  final int[] initialReady;

  private StepPlan(Output[] feeds, Output[] fetches, Operation[] targets, Node[] nodes, int numSlots,
                   int[] feedSlots, int[] fetchSlots, Operation[] constOps, int[] constSlots, int[] initialUses) {
    this.feeds = feeds;
    this.fetches = fetches;
    this.targets = targets;
    this.nodes = nodes;
    this.numSlots = numSlots;
    this.feedSlots = feedSlots;
    this.fetchSlots = fetchSlots;
    this.constOps = constOps;
    this.constSlots = constSlots;
    this.borrowed = new boolean[numSlots];
    for (int s : constSlots) {
      if (s >= 0) {
        borrowed[s] = true;
      }
    }
    this.initialUses = initialUses;
    this.initialPending = new int[nodes.length];
    int ready = 0;
    for (int i = 0; i < nodes.length; i++) {
      initialPending[i] = nodes[i].pending;
      if (nodes[i].pending == 0) {
        ready++;
      }
    }
    this.initialReady = new int[ready];
    for (int i = 0, k = 0; i < nodes.length; i++) {
      if (nodes[i].pending == 0) {
        initialReady[k++] = i;
      }
    }
  }

  /** True for a constant whose value can be lent to a step: {@code Const} with its own kernel and no control inputs. */
  static boolean isLentConstant(Operation op) {
    return op.opDef().kernel() == CoreLibrary.CONST_KERNEL && op.controlInputs().isEmpty();
  }

  /**
   * True for a {@code Placeholder} whose output this step feeds: it never runs, and a control edge from it is
   * satisfied by the feed. TensorFlow's subgraph rewrite (FeedInputs in subgraph.cc) moves the control edges of
   * a fed Placeholder only: any other fed op still runs when it is a target or a control input.
   */
  static boolean isFedPlaceholder(Operation op, Map<Output, ?> fed) {
    return op.opDef().kernel() == CoreLibrary.PLACEHOLDER_KERNEL && fed.containsKey(op.output(0));
  }

  /**
   * Plans a step. The arrays hold distinct elements, all of {@code graph}.
   *
   * @throws NotFoundException if a needed op has no kernel
   */
  static StepPlan create(Output[] feeds, Output[] fetches, Operation[] targets) {
    Map<Output, Integer> slotOf = new HashMap<>();
    int slots = 0;
    int[] feedSlots = new int[feeds.length];
    for (int i = 0; i < feeds.length; i++) {
      feedSlots[i] = slots;
      slotOf.put(feeds[i], slots++);
    }

    // Walk back from the fetches and targets, stopping at fed tensors and fed placeholders.
    BitSet needed = new BitSet();
    Map<Integer, Operation> byId = new HashMap<>();
    ArrayList<Operation> stack = new ArrayList<>();
    for (Output f : fetches) {
      if (!slotOf.containsKey(f)) {
        stack.add(f.op());
      }
    }
    stack.addAll(Arrays.asList(targets));
    while (!stack.isEmpty()) {
      Operation op = stack.remove(stack.size() - 1);
      if (needed.get(op.id())) {
        continue;
      }
      needed.set(op.id());
      byId.put(op.id(), op);
      for (Output in : op.inputs()) {
        if (!slotOf.containsKey(in) && !needed.get(in.op().id())) {
          stack.add(in.op());
        }
      }
      for (Operation c : op.controlInputs()) {
        if (!needed.get(c.id()) && !isFedPlaceholder(c, slotOf)) {
          stack.add(c);
        }
      }
    }

    // Ops in id order: the order they were added to the graph is topological. Constants are set aside.
    List<Operation> order = new ArrayList<>();
    List<Operation> constants = new ArrayList<>();
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Operation op = byId.get(id);
      (isLentConstant(op) ? constants : order).add(op);
    }
    int n = order.size();
    Map<Operation, Integer> nodeOf = new HashMap<>();
    for (int k = 0; k < n; k++) {
      nodeOf.put(order.get(k), k);
    }

    // Slots for every produced tensor that is consumed or fetched: constants first, then the ops' outputs.
    Map<Output, Integer> uses = new HashMap<>();
    for (Operation op : order) {
      for (Output in : op.inputs()) {
        uses.merge(in, 1, Integer::sum);
      }
    }
    for (Output f : fetches) {
      uses.merge(f, 1, Integer::sum);
    }
    Operation[] constOps = constants.toArray(new Operation[0]);
    int[] constSlots = new int[constOps.length];
    for (int i = 0; i < constOps.length; i++) {
      Output out = constOps[i].output(0);
      if (slotOf.containsKey(out) || !uses.containsKey(out)) {
        constSlots[i] = -1;
      } else {
        slotOf.put(out, slots);
        constSlots[i] = slots++;
      }
    }
    int firstProduced = slots;
    Node[] nodes = new Node[n];
    for (int k = 0; k < n; k++) {
      Operation op = order.get(k);
      if (op.opDef().kernel() == null) {
        throw new NotFoundException("No registered kernel for op '" + op.name() + "' of type " + op.type());
      }
      int[] outSlots = new int[op.numOutputs()];
      for (int i = 0; i < outSlots.length; i++) {
        Output out = op.output(i);
        if (slotOf.containsKey(out) || !uses.containsKey(out)) {
          outSlots[i] = -1; // overridden by a feed, or nobody reads it
        } else {
          slotOf.put(out, slots);
          outSlots[i] = slots++;
        }
      }
      nodes[k] = new Node(op, op.opDef().kernel(), outSlots);
    }
    int[] initialUses = new int[slots];
    List<List<Integer>> succ = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      succ.add(new ArrayList<>());
    }
    for (int k = 0; k < n; k++) {
      Operation op = order.get(k);
      int[] inSlots = new int[op.inputs().size()];
      for (int i = 0; i < inSlots.length; i++) {
        Output in = op.inputs().get(i);
        inSlots[i] = slotOf.get(in);
        initialUses[inSlots[i]]++;
        if (inSlots[i] >= firstProduced) { // produced in this step, not fed nor lent
          succ.get(nodeOf.get(in.op())).add(k);
          nodes[k].pending++;
        }
      }
      for (Operation c : op.controlInputs()) {
        Integer dep = nodeOf.get(c);
        if (dep != null) { // a lent constant or a fed placeholder has nothing to wait for
          succ.get(dep).add(k);
          nodes[k].pending++;
        }
      }
      nodes[k].inputSlots = inSlots;
    }
    for (int k = 0; k < n; k++) {
      nodes[k].successors = succ.get(k).stream().mapToInt(Integer::intValue).toArray();
    }
    int[] fetchSlots = new int[fetches.length];
    for (int i = 0; i < fetches.length; i++) {
      fetchSlots[i] = slotOf.get(fetches[i]);
      initialUses[fetchSlots[i]]++;
    }
    return new StepPlan(feeds, fetches, targets, nodes, slots, feedSlots, fetchSlots, constOps, constSlots,
        initialUses);
  }

  /** The identity of a plan: ordered feeds, fetches and targets. */
  record Key(Output[] feeds, Output[] fetches, Operation[] targets) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(feeds, k.feeds) && Arrays.equals(fetches, k.fetches)
          && Arrays.equals(targets, k.targets);
    }

    @Override
    public int hashCode() {
      return (Arrays.hashCode(feeds) * 31 + Arrays.hashCode(fetches)) * 31 + Arrays.hashCode(targets);
    }
  }
}
