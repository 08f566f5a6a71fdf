package dev.quiver.executor;

import dev.quiver.executor.ops.Attrs;
import java.util.Arrays;
import java.util.List;

/**
 * The name scope a facade op opens for itself, as each of TensorFlow's op wrappers does: the op's unique name is
 * taken when the scope opens ({@link Scope#opScope}), the helper ops it needs (constants for its arguments, the
 * inner ops of a composite) are named under {@code name/}, and the op itself is added under exactly that name.
 * So {@code tf.reduce_sum(x, 0, name="s")} builds {@code s/reduction_indices} and {@code s}, and a second
 * unnamed one {@code Sum_1/reduction_indices} and {@code Sum_1}: the name the caller gave (or the default) is
 * never taken by a helper. Immutable; thread-safe as {@link Scope} is.
 */
final class OpScope {
  private final Scope outer;
  private final String name;
  private final Scope inner;

  OpScope(Scope outer, String name, Scope inner) {
    this.outer = outer;
    this.name = name;
    this.inner = inner;
  }

  /** The op's full, unique name (name scopes included). */
  String name() {
    return name;
  }

  /** Where a constant argument {@code arg} of the op goes: named {@code name/arg}, as TF converts an input. */
  Scope argument(String arg) {
    return inner.withName(arg);
  }

  /** Where the inner ops of a composite go: under {@code name/}, with their own default names. */
  Scope helpers() {
    return inner;
  }

  /** Adds the op itself, named exactly {@link #name()}, with the outer scope's control dependencies. */
  Operation add(String type, Attrs attrs, Output... inputs) {
    return add(type, attrs, Arrays.asList(inputs));
  }

  /** {@link #add(String, Attrs, Output...)} with the inputs in a list. */
  Operation add(String type, Attrs attrs, List<Output> inputs) {
    return outer.addNamed(type, name, attrs, inputs);
  }

  /** Adds the op itself, as {@link #add(String, Attrs, Output...)} does, and returns its first output. */
  Output output(String type, Attrs attrs, Output... inputs) {
    return add(type, attrs, inputs).output(0);
  }

  /** {@link #output(String, Attrs, Output...)} with the inputs in a list. */
  Output output(String type, Attrs attrs, List<Output> inputs) {
    return add(type, attrs, inputs).output(0);
  }

  @Override
  public String toString() {
    return "OpScope(" + name + ")";
  }
}
