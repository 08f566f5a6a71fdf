package dev.quiver.executor.library;

import static dev.quiver.executor.ops.AttrDef.lengthOfInputList;
import static dev.quiver.executor.ops.AttrDef.required;
import static dev.quiver.executor.ops.AttrDef.typeOfInput;
import static dev.quiver.executor.ops.AttrDef.withDefault;

import dev.quiver.executor.kernels.array.ConcatOps;
import dev.quiver.executor.kernels.array.FillOps;
import dev.quiver.executor.kernels.array.GatherOps;
import dev.quiver.executor.kernels.array.LayoutOps;
import dev.quiver.executor.kernels.array.ScatterOps;
import dev.quiver.executor.kernels.array.SliceOps;
import dev.quiver.executor.kernels.array.ViewOps;
import dev.quiver.executor.ops.AttrDef;
import dev.quiver.executor.ops.AttrType;
import dev.quiver.executor.ops.OpDef;
import dev.quiver.executor.ops.OpLibrary;
import dev.quiver.executor.ops.OpRegistry;
import dev.quiver.store.DType;

/**
 * TensorFlow's array ops: shapes and views, joins and cuts, slicing, gathers and scatters, padding and
 * tiling, and tensors made from sizes. Every op takes every dtype where TensorFlow's CPU kernels do, strings
 * included for the ones that only move elements.
 */
public final class ArrayLibrary implements OpLibrary {
  private static final AttrDef T = typeOfInput("T", 0);

  @Override
  public void register(OpRegistry r) {
    r.register(OpDef.of("Reshape", 2, ViewOps::inferReshape, ViewOps::reshape).withAttrs(T, typeOfInput("Tshape", 1)));
    r.register(OpDef.of("ExpandDims", 2, ViewOps::inferExpandDims, ViewOps::expandDims)
        .withAttrs(T, typeOfInput("Tdim", 1)));
    r.register(OpDef.of("Squeeze", 1, ViewOps::inferSqueeze, ViewOps::squeeze)
        .withAttrs(T, withDefault("squeeze_dims", AttrType.INT_LIST, new long[0])));

    r.register(OpDef.of("Transpose", 2, LayoutOps::inferTranspose, LayoutOps::transpose)
        .withAttrs(T, typeOfInput("Tperm", 1)));
    r.register(OpDef.of("Tile", 2, LayoutOps::inferTile, LayoutOps::tile).withAttrs(T, typeOfInput("Tmultiples", 1)));
    r.register(OpDef.of("Pad", 2, LayoutOps::inferPad, LayoutOps::pad).withAttrs(T, typeOfInput("Tpaddings", 1)));
    r.register(OpDef.of("PadV2", 3, LayoutOps::inferPad, LayoutOps::pad).withAttrs(T, typeOfInput("Tpaddings", 1)));
    r.register(OpDef.of("MirrorPad", 2, LayoutOps::inferPad, LayoutOps::pad)
        .withAttrs(T, typeOfInput("Tpaddings", 1), required("mode", AttrType.STRING)));
    r.register(OpDef.of("ReverseV2", 2, LayoutOps::inferReverse, LayoutOps::reverse)
        .withAttrs(typeOfInput("Tidx", 1), T));
    r.register(OpDef.of("BroadcastTo", 2, LayoutOps::inferBroadcastTo, LayoutOps::broadcastTo)
        .withAttrs(T, typeOfInput("Tidx", 1)));

    r.register(OpDef.of("ConcatV2", 2, Integer.MAX_VALUE, ConcatOps::inferConcat, ConcatOps::concat)
        .withAttrs(lengthOfInputList("N", 1), T, typeOfInput("Tidx", -1)));
    r.register(OpDef.of("Pack", 1, Integer.MAX_VALUE, ConcatOps::inferPack, ConcatOps::pack)
        .withAttrs(lengthOfInputList("N", 0), T, withDefault("axis", AttrType.INT, 0L)));
    r.register(OpDef.of("Unpack", 1, ConcatOps::inferUnpack, ConcatOps::unpack)
        .withAttrs(required("num", AttrType.INT), T, withDefault("axis", AttrType.INT, 0L)));
    r.register(OpDef.of("Split", 2, ConcatOps::inferSplit, ConcatOps::split)
        .withAttrs(required("num_split", AttrType.INT), typeOfInput("T", 1)));
    r.register(OpDef.of("SplitV", 3, ConcatOps::inferSplitV, ConcatOps::splitV)
        .withAttrs(required("num_split", AttrType.INT), T, typeOfInput("Tlen", 1)));

    r.register(OpDef.of("Slice", 3, SliceOps::inferSlice, SliceOps::slice).withAttrs(T, typeOfInput("Index", 1)));
    r.register(OpDef.of("StridedSlice", 4, SliceOps::inferStridedSlice, SliceOps::stridedSlice)
        .withAttrs(T, typeOfInput("Index", 1), withDefault("begin_mask", AttrType.INT, 0L),
            withDefault("end_mask", AttrType.INT, 0L), withDefault("ellipsis_mask", AttrType.INT, 0L),
            withDefault("new_axis_mask", AttrType.INT, 0L), withDefault("shrink_axis_mask", AttrType.INT, 0L)));

    r.register(OpDef.of("GatherV2", 3, GatherOps::inferGather, GatherOps::gather)
        .withAttrs(withDefault("batch_dims", AttrType.INT, 0L), typeOfInput("Tparams", 0),
            typeOfInput("Tindices", 1), typeOfInput("Taxis", 2)));
    r.register(OpDef.of("GatherNd", 2, GatherOps::inferGatherNd, GatherOps::gatherNd)
        .withAttrs(typeOfInput("Tparams", 0), typeOfInput("Tindices", 1),
            withDefault("bad_indices_policy", AttrType.STRING, "")));
    r.register(OpDef.of("ScatterNd", 3, ScatterOps::inferScatterNd, ScatterOps::scatterNd)
        .withAttrs(typeOfInput("T", 1), typeOfInput("Tindices", 0),
            withDefault("bad_indices_policy", AttrType.STRING, "")));

    r.register(OpDef.of("Fill", 2, FillOps::inferFill, FillOps::fill)
        .withAttrs(typeOfInput("T", 1), typeOfInput("index_type", 0)));
    r.register(OpDef.of("ZerosLike", 1, FillOps::inferZerosLike, FillOps::zerosLike).withAttrs(T));
    r.register(OpDef.of("OnesLike", 1, FillOps::inferLike, FillOps::onesLike).withAttrs(T));
    r.register(OpDef.of("OneHot", 4, FillOps::inferOneHot, FillOps::oneHot)
        .withAttrs(withDefault("axis", AttrType.INT, -1L), typeOfInput("T", 2), typeOfInput("TI", 0)));
    r.register(OpDef.of("Range", 3, FillOps::inferRange, FillOps::range).withAttrs(typeOfInput("Tidx", 0)));
    r.register(OpDef.of("LinSpace", 3, FillOps::inferLinSpace, FillOps::linSpace)
        .withAttrs(T, typeOfInput("Tidx", 2)));
    r.register(OpDef.of("Shape", 1, FillOps::inferShape, FillOps::shape)
        .withAttrs(T, withDefault("out_type", AttrType.TYPE, DType.INT32)));
    r.register(OpDef.of("Size", 1, FillOps::inferScalarOut, FillOps::size)
        .withAttrs(T, withDefault("out_type", AttrType.TYPE, DType.INT32)));
    r.register(OpDef.of("Rank", 1, FillOps::inferScalarOut, FillOps::rank).withAttrs(T));
  }
}
