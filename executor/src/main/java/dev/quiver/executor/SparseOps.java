package dev.quiver.executor;

/**
 * The {@code tf.sparse} namespace of the {@link Ops} facade: builds sparse ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class SparseOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public SparseOps(Scope scope) {
    this.scope = scope;
  }
}
