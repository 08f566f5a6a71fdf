package dev.quiver.executor;

import dev.quiver.errors.NotFoundException;
import dev.quiver.store.Tensor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a {@code fetches} argument: graph elements at the leaves of nested lists, arrays, maps and
 * records. Parsed once (a callable keeps it), it lists the distinct tensors and ops to run and rebuilds the
 * same structure around the fetched values.
 */
final class FetchStructure {
  private interface Node {
    Object build(Builder b);
  }

  final Output[] outputs;
  final Operation[] targets;
  private final Node root;
  private final int leafCount;

  private FetchStructure(Node root, List<Output> outputs, List<Operation> targets, int leafCount) {
    this.root = root;
    this.outputs = outputs.toArray(new Output[0]);
    this.targets = targets.toArray(new Operation[0]);
    this.leafCount = leafCount;
  }

  /**
   * Parses {@code fetches} against {@code graph}.
   *
   * @throws IllegalArgumentException naming the fetch if it has an invalid type or is from another graph
   * @throws dev.quiver.errors.NotFoundException if a name is not in the graph
   */
  static FetchStructure parse(Graph graph, Object fetches) {
    Parser p = new Parser(graph);
    Node root = p.parse(fetches);
    return new FetchStructure(root, new ArrayList<>(p.outputs.keySet()), new ArrayList<>(p.targets.keySet()),
        p.leaves);
  }

  /**
   * The fetched structure around {@code values} (one per {@link #outputs}), whose ownership passes to the
   * returned value's holders: every tensor placed is recorded in {@code owned}.
   */
  Object build(Tensor[] values, Session session, List<AutoCloseable> owned) {
    Builder b = new Builder(values, session, owned);
    try {
      return root.build(b);
    } finally {
      b.closeUnused();
    }
  }

  int leafCount() {
    return leafCount;
  }

  /**
   * Builds one value per distinct fetched output and hands that same object to every leaf that fetches it, as
   * TensorFlow does ({@code r[0] is r[1]} for {@code sess.run([c, c])}, for tensors and handles alike): a handle
   * fetched twice is one {@link TensorHandle}, so one Cleaner, and closing a tensor closes it for every leaf.
   */
  static final class Builder {
    private final Tensor[] values;
    private final boolean[] taken;
    private final Object[] built;
    private Map<List<Integer>, SparseTensorValue> sparse; // made for the first sparse fetch
    final Session session;
    final List<AutoCloseable> owned;

    Builder(Tensor[] values, Session session, List<AutoCloseable> owned) {
      this.values = values;
      this.taken = new boolean[values.length];
      this.built = new Object[values.length];
      this.session = session;
      this.owned = owned;
    }

    /** The fetched tensor of output {@code i}, owned by the result (recorded in {@code owned} once). */
    Tensor tensor(int i) {
      if (built[i] == null) {
        taken[i] = true;
        built[i] = values[i];
        owned.add(values[i]);
      }
      return (Tensor) built[i];
    }

    /** The handle object of the {@code GetSessionHandle} output {@code o}, fetched at index {@code i}. */
    TensorHandle handle(int i, Output o) {
      if (built[i] == null) {
        taken[i] = true;
        try (Tensor handleString = values[i]) {
          built[i] = session.handleFromFetch(o, handleString);
        }
      }
      return (TensorHandle) built[i];
    }

    /** The value of a sparse tensor whose parts were fetched at {@code i}, {@code v} and {@code d}. */
    SparseTensorValue sparse(int i, int v, int d) {
      // its tensors are owned through tensor(): the value itself needs no closing of its own
      if (sparse == null) {
        sparse = new java.util.HashMap<>();
      }
      return sparse.computeIfAbsent(List.of(i, v, d), k -> new SparseTensorValue(tensor(i), tensor(v), tensor(d)));
    }

    void closeUnused() {
      for (int i = 0; i < values.length; i++) {
        if (!taken[i] && values[i] != null) {
          values[i].close();
        }
      }
    }
  }

  private static final class Parser {
    final Graph graph;
    final Map<Output, Integer> outputs = new LinkedHashMap<>();
    final Map<Operation, Boolean> targets = new LinkedHashMap<>();
    int leaves;

    Parser(Graph graph) {
      this.graph = graph;
    }

    int indexOf(Output o) {
      return outputs.computeIfAbsent(o, k -> outputs.size());
    }

    Node parse(Object f) {
      if (f instanceof Output o) {
        return tensorLeaf(check(o, o.graph(), o));
      }
      if (f instanceof Operation op) {
        check(op, op.graph(), op);
        targets.put(op, Boolean.TRUE);
        leaves++;
        return b -> null;
      }
      if (f instanceof SparseTensor s) {
        check(s, s.graph(), s);
        int i = indexOf(s.indices());
        int v = indexOf(s.values());
        int d = indexOf(s.denseShape());
        leaves++;
        return b -> b.sparse(i, v, d);
      }
      if (f instanceof String name) {
        Object element;
        try {
          element = graph.element(name);
        } catch (NotFoundException e) {
          throw new NotFoundException("Argument `fetch` = " + name + " cannot be interpreted as a Tensor. (\""
              + e.getMessage() + "\")", e);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("Argument `fetch` = " + name + " cannot be interpreted as a Tensor. ("
              + e.getMessage() + ")", e);
        }
        return parse(element);
      }
      if (f instanceof List<?> list) {
        Node[] items = new Node[list.size()];
        for (int i = 0; i < items.length; i++) {
          items[i] = parse(list.get(i));
        }
        return b -> {
          List<Object> r = new ArrayList<>(items.length);
          for (Node n : items) {
            r.add(n.build(b));
          }
          return Collections.unmodifiableList(r);
        };
      }
      if (f instanceof Object[] array) {
        Node[] items = new Node[array.length];
        for (int i = 0; i < items.length; i++) {
          items[i] = parse(array[i]);
        }
        return b -> {
          Object[] r = new Object[items.length];
          for (int i = 0; i < items.length; i++) {
            r[i] = items[i].build(b);
          }
          return r;
        };
      }
      if (f instanceof Map<?, ?> map) {
        Object[] keys = new Object[map.size()];
        Node[] values = new Node[map.size()];
        int i = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          keys[i] = e.getKey();
          values[i++] = parse(e.getValue());
        }
        return b -> {
          Map<Object, Object> r = new LinkedHashMap<>();
          for (int k = 0; k < keys.length; k++) {
            r.put(keys[k], values[k].build(b));
          }
          return Collections.unmodifiableMap(r);
        };
      }
      if (f != null && f.getClass().isRecord() && !(f instanceof SparseTensorValue)) {
        return recordNode((Record) f);
      }
      if (f == null) {
        throw new IllegalArgumentException("Argument `fetch` = null has invalid type \"null\". Cannot be null");
      }
      throw new IllegalArgumentException("Argument `fetch` = " + f + " has invalid type \""
          + f.getClass().getSimpleName() + "\" must be an Operation, Output, SparseTensor or String, or a List, Map,"
          + " array or record of them. (Can not convert a " + f.getClass().getSimpleName()
          + " into a Tensor or Operation.)");
    }

    private Node tensorLeaf(Output o) {
      int i = indexOf(o);
      leaves++;
      if (TensorHandle.isHandleOutput(o)) {
        return b -> b.handle(i, o);
      }
      return b -> b.tensor(i);
    }

    private <T> T check(T element, Graph g, Object shown) {
      if (g != graph) {
        throw new IllegalArgumentException("Argument `fetch` = " + shown + " cannot be interpreted as a Tensor. ("
            + shown + " is not an element of this graph.)");
      }
      return element;
    }

    private Node recordNode(Record r) {
      Class<?> type = r.getClass();
      RecordComponent[] comps = type.getRecordComponents();
      Node[] items = new Node[comps.length];
      Class<?>[] types = new Class<?>[comps.length];
      for (int i = 0; i < comps.length; i++) {
        types[i] = comps[i].getType();
        if (types[i].isPrimitive()) {
          throw new IllegalArgumentException("record " + type.getName() + " cannot be a fetch structure: component '"
              + comps[i].getName() + "' is a primitive " + types[i]);
        }
        Object value;
        try {
          var accessor = comps[i].getAccessor();
          accessor.setAccessible(true);
          value = accessor.invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
          throw new IllegalArgumentException("cannot read component '" + comps[i].getName() + "' of " + type.getName(),
              e);
        }
        items[i] = parse(value);
      }
      Constructor<?> ctor;
      try {
        ctor = type.getDeclaredConstructor(types);
        ctor.setAccessible(true);
      } catch (NoSuchMethodException e) {
        throw new IllegalArgumentException("record " + type.getName() + " has no canonical constructor", e);
      }
      return b -> {
        Object[] args = new Object[items.length];
        for (int i = 0; i < items.length; i++) {
          args[i] = items[i].build(b);
          if (args[i] != null && !types[i].isInstance(args[i])) {
            throw new IllegalArgumentException("record " + type.getSimpleName() + "'s component '"
                + comps[i].getName() + "' is declared " + types[i].getSimpleName() + " and cannot hold the fetched "
                + args[i].getClass().getSimpleName() + "; declare it Object or with a type parameter");
          }
        }
        try {
          return ctor.newInstance(args);
        } catch (InstantiationException | IllegalAccessException e) {
          throw new IllegalArgumentException("cannot build record " + type.getName(), e);
        } catch (InvocationTargetException e) {
          throw new IllegalArgumentException("the constructor of record " + type.getName() + " refused the fetched "
              + "values: " + e.getCause(), e.getCause());
        }
      };
    }
  }
}
