package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.store.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java example of README.md, compiled and run. {@link #theReadmesJavaBlockIsRunHere} reads the README and
 * fails if its block is not, word for word, in this file: edit both together.
 */
class ReadmeExampleTest {
  @Test
  void theReadmesJavaBlockIsRunHere() {
    DocSnippets.assertEveryJavaBlockIsIn("README.md", "executor/src/test/java/dev/quiver/executor/ReadmeExampleTest.java");
  }

  @Test
  void persistentHandleExampleFeedsTheStoredTensorToALaterRun() {
    String printed = DocSnippets.printedBy(() -> {
      try (Graph g = new Graph(); Session sess = new Session(g)) {
        Ops tf = Ops.create(g);
        Output c = tf.math.multiply(tf.constant(3f), tf.constant(10f));
        try (Result hr = sess.run(tf.getSessionHandle(c))) {
          TensorHandle h = hr.handle();                                          // c stays in the store
          SessionTensor st = tf.getSessionTensor(h.handle(), DType.FLOAT32);     // (placeholder, tensor)
          Output b = tf.math.multiply(st.tensor(), tf.constant(10f));
          try (Result r = sess.run(b, Map.of(st.placeholder(), h.handle()))) {
            System.out.println(r.tensor().getFloat(0));                          // 300.0
          }
        }
      }
    });
    assertEquals("300.0", printed.strip());
  }
}
