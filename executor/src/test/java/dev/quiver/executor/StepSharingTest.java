package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How steps hold memory: small tensors carved from shared blocks, constants lent by the session. Whatever the
 * carving, every fetched value is its own and stays valid as long as it is kept; the fixture checks that nothing
 * is left in the store's allocator once the session closes.
 */
@ExtendWith(LeakCheckedAllocator.class)
class StepSharingTest {
  @SessionMatrixTest
  void smallResultsOfManyStepsKeepTheirOwnValues(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.add(f.mul(a, f.tf.constant(2f)), f.tf.constant(1f));
      SessionCallable call = f.session.makeCallable(y, List.of(a));
      List<Result> kept = new ArrayList<>();
      try {
        for (int i = 0; i < 500; i++) { // many blocks' worth of scalars
          kept.add(i % 2 == 0 ? call.call((float) i) : f.session.run(y, Map.of(a, (float) i)));
        }
        for (int i = 0; i < kept.size(); i++) {
          assertEquals(2f * i + 1, kept.get(i).tensor().getFloat(0), "result of step " + i);
        }
      } finally {
        kept.forEach(Result::close);
      }
    }
  }

  @SessionMatrixTest
  void aSmallStoredTensorSurvivesLaterSteps(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.INT32, Shape.scalar());
      Output sq = f.mul(a, a);
      try (Result hr = f.session.run(f.tf.getSessionHandle(sq), Map.of(a, 7))) {
        for (int i = 0; i < 300; i++) {
          f.session.run(sq, Map.of(a, i)).close();
        }
        try (Tensor stored = hr.handle().eval()) {
          assertEquals(49, stored.getInt(0));
        }
      }
    }
  }

  @SessionMatrixTest
  void handlesFedStepAfterStepReadTheirOwnTensors(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Result h1 = f.session.run(f.tf.getSessionHandle(f.tf.constant(1f)));
         Result h2 = f.session.run(f.tf.getSessionHandle(f.tf.constant("two")))) {
      SessionTensor s1 = f.tf.getSessionTensor(h1.handle(), DType.FLOAT32);
      SessionTensor s2 = f.tf.getSessionTensor(h2.handle(), DType.STRING);
      for (int i = 0; i < 100; i++) { // the handle strings are carved from blocks, two at a time
        try (Result r = f.session.run(List.of(s1.tensor(), s2.tensor()),
            Map.of(s1.placeholder(), h1.handle(), s2.placeholder(), h2.handle()))) {
          assertEquals(1f, r.get(0).getFloat(0));
          assertEquals("two", r.get(1).getString(0));
        }
      }
    }
  }

  @SessionMatrixTest
  void scalarFeedsOfEachDTypeKeepTheirValue(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Object[] values = {1.5f, 2.25, 7, 9L, true};
      DType[] dtypes = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.BOOL};
      for (int i = 0; i < values.length; i++) {
        Output p = f.tf.placeholder(dtypes[i], Shape.scalar());
        try (Result r = f.session.run(f.tf.identity(p), Map.of(p, values[i]))) {
          assertEquals(values[i], r.tensor().toArray(), dtypes[i].toString());
        }
      }
    }
  }

  @SessionMatrixTest
  void eightThreadsCarvingAtOnceGetCorrectValues(SessionMatrix config, BufferAllocator allocator) throws Exception {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.INT64, Shape.scalar());
      Output y = f.add(f.mul(a, f.tf.constant(3L)), f.tf.constant(1L));
      SessionCallable call = f.session.makeCallable(y, List.of(a));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          long base = t * 1_000_000L;
          done.add(pool.submit(() -> {
            List<Result> kept = new ArrayList<>();
            try {
              for (long i = base; i < base + 400; i++) {
                kept.add(call.call(i));
              }
              for (int k = 0; k < kept.size(); k++) {
                assertEquals(3 * (base + k) + 1, kept.get(k).tensor().getLong(0));
              }
            } finally {
              kept.forEach(Result::close);
            }
            return null;
          }));
        }
        for (Future<?> d : done) {
          d.get();
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @SessionMatrixTest
  void aFetchedConstantIsAReferenceOfItsOwn(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output c = f.tf.constant(new float[] {1, 2, 3});
      Tensor kept;
      try (Result r1 = f.session.run(c); Result r2 = f.session.run(List.of(c, f.tf.identity(c)))) {
        assertArrayEquals(new float[] {1, 2, 3}, r1.tensor().toFloatArray());
        assertEquals(r1.tensor().address(), r2.get(0).address(), "the graph's value, not a copy");
        kept = r2.get(1).share();
      }
      f.graph.close();
      try (kept) {
        assertArrayEquals(new float[] {1, 2, 3}, kept.toFloatArray(), "valid after the graph closed");
      }
    }
  }

  @SessionMatrixTest
  void aClosedGraphCannotBeRun(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output y = f.mul(f.tf.constant(2f), f.tf.constant(3f));
      f.session.run(y).close();
      f.graph.close();
      // Graph: "after which the graph can neither be built nor run"
      assertThrows(IllegalStateException.class, () -> f.session.run(y));
    }
  }

  @SessionMatrixTest
  void aConstantWithAControlDependencyWaitsForIt(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output x = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output h = f.tf.getSessionHandle(x);
      Output c = f.tf.withControlDependencies(List.of(h.op())).constant(5f);
      // Running c runs the handle op first, as TF does for control dependencies.
      try (Result r = f.session.run(c, Map.of(x, 4f))) {
        assertEquals(5f, r.tensor().getFloat(0));
      }
      assertEquals(1, f.store.stats().handlesInMemory());
    }
  }

  @SessionMatrixTest
  void partialRunsComputeFromConstants(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator)) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output r1 = f.add(a, f.tf.constant(10f));
      Output two = f.tf.constant(2f);
      String h = f.session.partialRunSetup(List.of(r1, two), List.of(a));
      try (Result c = f.session.partialRun(h, two, Map.of())) {
        assertEquals(2f, c.tensor().getFloat(0));
      }
      try (Result r = f.session.partialRun(h, r1, Map.of(a, 1f))) {
        assertEquals(11f, r.tensor().getFloat(0));
      }
    }
  }

  @SessionMatrixTest
  void stepsOfDifferentSessionsDoNotShareBlocks(SessionMatrix config, BufferAllocator allocator) {
    try (SessionFixture f = config.fixture(allocator);
         Session other = new Session(f.graph, SessionConfig.builder().handleStore(f.store).build())) {
      Output a = f.tf.placeholder(DType.FLOAT32, Shape.scalar());
      Output y = f.mul(a, a);
      try (Result r1 = f.session.run(y, Map.of(a, 3f)); Result r2 = other.run(y, Map.of(a, 4f))) {
        other.close(); // frees its own blocks only
        assertEquals(9f, r1.tensor().getFloat(0));
        assertEquals(16f, r2.tensor().getFloat(0));
        assertNotEquals(r1.tensor().address(), r2.tensor().address());
      }
    }
  }
}
