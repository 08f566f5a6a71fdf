package dev.quiver.executor;

/**
 * The {@code tf.random} namespace of the {@link Ops} facade: builds random ops in {@link #scope}.
 * Thread-safe as {@link Scope} is.
 */
public final class RandomOps {
  /** Where this namespace adds its ops. */
  protected final Scope scope;

  public RandomOps(Scope scope) {
    this.scope = scope;
  }
}
