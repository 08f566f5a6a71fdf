package dev.quiver.executor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The serializable form of a {@link Graph}, TensorFlow's {@code GraphDef} as JSON. Immutable. docs/graphdef.md
 * describes the format in full.
 *
 * <pre>{@code
 * {"format": "quiver.graphdef/1",
 *  "node": [
 *    {"name": "a", "op": "Const",
 *     "attr": {"dtype": {"type": "float32"},
 *              "value": {"tensor": {"dtype": "float32", "shape": [], "content": "AACgQA=="}}}},
 *    {"name": "mul", "op": "Mul", "input": ["a", "b:0", "^init"], "attr": {}}]}
 * }</pre>
 *
 * Nodes come in the order they were added (inputs first). Inputs are TensorFlow's strings: {@code "op"} for
 * output 0, {@code "op:i"} for output i, {@code "^op"} for a control input. Each attribute is an object with
 * one key naming its kind: {@code i} (integer), {@code f} (float; NaN and infinities as strings), {@code b},
 * {@code s}, {@code type} (a dtype name), {@code shape} ({@code {"dim": [2, -1]}} or
 * {@code {"unknown_rank": true}}), {@code list} ({@code {"i": [...]}}, {@code {"f": [...]}} or
 * {@code {"s": [...]}}) or {@code tensor} ({@code dtype}, {@code shape} and, for fixed-width dtypes, the
 * little-endian element bytes in base64 as {@code content}; for strings the values as {@code string_val}).
 * Attributes are checked against the op's declaration on import, as when the op is built.
 *
 * <p>The placeholder of a {@code getSessionTensor} or {@code deleteSessionTensor} pair carries
 * {@code "handle_feeder": true} (TensorFlow keeps this in the Python graph only, as {@code _handle_feeders}), so
 * that a {@link TensorHandle} fed to it after an import still feeds its handle string.
 */
public final class GraphDef {
  /** The value of the {@code format} field this version writes and reads. */
  public static final String FORMAT = "quiver.graphdef/1";
  private static final String HANDLE_FEEDER = "handle_feeder";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode root;

  private GraphDef(ObjectNode root) {
    this.root = root;
  }

  /** The definition of every op now in {@code graph}. */
  static GraphDef of(Graph graph) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    ArrayNode nodes = root.putArray("node");
    for (Operation op : graph.operations()) {
      ObjectNode n = nodes.addObject();
      n.put("name", op.name());
      n.put("op", op.type());
      ArrayNode inputs = n.putArray("input");
      for (Output in : op.inputs()) {
        inputs.add(in.index() == 0 ? in.op().name() : in.name());
      }
      for (Operation c : op.controlInputs()) {
        inputs.add("^" + c.name());
      }
      ObjectNode attrs = n.putObject("attr");
      for (Map.Entry<String, Object> e : op.attrs().asMap().entrySet()) {
        attrs.set(e.getKey(), encode(e.getValue(), op.name(), e.getKey()));
      }
      if (op.numOutputs() > 0 && graph.isHandleFeeder(op.output(0))) {
        n.put(HANDLE_FEEDER, true);
      }
    }
    return new GraphDef(root);
  }

  /**
   * Parses the JSON form.
   *
   * @throws InvalidArgumentException if the text is not JSON of this format
   */
  public static GraphDef fromJson(String json) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException("not a GraphDef: " + e.getOriginalMessage(), e);
    }
    if (!(n instanceof ObjectNode o) || !FORMAT.equals(o.path("format").asText()) || !o.path("node").isArray()) {
      throw new InvalidArgumentException("not a GraphDef: expected an object with \"format\": \"" + FORMAT
          + "\" and a \"node\" array");
    }
    return new GraphDef(o.deepCopy());
  }

  /** The JSON form. */
  public String toJson() {
    return root.toString();
  }

  /** The JSON form, indented for people. */
  public String toPrettyJson() {
    return root.toPrettyString();
  }

  /** The names of the nodes, in order. */
  public List<String> nodeNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode n : root.path("node")) {
      names.add(n.path("name").asText());
    }
    return names;
  }

  public int size() {
    return root.path("node").size();
  }

  /** Adds every node to {@code graph} under its own name. */
  void importInto(Graph graph) {
    for (JsonNode n : root.path("node")) {
      String name = text(n, "name", "a node");
      String type = text(n, "op", "node '" + name + "'");
      List<Output> inputs = new ArrayList<>();
      List<Operation> controls = new ArrayList<>();
      for (JsonNode in : n.path("input")) {
        String s = in.asText();
        if (s.startsWith("^")) {
          controls.add(defined(graph, s.substring(1), name));
        } else {
          int colon = s.lastIndexOf(':');
          Operation producer = defined(graph, colon < 0 ? s : s.substring(0, colon), name);
          int index = colon < 0 ? 0 : outputIndex(s.substring(colon + 1));
          if (index < 0 || index >= producer.numOutputs()) {
            throw new InvalidArgumentException("input '" + s + "' of node '" + name + "' names a missing output");
          }
          inputs.add(producer.output(index));
        }
      }
      Map<String, Object> attrs = new LinkedHashMap<>();
      try {
        Iterator<Map.Entry<String, JsonNode>> it = n.path("attr").fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          attrs.put(e.getKey(), decode(e.getValue(), graph, name, e.getKey()));
        }
        Operation op = graph.addOperation(type, name, true, Attrs.of(attrs), inputs, controls);
        if (n.path(HANDLE_FEEDER).asBoolean(false)) {
          if (op.numOutputs() != 1 || op.output(0).dtype() != DType.STRING || !op.inputs().isEmpty()) {
            throw new InvalidArgumentException("node '" + name + "' is marked \"" + HANDLE_FEEDER + "\" but is not "
                + "a placeholder of handle strings (an op without inputs with one string output)");
          }
          graph.registerHandleFeeder(op.output(0));
        }
      } finally {
        for (Object v : attrs.values()) {
          if (v instanceof Tensor t) {
            t.close(); // the graph keeps its own reference
          }
        }
      }
    }
  }

  /** The output index after the colon of an input, or -1 if it is not a decimal number. */
  private static int outputIndex(String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String text(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new InvalidArgumentException(what + " has no \"" + field + "\"");
    }
    return v.asText();
  }

  private static Operation defined(Graph graph, String name, String consumer) {
    Operation op = graph.operation(name);
    if (op == null) {
      throw new InvalidArgumentException("input '" + name + "' of node '" + consumer + "' is not defined before it");
    }
    return op;
  }

  private static JsonNode encode(Object v, String op, String attr) {
    ObjectNode o = JSON.createObjectNode();
    if (v instanceof Long l) {
      o.put("i", l);
    } else if (v instanceof Double d) {
      putDouble(o, "f", d);
    } else if (v instanceof Boolean b) {
      o.put("b", b);
    } else if (v instanceof String s) {
      o.put("s", s);
    } else if (v instanceof DType d) {
      o.put("type", d.tfName());
    } else if (v instanceof Shape s) {
      o.set("shape", encodeShape(s));
    } else if (v instanceof long[] a) {
      ArrayNode list = o.putObject("list").putArray("i");
      for (long x : a) {
        list.add(x);
      }
    } else if (v instanceof double[] a) {
      ArrayNode list = o.putObject("list").putArray("f");
      for (double x : a) {
        if (Double.isFinite(x)) {
          list.add(x);
        } else {
          list.add(Double.toString(x));
        }
      }
    } else if (v instanceof String[] a) {
      ArrayNode list = o.putObject("list").putArray("s");
      for (String x : a) {
        list.add(x);
      }
    } else if (v instanceof Tensor t) {
      o.set("tensor", encodeTensor(t));
    } else {
      throw new InvalidArgumentException("attribute '" + attr + "' of op '" + op + "' is a "
          + v.getClass().getSimpleName() + ", which a GraphDef cannot hold");
    }
    return o;
  }

  private static void putDouble(ObjectNode o, String key, double d) {
    if (Double.isFinite(d)) {
      o.put(key, d);
    } else {
      o.put(key, Double.toString(d));
    }
  }

  private static JsonNode encodeShape(Shape s) {
    ObjectNode o = JSON.createObjectNode();
    if (s.hasUnknownRank()) {
      o.put("unknown_rank", true);
    } else {
      ArrayNode dims = o.putArray("dim");
      for (long d : s.dims()) {
        dims.add(d);
      }
    }
    return o;
  }

  private static JsonNode encodeTensor(Tensor t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("dtype", t.dtype().tfName());
    ArrayNode shape = o.putArray("shape");
    for (long d : t.shape().dims()) {
      shape.add(d);
    }
    if (t.dtype() == DType.STRING) {
      ArrayNode values = o.putArray("string_val");
      for (long i = 0; i < t.numElements(); i++) {
        values.add(t.getString(i));
      }
    } else {
      ByteBuffer bytes = t.asByteBuffer();
      byte[] raw = new byte[bytes.remaining()];
      bytes.get(raw);
      o.put("content", Base64.getEncoder().encodeToString(raw));
    }
    return o;
  }

  private static Object decode(JsonNode v, Graph graph, String op, String attr) {
    if (v.has("i")) {
      return v.get("i").asLong();
    }
    if (v.has("f")) {
      return v.get("f").asDouble();
    }
    if (v.has("b")) {
      return v.get("b").asBoolean();
    }
    if (v.has("s")) {
      return v.get("s").asText();
    }
    if (v.has("type")) {
      return DType.fromName(v.get("type").asText());
    }
    if (v.has("shape")) {
      return decodeShape(v.get("shape"));
    }
    if (v.has("list")) {
      JsonNode l = v.get("list");
      if (l.has("i")) {
        long[] a = new long[l.get("i").size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = l.get("i").get(i).asLong();
        }
        return a;
      }
      if (l.has("f")) {
        double[] a = new double[l.get("f").size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = l.get("f").get(i).asDouble();
        }
        return a;
      }
      if (l.has("s")) {
        String[] a = new String[l.get("s").size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = l.get("s").get(i).asText();
        }
        return a;
      }
    }
    if (v.has("tensor")) {
      return decodeTensor(v.get("tensor"), graph, op, attr);
    }
    throw new InvalidArgumentException("attribute '" + attr + "' of node '" + op + "' is of no known kind: " + v);
  }

  private static Shape decodeShape(JsonNode s) {
    if (s.path("unknown_rank").asBoolean(false)) {
      return Shape.unknown();
    }
    JsonNode dims = s.path("dim");
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i).asLong();
    }
    return Shape.of(d);
  }

  private static Tensor decodeTensor(JsonNode t, Graph graph, String op, String attr) {
    DType dtype = DType.fromName(t.path("dtype").asText());
    JsonNode dims = t.path("shape");
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i).asLong();
    }
    Shape shape = Shape.of(d);
    if (dtype == DType.STRING) {
      JsonNode values = t.path("string_val");
      String[] s = new String[values.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = values.get(i).asText();
      }
      return Tensor.of(graph.allocator(), s, shape);
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(t.path("content").asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("the tensor of attribute '" + attr + "' of node '" + op
          + "' has content that is not base64", e);
    }
    return Tensor.fromBuffer(graph.allocator(), dtype, shape, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GraphDef g && g.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return "GraphDef(" + size() + " nodes)";
  }
}
