package dev.quiver.executor;

/**
 * The {@code tf.array} namespace of the {@link Ops} facade: builds array ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class ArrayOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public ArrayOps(Scope scope) {
    this.scope = scope;
  }
}
