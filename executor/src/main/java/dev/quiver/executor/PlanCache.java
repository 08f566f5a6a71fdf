package dev.quiver.executor;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step plans of one session, one per distinct (feeds, fetches, targets), each planned on first use. Bounded:
 * a session that keeps making new kinds of steps starts over past {@link #MAX_PLANS}. Thread-safe; two threads
 * planning the same step at once keep the first plan.
 *
 * <p>With {@code logDevicePlacement}, the first plan that needs an op logs its placement (SLF4J, INFO, logger
 * {@code dev.quiver.executor.Session}) as TensorFlow's placer prints it, {@code "mul: (Mul):
 * /job:localhost/replica:0/task:0/device:CPU:0"}: once per op and session, as TensorFlow places each op once.
 */
final class PlanCache {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  static final int MAX_PLANS = 1024;

  private final ConcurrentHashMap<StepPlan.Key, StepPlan> plans = new ConcurrentHashMap<>();
  private final Set<Operation> placed; // the ops whose placement was logged; null unless logDevicePlacement

  PlanCache(boolean logDevicePlacement) {
    this.placed = logDevicePlacement ? ConcurrentHashMap.newKeySet() : null;
  }

  /** The plan of a step with these feeds, fetches and targets (distinct elements of one graph). */
  StepPlan get(Output[] feeds, Output[] fetches, Operation[] targets) {
    StepPlan.Key key = new StepPlan.Key(feeds, fetches, targets);
    StepPlan plan = plans.get(key);
    if (plan == null) {
      plan = StepPlan.create(feeds, fetches, targets);
      if (placed != null) {
        for (Operation op : plan.constOps) {
          logPlacement(op);
        }
        for (StepPlan.Node n : plan.nodes) {
          logPlacement(n.op);
        }
      }
      if (plans.size() >= MAX_PLANS) {
        plans.clear();
      }
      StepPlan raced = plans.putIfAbsent(key, plan);
      if (raced != null) {
        plan = raced;
      }
    }
    return plan;
  }

  private void logPlacement(Operation op) {
    if (placed.add(op)) {
      LOG.info("{}: ({}): {}", op.name(), op.type(), DeviceAttributes.LOCAL_CPU);
    }
  }

  void clear() {
    plans.clear();
  }
}
