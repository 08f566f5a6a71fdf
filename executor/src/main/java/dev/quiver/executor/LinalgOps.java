package dev.quiver.executor;

/**
 * The {@code tf.linalg} namespace of the {@link Ops} facade: builds linalg ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class LinalgOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public LinalgOps(Scope scope) {
    this.scope = scope;
  }
}
