package dev.quiver.executor.ops;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An op's attributes: immutable name → value pairs fixed when the op is built. An op's attributes as its graph
 * holds them are resolved against its {@link OpDef} (defaults and inferred ones filled in), so kernels and shape
 * functions read each declared attribute without a fallback of their own. Values are {@code Long},
 * {@code Double}, {@code Boolean}, {@code String}, {@link DType}, {@link Shape}, {@code long[]}, {@code double[]},
 * {@code String[]}, or a {@link dev.quiver.store.Tensor} (a constant's value, owned by the graph).
 */
public final class Attrs {
  private static final Attrs EMPTY = new Attrs(Map.of());

  private final Map<String, Object> values;

  private Attrs(Map<String, Object> values) {
    this.values = values;
  }

  public static Attrs empty() {
    return EMPTY;
  }

  /** Attributes from alternating names and values: {@code Attrs.of("transpose_a", false, "T", DType.FLOAT32)}. */
  public static Attrs of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("attrs need name/value pairs, got " + namesAndValues.length + " items");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], normalize(namesAndValues[i + 1]));
    }
    return new Attrs(Collections.unmodifiableMap(m));
  }

  public static Attrs of(Map<String, Object> map) {
    Map<String, Object> m = new LinkedHashMap<>();
    map.forEach((k, v) -> m.put(k, normalize(v)));
    return new Attrs(Collections.unmodifiableMap(m));
  }

  /** A copy with one attribute added or replaced. */
  public Attrs with(String name, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    m.put(name, normalize(value));
    return new Attrs(Collections.unmodifiableMap(m));
  }

  private static Object normalize(Object v) {
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float) {
      return ((Float) v).doubleValue();
    }
    if (v instanceof int[]) {
      int[] a = (int[]) v;
      long[] l = new long[a.length];
      for (int i = 0; i < a.length; i++) {
        l[i] = a[i];
      }
      return l;
    }
    return v;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public Map<String, Object> asMap() {
    return values;
  }

  public Object get(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new InvalidArgumentException("missing attribute '" + name + "'");
    }
    return v;
  }

  public long getLong(String name) {
    return as(name, Long.class);
  }

  public double getDouble(String name) {
    Object v = get(name);
    if (v instanceof Number) {
      return ((Number) v).doubleValue();
    }
    throw wrongType(name, v, "a number");
  }

  public boolean getBool(String name) {
    return as(name, Boolean.class);
  }

  public String getString(String name) {
    return as(name, String.class);
  }

  public DType getDType(String name) {
    return as(name, DType.class);
  }

  public Shape getShape(String name) {
    return as(name, Shape.class);
  }

  public long[] getLongs(String name) {
    return as(name, long[].class).clone();
  }

  public <T> T as(String name, Class<T> type) {
    Object v = get(name);
    if (!type.isInstance(v)) {
      throw wrongType(name, v, type.getSimpleName());
    }
    return type.cast(v);
  }

  private static InvalidArgumentException wrongType(String name, Object v, String expected) {
    return new InvalidArgumentException("attribute '" + name + "' is a " + v.getClass().getSimpleName()
        + ", expected " + expected);
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
