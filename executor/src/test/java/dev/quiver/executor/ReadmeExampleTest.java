package dev.quiver.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.store.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java snippet of README.md, compiled and run: keep the two in step. */
class ReadmeExampleTest {
  @Test
  void persistentHandleExampleFeedsTheStoredTensorToALaterRun() {
    float printed;
    try (Graph g = new Graph(); Session sess = new Session(g)) {
      Ops tf = Ops.create(g);
      Output c = tf.math.multiply(tf.constant(3f), tf.constant(10f));
      try (Result hr = sess.run(tf.getSessionHandle(c))) {
        TensorHandle h = hr.handle();
        SessionTensor st = tf.getSessionTensor(h.handle(), DType.FLOAT32);
        Output b = tf.math.multiply(st.tensor(), tf.constant(10f));
        try (Result r = sess.run(b, Map.of(st.placeholder(), h.handle()))) {
          printed = r.tensor().getFloat(0);
        }
      }
    }
    assertEquals(300f, printed);
  }
}
