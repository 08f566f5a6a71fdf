package dev.quiver.executor.ops;

/** A group of related op declarations (math, array, random, ...) that registers itself in an {@link OpRegistry}. */
public interface OpLibrary {
  void register(OpRegistry registry);
}
