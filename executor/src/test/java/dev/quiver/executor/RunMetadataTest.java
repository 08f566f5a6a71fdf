package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.store.DType;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/** RunOptions' trace level and RunMetadata's step stats, exported as Chrome trace events. */
@ExtendWith(LeakCheckedAllocator.class)
class RunMetadataTest {
  private static final RunOptions TRACE = RunOptions.builder().traceLevel(RunOptions.TraceLevel.FULL_TRACE).build();

  @SessionMatrixTest
  void aTracedStepRecordsEveryOpThatRan(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").constant(new float[] {1, 2, 3});
      Output m = f.tf.withName("m").identity(f.mul(a, a));
      RunMetadata md = new RunMetadata();
      f.session.run(m, null, TRACE, md).close();
      List<NodeStats> stats = md.stepStats();
      assertEquals(List.of("a", "m", "mul"), stats.stream().map(NodeStats::nodeName).sorted().toList());
      NodeStats mul = stats.stream().filter(s -> s.nodeName().equals("mul")).findFirst().orElseThrow();
      assertEquals(12, mul.outputBytes());
      assertTrue(mul.durationMicros() >= 0 && mul.startMicros() > 0);
      assertTrue(!mul.threadName().isEmpty());
    }
  }

  @SessionMatrixTest
  void withoutATraceLevelNothingIsRecorded(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      RunMetadata md = new RunMetadata();
      f.session.run(f.tf.constant(1f), null, RunOptions.defaults(), md).close();
      assertEquals(List.of(), md.stepStats());
    }
  }

  @SessionMatrixTest
  void theStatsNameTheHandlesAnOpTouched(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output h = f.tf.withName("keep").getSessionHandle(f.tf.constant(1f));
      RunMetadata md = new RunMetadata();
      try (Result r = f.session.run(h, null, TRACE, md)) {
        NodeStats keep = md.stepStats().stream().filter(s -> s.nodeName().equals("keep")).findFirst().orElseThrow();
        assertEquals(List.of(r.handle().handle()), keep.handles());
        SessionTensor st = f.tf.getSessionTensor(r.handle(), DType.FLOAT32);
        f.session.run(st.tensor(), Map.of(st.placeholder(), r.handle()), TRACE, md).close();
        assertTrue(md.stepStats().stream().anyMatch(s -> s.handles().contains(r.handle().handle())));
      }
    }
  }

  @SessionMatrixTest
  void theChromeTraceHasACompleteEventPerOp(SessionMatrix config, BufferAllocator allocator) throws Exception {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.withName("a").constant(2f);
      RunMetadata md = new RunMetadata();
      f.session.run(f.mul(a, a), null, TRACE, md).close();
      JsonNode trace = new ObjectMapper().readTree(md.toChromeTrace());
      int complete = 0;
      for (JsonNode e : trace.get("traceEvents")) {
        if (e.get("ph").asText().equals("X")) {
          complete++;
          assertTrue(e.has("ts") && e.has("dur") && e.has("pid") && e.has("tid") && e.has("name"));
        }
      }
      assertEquals(2, complete);
    }
  }
}
