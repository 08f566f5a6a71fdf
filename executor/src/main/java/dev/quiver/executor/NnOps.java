package dev.quiver.executor;

/**
 * The {@code tf.nn} namespace of the {@link Ops} facade: builds nn ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class NnOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public NnOps(Scope scope) {
    this.scope = scope;
  }
}
