package dev.quiver.executor;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.arrow.memory.ArrowBuf;

/**
 * Feed keys and values: which tensors a step overrides, and the conversion of each value into a tensor the
 * step owns. A {@link Tensor} value is shared, never copied; Java scalars and arrays are converted to the
 * key's dtype; the key's static shape is checked.
 */
final class Feeds {
  final Output[] keys;
  final Object[] values;

  private Feeds(Output[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  static final Feeds NONE = new Feeds(new Output[0], new Object[0]);

  /**
   * Resolves the keys of a feed dict (Outputs, tensor names, SparseTensors, Lists of them with List values).
   * A tensor given twice takes the later value.
   *
   * @throws IllegalArgumentException naming a key that is not a tensor of {@code graph} (TensorFlow's TypeError)
   */
  static Feeds parse(Graph graph, Map<?, ?> feedDict) {
    if (feedDict == null || feedDict.isEmpty()) {
      return NONE;
    }
    if (feedDict.size() == 1) { // the common single feed, without a map of its own
      Map.Entry<?, ?> e = feedDict.entrySet().iterator().next();
      if (!(e.getKey() instanceof SparseTensor) && !(e.getKey() instanceof List<?>)) {
        return new Feeds(new Output[] {key(graph, e.getKey())}, new Object[] {e.getValue()});
      }
    }
    Map<Output, Object> resolved = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : feedDict.entrySet()) {
      add(graph, e.getKey(), e.getValue(), resolved);
    }
    return new Feeds(resolved.keySet().toArray(new Output[0]), resolved.values().toArray());
  }

  /**
   * Adds the feeds of one key and its value to {@code into}: a tensor's, a SparseTensor's three (the value a
   * {@link SparseTensorValue}), or those of each element of a List key (the value a List of the same size).
   *
   * @throws IllegalArgumentException naming a key that is not a tensor of {@code graph}, or a value that does not
   *     match its key's structure
   */
  static void add(Graph graph, Object key, Object value, Map<Output, Object> into) {
    if (key instanceof SparseTensor s) {
      if (!(value instanceof SparseTensorValue v)) {
        throw new IllegalArgumentException("the feed value of a SparseTensor must be a SparseTensorValue, not "
            + describe(value));
      }
      add(graph, s.indices(), v.indices(), into);
      add(graph, s.values(), v.values(), into);
      add(graph, s.denseShape(), v.denseShape(), into);
      return;
    }
    if (key instanceof List<?> keys) {
      if (!(value instanceof List<?> values) || values.size() != keys.size()) {
        throw new IllegalArgumentException("the feed value of a List key must be a List of the same size, not "
            + describe(value));
      }
      for (int i = 0; i < keys.size(); i++) {
        add(graph, keys.get(i), values.get(i), into);
      }
      return;
    }
    into.put(key(graph, key), value);
  }

  /** Whether {@code key} stands for several tensors: a SparseTensor or a List of keys. */
  static boolean isStructured(Object key) {
    return key instanceof SparseTensor || key instanceof List<?>;
  }

  /**
   * The tensors a feed key stands for, in the order {@link #add} feeds them: itself, a SparseTensor's indices,
   * values and dense shape, or those of each element of a List.
   *
   * @throws IllegalArgumentException naming a key that is not a tensor of {@code graph}
   */
  static void flatten(Graph graph, Object key, Consumer<Output> into) {
    if (key instanceof SparseTensor s) {
      into.accept(key(graph, s.indices()));
      into.accept(key(graph, s.values()));
      into.accept(key(graph, s.denseShape()));
    } else if (key instanceof List<?> keys) {
      for (Object k : keys) {
        flatten(graph, k, into);
      }
    } else {
      into.accept(key(graph, key));
    }
  }

  /**
   * The tensor a feed key names.
   *
   * @throws IllegalArgumentException with TensorFlow's wording if it is no tensor of {@code graph}
   */
  static Output key(Graph graph, Object key) {
    if (key instanceof Output o) {
      if (o.graph() != graph) {
        throw new IllegalArgumentException("Cannot interpret feed_dict key as Tensor: Tensor " + o.name()
            + " is not an element of this graph.");
      }
      return o;
    }
    if (key instanceof String name) {
      if (name.indexOf(':') < 0) {
        if (graph.operation(name) != null) {
          throw new IllegalArgumentException("Cannot interpret feed_dict key as Tensor: The name '" + name
              + "' refers to an Operation, not a Tensor. Tensor names must be of the form \"<op_name>:<output_index>\".");
        }
      }
      try {
        return graph.outputByName(name);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("Cannot interpret feed_dict key as Tensor: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException("Cannot interpret feed_dict key as Tensor: Can not convert a "
        + describe(key) + " into a Tensor.");
  }

  private static String describe(Object o) {
    return o == null ? "null" : o.getClass().getSimpleName();
  }

  /**
   * Converts every value into a tensor the step owns; on failure, frees what it converted.
   *
   * @throws InvalidArgumentException naming the tensor if a value does not fit its dtype or shape
   * @throws IllegalArgumentException if a value is of a type that cannot be fed
   */
  static Tensor[] convert(Session session, Output[] keys, Object[] values, StepArena arena) {
    Tensor[] out = new Tensor[keys.length];
    try {
      for (int i = 0; i < keys.length; i++) {
        Tensor scalar = arena == null ? null : scalarInArena(keys[i], values[i], arena);
        out[i] = scalar != null ? scalar : convert(session, keys[i], values[i], arena);
      }
      return out;
    } catch (RuntimeException e) {
      for (Tensor t : out) {
        if (t != null) {
          t.close();
        }
      }
      throw e;
    }
  }

  /**
   * A Java scalar of exactly the key's dtype (a Float for float32...) as a tensor carved from the step's arena,
   * or null for any other value: the common scalar feed without a Java array or an allocation of its own.
   */
  private static Tensor scalarInArena(Output key, Object value, StepArena arena) {
    DType dtype = key.dtype();
    boolean exact = switch (dtype) {
      case FLOAT32 -> value instanceof Float;
      case FLOAT64 -> value instanceof Double;
      case INT32 -> value instanceof Integer;
      case INT64 -> value instanceof Long;
      case BOOL -> value instanceof Boolean;
      default -> false;
    };
    if (!exact || !key.shape().isCompatibleWith(Shape.scalar())) {
      return null;
    }
    Tensor t = arena.allocate(dtype, Shape.scalar(), dtype.byteWidth());
    ArrowBuf buf = t.dataBuffer();
    switch (dtype) {
      case FLOAT32 -> buf.setFloat(0, (Float) value);
      case FLOAT64 -> buf.setDouble(0, (Double) value);
      case INT32 -> buf.setInt(0, (Integer) value);
      case INT64 -> buf.setLong(0, (Long) value);
      default -> buf.setByte(0, (Boolean) value ? 1 : 0);
    }
    return t;
  }

  /** One feed value as a tensor the caller owns; small ones come from {@code arena} unless it is null. */
  static Tensor convert(Session session, Output key, Object value, StepArena arena) {
    if (value instanceof Tensor t) {
      checkDType(key, t.dtype());
      checkShape(key, t);
      return t.share();
    }
    if (value instanceof Output || value instanceof Operation || value instanceof SparseTensor) {
      throw new IllegalArgumentException("The value of a feed cannot be a graph element (" + value + "). Acceptable"
          + " feed values include Java scalars, Strings, arrays, Tensors and TensorHandles.");
    }
    if (value == null) {
      throw new IllegalArgumentException("the feed value of Tensor '" + key.name() + "' is null");
    }
    Tensor handled = session.feedFromHandle(key, value, arena);
    if (handled != null) {
      try {
        checkDType(key, handled.dtype());
        checkShape(key, handled);
      } catch (RuntimeException e) {
        handled.close();
        throw e;
      }
      return handled;
    }
    Tensor t;
    try {
      t = Tensor.fromArray(session.stepAllocator(), key.dtype(), value);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("Cannot convert the feed value of Tensor '" + key.name() + "' to "
          + key.dtype() + ": " + e.getMessage(), e);
    }
    try {
      checkShape(key, t);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static void checkDType(Output key, DType dtype) {
    if (dtype != key.dtype()) {
      throw new InvalidArgumentException("Cannot feed a " + dtype + " value for Tensor '" + key.name()
          + "', which has dtype " + key.dtype());
    }
  }

  private static void checkShape(Output key, Tensor t) {
    if (!key.shape().isCompatibleWith(t.shape())) {
      throw new InvalidArgumentException("Cannot feed value of shape " + t.shape() + " for Tensor " + key.name()
          + ", which has shape " + key.shape());
    }
  }
}
