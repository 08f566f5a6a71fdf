package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.required;
import static dev.quiver.executor.ops.AttrDef.typeOfInput;
import static dev.quiver.executor.ops.AttrDef.withDefault;

import dev.quiver.executor.kernels.random.RandomKernels;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's stateful random ops (seed and seed2 attributes, per-op generator state across runs). */
public final class RandomLibrary implements OpLibrary {
  private static final AttrDef SEED = withDefault("seed", AttrType.INT, 0L);
  private static final AttrDef SEED2 = withDefault("seed2", AttrType.INT, 0L);

  @Override
  public void register(OpRegistry r) {
    r.register(OpDef.of("RandomUniform", 1, RandomKernels::inferRandom, RandomKernels::uniform).stateful()
        .withAttrs(SEED, SEED2, required("dtype", AttrType.TYPE), typeOfInput("T", 0)));
    r.register(OpDef.of("RandomUniformInt", 3, RandomKernels::inferUniformInt, RandomKernels::uniformInt).stateful()
        .withAttrs(SEED, SEED2, typeOfInput("Tout", 1), typeOfInput("T", 0)));
    r.register(OpDef.of("RandomStandardNormal", 1, RandomKernels::inferRandom, RandomKernels::normal).stateful()
        .withAttrs(SEED, SEED2, required("dtype", AttrType.TYPE), typeOfInput("T", 0)));
    r.register(OpDef.of("TruncatedNormal", 1, RandomKernels::inferRandom, RandomKernels::truncatedNormal).stateful()
        .withAttrs(SEED, SEED2, required("dtype", AttrType.TYPE), typeOfInput("T", 0)));
    r.register(OpDef.of("RandomShuffle", 1, RandomKernels::inferShuffle, RandomKernels::shuffle).stateful()
        .withAttrs(SEED, SEED2, typeOfInput("T", 0)));
  }
}
