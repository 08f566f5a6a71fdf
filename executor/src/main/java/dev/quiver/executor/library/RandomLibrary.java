package dev.quiver.executor.library;

import dev.quiver.executor.kernels.random.RandomKernels;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/** TensorFlow's stateful random ops (seed and seed2 attributes, per-op generator state across runs). */
public final class RandomLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry r) {
    r.register(new OpDef("RandomUniform", 1, 1, RandomKernels::inferRandom, RandomKernels::uniform, true));
    r.register(new OpDef("RandomUniformInt", 3, 3, RandomKernels::inferUniformInt, RandomKernels::uniformInt, true));
    r.register(new OpDef("RandomStandardNormal", 1, 1, RandomKernels::inferRandom, RandomKernels::normal, true));
    r.register(new OpDef("TruncatedNormal", 1, 1, RandomKernels::inferRandom, RandomKernels::truncatedNormal, true));
    r.register(new OpDef("RandomShuffle", 1, 1, RandomKernels::inferShuffle, RandomKernels::shuffle, true));
  }
}
