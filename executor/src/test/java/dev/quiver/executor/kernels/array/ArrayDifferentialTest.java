package dev.quiver.executor.kernels.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import dev.quiver.testing.LeakCheckedAllocator;
import dev.quiver.testing.Python;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the generated array-op cases ({@link ArrayCaseGenerator}) through our kernels and through numpy's
 * reference ({@code src/test/python/differential/ops_array.py}) and requires the same shapes and values,
 * or an InvalidArgument error wherever numpy rejects the case.
 */
@ExtendWith(LeakCheckedAllocator.class)
class ArrayDifferentialTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Paths.get("src/test/python/differential/ops_array.py");

  @Test
  void arrayOpsAgreeWithNumpy(BufferAllocator a) throws Exception {
    List<ArrayCaseGenerator.Case> cases = new ArrayCaseGenerator(20261122L).cases();
    Path in = Files.createTempFile("quiver-array-cases", ".json");
    Path out = Files.createTempFile("quiver-array-results", ".json");
    try {
      List<Map<String, Object>> json = new ArrayList<>();
      for (ArrayCaseGenerator.Case c : cases) {
        json.add(toJson(c));
      }
      JSON.writeValue(in.toFile(), json);
      Python.Result r = Python.run(SCRIPT.toAbsolutePath(), 120, in.toString(), out.toString());
      assertEquals(0, r.exitCode(), r.output());
      JsonNode results = JSON.readTree(out.toFile());
      int rejected = 0;
      for (JsonNode result : results) {
        rejected += result.has("error") ? 1 : 0;
      }
      assertTrue(rejected < cases.size() / 3, rejected + " of " + cases.size() + " cases are invalid; the generator "
          + "should mostly make valid ones");
      assertTrue(rejected > 0, "the generator should also make some invalid cases");
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        String problem = check(a, cases.get(i), results.get(i));
        if (problem != null) {
          failures.add("case " + i + " " + describe(cases.get(i)) + ": " + problem);
        }
      }
      if (!failures.isEmpty()) {
        fail(failures.size() + " of " + cases.size() + " cases differ from numpy:\n"
            + String.join("\n", failures.subList(0, Math.min(15, failures.size()))));
      }
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
    }
  }

  private static String check(BufferAllocator a, ArrayCaseGenerator.Case c, JsonNode expected) {
    try (OpRunner r = OpRunner.op(a, c.op())) {
      for (ArrayCaseGenerator.Input input : c.inputs()) {
        r.input(tensor(a, input));
      }
      c.attrs().forEach(r::attr);
      List<Tensor> outs;
      try {
        outs = r.runAll();
      } catch (InvalidArgumentException e) {
        return expected.has("error") ? null : "we rejected it (" + e.getMessage() + ") but numpy gives "
            + expected.get("outputs").get(0).get("shape");
      }
      if (expected.has("error")) {
        return "numpy rejects it (" + expected.get("error").asText() + ") but we gave " + outs.get(0);
      }
      JsonNode exp = expected.get("outputs");
      if (exp.size() != outs.size()) {
        return outs.size() + " outputs, numpy " + exp.size();
      }
      for (int k = 0; k < outs.size(); k++) {
        String d = compare(outs.get(k), exp.get(k));
        if (d != null) {
          return "output " + k + ": " + d;
        }
      }
      return null;
    }
  }

  private static String compare(Tensor t, JsonNode exp) {
    long[] shape = new long[exp.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = exp.get("shape").get(i).asLong();
    }
    if (!t.shape().equals(Shape.of(shape))) {
      return "shape " + t.shape() + ", numpy " + Shape.of(shape);
    }
    JsonNode data = exp.get("data");
    for (int i = 0; i < t.numElements(); i++) {
      boolean same = t.dtype() == DType.STRING ? t.getString(i).equals(data.get(i).asText())
          : Math.abs(t.getAsDouble(i) - data.get(i).asDouble()) <= 1e-9 * Math.max(1, Math.abs(data.get(i).asDouble()));
      if (!same) {
        return "element " + i + " is " + t.getFlat(i) + ", numpy " + data.get(i);
      }
    }
    return null;
  }

  private static Tensor tensor(BufferAllocator a, ArrayCaseGenerator.Input in) {
    Object[] v = in.data();
    Shape s = Shape.of(in.shape());
    switch (in.dtype()) {
      case STRING: {
        String[] x = new String[v.length];
        for (int i = 0; i < v.length; i++) {
          x[i] = (String) v[i];
        }
        return Tensor.of(a, x, s);
      }
      case FLOAT64: {
        double[] x = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          x[i] = ((Number) v[i]).doubleValue();
        }
        return Tensor.of(a, x, s);
      }
      case INT64: {
        long[] x = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          x[i] = ((Number) v[i]).longValue();
        }
        return Tensor.of(a, x, s);
      }
      default: {
        int[] x = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          x[i] = ((Number) v[i]).intValue();
        }
        return Tensor.of(a, x, s);
      }
    }
  }

  private static Map<String, Object> toJson(ArrayCaseGenerator.Case c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", c.op());
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (ArrayCaseGenerator.Input in : c.inputs()) {
      inputs.add(Map.of("dtype", in.dtype().tfName(), "shape", in.shape(), "data", in.data()));
    }
    m.put("inputs", inputs);
    m.put("attrs", c.attrs());
    return m;
  }

  private static String describe(ArrayCaseGenerator.Case c) {
    StringBuilder b = new StringBuilder(c.op()).append(c.attrs()).append('(');
    for (ArrayCaseGenerator.Input in : c.inputs()) {
      b.append(in.dtype()).append(Shape.of(in.shape()));
      if (in.data().length <= 8 && in.dtype() != DType.STRING) {
        b.append(java.util.Arrays.toString(in.data()));
      }
      b.append(", ");
    }
    return b.append(')').toString();
  }
}
