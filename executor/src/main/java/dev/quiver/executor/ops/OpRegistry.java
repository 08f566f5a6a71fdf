package dev.quiver.executor.ops;

import dev.quiver.errors.NotFoundException;
import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every op type Quiver knows, by TensorFlow type name. The global registry is filled once from the
 * {@link OpLibrary} implementations listed in {@code META-INF/services/dev.quiver.executor.ops.OpLibrary}.
 */
public final class OpRegistry {
  private static volatile OpRegistry global;

  private final Map<String, OpDef> ops = new ConcurrentHashMap<>();

  /** An empty registry, for tests that declare their own ops. */
  public OpRegistry() {}

  /** The registry of all ops the service-loaded libraries declare. */
  public static OpRegistry global() {
    OpRegistry r = global;
    if (r == null) {
      synchronized (OpRegistry.class) {
        r = global;
        if (r == null) {
          r = new OpRegistry();
          for (OpLibrary lib : ServiceLoader.load(OpLibrary.class, OpRegistry.class.getClassLoader())) {
            lib.register(r);
          }
          global = r;
        }
      }
    }
    return r;
  }

  /**
   * Adds an op declaration.
   *
   * @throws IllegalStateException if an op of that type is declared already
   */
  public void register(OpDef def) {
    OpDef prev = ops.putIfAbsent(def.type(), def);
    if (prev != null) {
      throw new IllegalStateException("op type '" + def.type() + "' is declared twice");
    }
  }

  /**
   * The declaration of {@code type}.
   *
   * @throws NotFoundException naming the type if no library declares it
   */
  public OpDef get(String type) {
    OpDef def = ops.get(type);
    if (def == null) {
      throw new NotFoundException("no op type '" + type + "' is registered");
    }
    return def;
  }

  public boolean contains(String type) {
    return ops.containsKey(type);
  }

  /** All declarations, sorted by type name. */
  public Map<String, OpDef> all() {
    return Collections.unmodifiableMap(new TreeMap<>(ops));
  }
}
