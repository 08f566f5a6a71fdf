package dev.quiver.executor;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step plans of one session, one per distinct (feeds, fetches, targets), each planned on first use. Bounded:
 * a session that keeps making new kinds of steps starts over past {@link #MAX_PLANS}. Thread-safe; two threads
 * planning the same step at once keep the first plan.
 */
final class PlanCache {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  static final int MAX_PLANS = 1024;

  private final ConcurrentHashMap<StepPlan.Key, StepPlan> plans = new ConcurrentHashMap<>();
  private final boolean logDevicePlacement;

  PlanCache(boolean logDevicePlacement) {
    this.logDevicePlacement = logDevicePlacement;
  }

  /** The plan of a step with these feeds, fetches and targets (distinct elements of one graph). */
  StepPlan get(Output[] feeds, Output[] fetches, Operation[] targets) {
    StepPlan.Key key = new StepPlan.Key(feeds, fetches, targets);
    StepPlan plan = plans.get(key);
    if (plan == null) {
      plan = StepPlan.create(feeds, fetches, targets);
      if (logDevicePlacement) { // as TensorFlow's log_device_placement prints each op's device
        for (Operation op : plan.constOps) {
          LOG.info("{}: ({}): {}", op.name(), op.type(), DeviceAttributes.LOCAL_CPU);
        }
        for (StepPlan.Node n : plan.nodes) {
          LOG.info("{}: ({}): {}", n.op.name(), n.op.type(), DeviceAttributes.LOCAL_CPU);
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

  void clear() {
    plans.clear();
  }
}
