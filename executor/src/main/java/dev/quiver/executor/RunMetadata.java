package dev.quiver.executor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a traced step reports, TensorFlow's {@code RunMetadata} proto: pass one to {@code run} with a
 * {@link RunOptions} whose trace level is not NO_TRACE and it receives one {@link NodeStats} per op that ran.
 * A step replaces the stats of any previous step. Thread-safe.
 */
public final class RunMetadata {
  private static final ObjectMapper JSON = new ObjectMapper();

  private volatile List<NodeStats> stepStats = List.of();

  public RunMetadata() {}

  /** The stats of the last traced step, in start order. */
  public List<NodeStats> stepStats() {
    return stepStats;
  }

  void setStepStats(List<NodeStats> stats) {
    List<NodeStats> sorted = new ArrayList<>(stats);
    sorted.sort(Comparator.comparingLong(NodeStats::startMicros));
    this.stepStats = List.copyOf(sorted);
  }

  /**
   * The step as Chrome trace-event JSON ({@code {"traceEvents": [...]}}, one complete event per op on its
   * thread's track), which {@code chrome://tracing} and Perfetto open.
   */
  public String toChromeTrace() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode events = root.putArray("traceEvents");
    java.util.Set<Long> threads = new java.util.LinkedHashSet<>();
    for (NodeStats s : stepStats) {
      ObjectNode e = events.addObject();
      e.put("name", s.nodeName());
      e.put("cat", "Op");
      e.put("ph", "X");
      e.put("ts", s.startMicros());
      e.put("dur", Math.max(s.durationMicros(), 0));
      e.put("pid", 1);
      e.put("tid", s.threadId());
      ObjectNode args = e.putObject("args");
      args.put("name", s.nodeName());
      args.put("op", s.opType());
      args.put("output_bytes", s.outputBytes());
      if (!s.handles().isEmpty()) {
        ArrayNode hs = args.putArray("handles");
        s.handles().forEach(hs::add);
      }
      if (threads.add(s.threadId())) {
        ObjectNode m = JSON.createObjectNode();
        m.put("name", "thread_name");
        m.put("ph", "M");
        m.put("pid", 1);
        m.put("tid", s.threadId());
        m.putObject("args").put("name", s.threadName());
        events.add(m);
      }
    }
    ObjectNode p = events.addObject();
    p.put("name", "process_name");
    p.put("ph", "M");
    p.put("pid", 1);
    p.putObject("args").put("name", DeviceAttributes.LOCAL_CPU + " Compute");
    root.put("displayTimeUnit", "ns");
    return root.toString();
  }

  @Override
  public String toString() {
    return "RunMetadata(" + stepStats.size() + " node stats)";
  }
}
