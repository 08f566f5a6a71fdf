package dev.quiver.executor.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quiver.store.DType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every registered op declares TensorFlow's attributes: names, types, defaults, which are required and which
 * follow from the inputs, in TensorFlow's order. The expectations are TensorFlow 2.21's OpDefs
 * ({@code op_def_registry.get(type)}), written to {@code tf_op_attrs.txt} by
 * {@code executor/src/test/python/opdefs/tf_op_attrs.py} (the test venv has no TensorFlow; rerun the script with
 * bench/.venv after adding an op).
 */
class OpDeclarationsTest {
  @Test
  void everyRegisteredOpDeclaresTensorFlowsAttributes() throws IOException {
    Map<String, String> tf = tensorFlowAttrs();
    Map<String, String> quiver = new TreeMap<>();
    OpRegistry.global().all().forEach((type, def) -> quiver.put(type, describe(def)));
    assertEquals(tf.keySet(), quiver.keySet(), "the registered ops are those tf_op_attrs.txt lists (rerun "
        + "tf_op_attrs.py with the new op types to add one)");
    quiver.forEach((type, attrs) -> assertEquals(tf.get(type), attrs, "the attributes of " + type));
  }

  /** An op's attributes in tf_op_attrs.py's notation. */
  private static String describe(OpDef def) {
    return def.attrs().stream().map(OpDeclarationsTest::describe).collect(Collectors.joining("; "));
  }

  private static String describe(AttrDef a) {
    if (a.inferred() != null) {
      return a.name() + (a.inferred().listLength() ? " int <- inputs less " : " type <- input ") + a.inferred().input();
    }
    return a.name() + " " + a.type() + (a.required() ? " required" : " = " + text(a.defaultValue()));
  }

  private static String text(Object v) {
    if (v instanceof String s) {
      return '"' + s + '"';
    }
    if (v instanceof long[] l) {
      return Arrays.toString(l);
    }
    if (v instanceof DType d) {
      return d.tfName();
    }
    return String.valueOf(v); // booleans, numbers, shapes ("<unknown>")
  }

  private static Map<String, String> tensorFlowAttrs() throws IOException {
    Map<String, String> attrs = new TreeMap<>();
    try (InputStream in = OpDeclarationsTest.class.getResourceAsStream("tf_op_attrs.txt")) {
      assertNotNull(in, "tf_op_attrs.txt is on the test class path");
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          int colon = line.indexOf(':');
          attrs.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
      }
    }
    return attrs;
  }
}
