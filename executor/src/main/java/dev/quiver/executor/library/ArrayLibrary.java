package dev.quiver.executor.library;

import dev.quiver.executor.kernels.array.ConcatOps;
import dev.quiver.executor.kernels.array.FillOps;
import dev.quiver.executor.kernels.array.GatherOps;
import dev.quiver.executor.kernels.array.LayoutOps;
import dev.quiver.executor.kernels.array.ScatterOps;
import dev.quiver.executor.kernels.array.SliceOps;
import dev.quiver.executor.kernels.array.ViewOps;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;

/**
 * TensorFlow's array ops: shapes and views, joins and cuts, slicing, gathers and scatters, padding and
 * tiling, and tensors made from sizes. Every op takes every dtype where TensorFlow's CPU kernels do, strings
 * included for the ones that only move elements.
 */
public final class ArrayLibrary implements OpLibrary {
  @Override
  public void register(OpRegistry r) {
    r.register(OpDef.of("Reshape", 2, ViewOps::inferReshape, ViewOps::reshape));
    r.register(OpDef.of("ExpandDims", 2, ViewOps::inferExpandDims, ViewOps::expandDims));
    r.register(OpDef.of("Squeeze", 1, ViewOps::inferSqueeze, ViewOps::squeeze));

    r.register(OpDef.of("Transpose", 2, LayoutOps::inferTranspose, LayoutOps::transpose));
    r.register(OpDef.of("Tile", 2, LayoutOps::inferTile, LayoutOps::tile));
    r.register(OpDef.of("Pad", 2, LayoutOps::inferPad, LayoutOps::pad));
    r.register(OpDef.of("PadV2", 3, LayoutOps::inferPad, LayoutOps::pad));
    r.register(OpDef.of("MirrorPad", 2, LayoutOps::inferPad, LayoutOps::pad));
    r.register(OpDef.of("ReverseV2", 2, LayoutOps::inferReverse, LayoutOps::reverse));
    r.register(OpDef.of("BroadcastTo", 2, LayoutOps::inferBroadcastTo, LayoutOps::broadcastTo));

    r.register(new OpDef("ConcatV2", 2, Integer.MAX_VALUE, ConcatOps::inferConcat, ConcatOps::concat, false));
    r.register(new OpDef("Pack", 1, Integer.MAX_VALUE, ConcatOps::inferPack, ConcatOps::pack, false));
    r.register(OpDef.of("Unpack", 1, ConcatOps::inferUnpack, ConcatOps::unpack));
    r.register(OpDef.of("Split", 2, ConcatOps::inferSplit, ConcatOps::split));
    r.register(OpDef.of("SplitV", 3, ConcatOps::inferSplitV, ConcatOps::splitV));

    r.register(OpDef.of("Slice", 3, SliceOps::inferSlice, SliceOps::slice));
    r.register(OpDef.of("StridedSlice", 4, SliceOps::inferStridedSlice, SliceOps::stridedSlice));

    r.register(OpDef.of("GatherV2", 3, GatherOps::inferGather, GatherOps::gather));
    r.register(OpDef.of("GatherNd", 2, GatherOps::inferGatherNd, GatherOps::gatherNd));
    r.register(OpDef.of("ScatterNd", 3, ScatterOps::inferScatterNd, ScatterOps::scatterNd));

    r.register(OpDef.of("Fill", 2, FillOps::inferFill, FillOps::fill));
    r.register(OpDef.of("ZerosLike", 1, FillOps::inferZerosLike, FillOps::zerosLike));
    r.register(OpDef.of("OnesLike", 1, FillOps::inferLike, FillOps::onesLike));
    r.register(OpDef.of("OneHot", 4, FillOps::inferOneHot, FillOps::oneHot));
    r.register(OpDef.of("Range", 3, FillOps::inferRange, FillOps::range));
    r.register(OpDef.of("LinSpace", 3, FillOps::inferLinSpace, FillOps::linSpace));
    r.register(OpDef.of("Shape", 1, FillOps::inferShape, FillOps::shape));
    r.register(OpDef.of("Size", 1, FillOps::inferScalarOut, FillOps::size));
    r.register(OpDef.of("Rank", 1, FillOps::inferScalarOut, FillOps::rank));
  }
}
