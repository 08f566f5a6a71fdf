package dev.quiver.executor;

/**
 * The {@code tf.math} namespace of the {@link Ops} facade: builds math ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class MathOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public MathOps(Scope scope) {
    this.scope = scope;
  }
}
