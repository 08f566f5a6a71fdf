package dev.quiver.executor.library;

import dev.quiver.errors.InvalidArgumentException;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.Attrs;
import dev.quiver.executor.ops.InferenceContext;
import dev.quiver.executor.ops.Kernel;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.executor.ops.TensorSpec;
import dev.quiver.store.DType;
import dev.quiver.store.Shape;
import dev.quiver.store.Tensor;
import java.util.List;

/**
 * The ops the graph and session machinery itself relies on: constants, placeholders, identity, grouping.
 * Their kernels forward references ({@link Tensor#share()}), never copy.
 */
public final class CoreLibrary implements OpLibrary {
  /**
   * The kernel of {@code Const}: its output is its {@code value} attribute. Sessions recognise it to hand that
   * tensor to consumers at plan time instead of running the kernel each step.
   */
  public static final Kernel CONST_KERNEL = ctx -> ctx.setOutput(0, ctx.attrs().as("value", Tensor.class).share());

  /**
   * The kernel of {@code Placeholder}, which runs only when nobody fed it and then fails. Sessions recognise it:
   * a fed placeholder never runs, and an op with a control dependency on it waits only for its feed, as
   * TensorFlow's subgraph rewrite moves the control edges of a fed {@code Placeholder} to the feed.
   */
  public static final Kernel PLACEHOLDER_KERNEL = ctx -> {
    throw new InvalidArgumentException("You must feed a value for placeholder tensor '" + ctx.opName()
        + "' with dtype " + protoName(ctx.attrs().getDType("dtype")) + placeholderShapeText(ctx.attrs()));
  };

  @Override
  public void register(OpRegistry registry) {
    // Attributes as TensorFlow's op registry declares them.
    registry.register(OpDef.of("Const", 0, CoreLibrary::constShape, CONST_KERNEL)
        .withAttrs(AttrDef.required("value", AttrType.TENSOR), AttrDef.required("dtype", AttrType.TYPE)));
    registry.register(OpDef.of("Placeholder", 0, CoreLibrary::placeholderShape, PLACEHOLDER_KERNEL)
        .withAttrs(AttrDef.required("dtype", AttrType.TYPE),
            AttrDef.withDefault("shape", AttrType.SHAPE, Shape.unknown())));
    registry.register(OpDef.of("PlaceholderWithDefault", 1, CoreLibrary::placeholderWithDefaultShape,
        ctx -> ctx.setOutput(0, ctx.input(0).share()))
        .withAttrs(AttrDef.typeOfInput("dtype", 0), AttrDef.required("shape", AttrType.SHAPE)));
    registry.register(OpDef.of("Identity", 1, ctx -> List.of(new TensorSpec(ctx.inputDType(0), ctx.inputShape(0))),
        ctx -> ctx.setOutput(0, ctx.input(0).share())).withAttrs(AttrDef.typeOfInput("T", 0)));
    registry.register(OpDef.of("NoOp", 0, ctx -> List.of(), ctx -> { }).withAttrs());
    registerSessionOps(registry);
  }

  /**
   * The persistent-handle ops: they keep tensors in the session's store across steps. Stateful, so no
   * two of them are ever merged or reordered away.
   */
  private static void registerSessionOps(OpRegistry registry) {
    registry.register(OpDef.of("GetSessionHandle", 1,
        ctx -> List.of(new TensorSpec(DType.STRING, Shape.scalar())),
        ctx -> {
          String handle = ctx.sessionState().saveTensor(ctx.opName(), ctx.input(0));
          ctx.setOutput(0, Tensor.scalar(ctx.allocator(), handle));
        }).stateful().withAttrs(AttrDef.typeOfInput("T", 0)));
    registry.register(OpDef.of("GetSessionTensor", 1, ctx -> {
      requireScalarString(ctx);
      return List.of(new TensorSpec(ctx.attrs().getDType("dtype"), Shape.unknown()));
    }, ctx -> {
      String handle = handleOf(ctx.input(0), ctx.opName());
      DType expected = ctx.attrs().getDType("dtype");
      Tensor t = ctx.sessionState().readTensor(handle);
      if (t.dtype() != expected) {
        DType actual = t.dtype();
        t.close();
        throw new InvalidArgumentException("GetSessionTensor op '" + ctx.opName() + "': the tensor with handle '"
            + handle + "' is " + actual + ", not the requested " + expected);
      }
      ctx.setOutput(0, t);
    }).stateful().withAttrs(AttrDef.required("dtype", AttrType.TYPE)));
    registry.register(OpDef.of("DeleteSessionTensor", 1, ctx -> {
      requireScalarString(ctx);
      return List.of();
    }, ctx -> ctx.sessionState().deleteTensor(handleOf(ctx.input(0), ctx.opName()))).stateful().withAttrs());
  }

  private static void requireScalarString(InferenceContext ctx) {
    if (ctx.inputDType(0) != DType.STRING) {
      throw ctx.error("the handle must be a string, not " + ctx.inputDType(0));
    }
    if (!ctx.inputShape(0).isCompatibleWith(Shape.scalar())) {
      throw ctx.error("the handle must be a scalar, not of shape " + ctx.inputShape(0));
    }
  }

  private static String handleOf(Tensor t, String opName) {
    if (t.dtype() != DType.STRING || t.numElements() != 1) {
      throw new InvalidArgumentException("op '" + opName + "': a handle is a string scalar, not " + t.dtype() + " "
          + t.shape());
    }
    return t.getString(0);
  }

  private static List<TensorSpec> constShape(InferenceContext ctx) {
    Tensor t = ctx.attrs().as("value", Tensor.class); // declared: a tensor
    if (ctx.attrs().getDType("dtype") != t.dtype()) {
      throw ctx.error("attribute dtype " + ctx.attrs().getDType("dtype") + " does not match the value's dtype "
          + t.dtype());
    }
    return List.of(new TensorSpec(t.dtype(), t.shape()));
  }

  private static List<TensorSpec> placeholderShape(InferenceContext ctx) {
    return List.of(new TensorSpec(ctx.attrs().getDType("dtype"), ctx.attrs().getShape("shape")));
  }

  /** TensorFlow's DataTypeString, which its runtime messages use ({@code float} for float32). */
  private static String protoName(DType d) {
    switch (d) {
      case FLOAT32: return "float";
      case FLOAT64: return "double";
      default: return d.tfName();
    }
  }

  /**
   * TensorFlow 2.21 names the shape only when it has dimensions: "with dtype float" for a scalar or a shape of
   * unknown rank, "with dtype float and shape [2,?]" otherwise (also "[0]").
   */
  private static String placeholderShapeText(Attrs attrs) {
    if (attrs.getShape("shape").hasUnknownRank() || attrs.getShape("shape").rank() == 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" and shape [");
    long[] dims = attrs.getShape("shape").dims();
    for (int i = 0; i < dims.length; i++) {
      sb.append(i > 0 ? "," : "").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
    }
    return sb.append(']').toString();
  }

  private static List<TensorSpec> placeholderWithDefaultShape(InferenceContext ctx) {
    Shape declared = ctx.attrs().getShape("shape");
    Shape input = ctx.inputShape(0);
    if (!declared.isCompatibleWith(input)) {
      throw ctx.error("the default value's shape " + input + " is not compatible with the declared shape "
          + declared);
    }
    return List.of(new TensorSpec(ctx.inputDType(0), declared));
  }
}
