package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 matrix product {@code C = op(A) op(B)} on Arrow memory, blocked in the GotoBLAS way: a {@code KC x NC}
 * panel of B and {@code MC x KC} blocks of A are packed into heap scratch, and a register-tiled Vector API
 * micro-kernel of MR rows by two vectors (6x16 with AVX2's 8 lanes and 16 registers, 12x32 with AVX-512's 16 lanes
 * and 32 registers) runs over them, a B micro-panel of 16 or 32 KiB in L1 against the A block in L2. The packed panels are the only copies (bounded, cache-sized scratch, not a copy of the
 * operands). C is written in place, every element of it (C may be uninitialized memory).
 *
 * <p>The product runs in steps, one per B panel (NC columns of C, KC of the k sum), each split into items that the
 * intra-op threads claim one at a time ({@link IntraOpPool#parallelForEach}): an item is one A block (at most MC
 * rows) against the step's panel, at most {@code MC * NC * KC} multiply-adds (about 50M: a millisecond or two on
 * one AVX2 core), so a cancelled step stops within an item on every thread, at one intra-op thread too. The threads share the packed B
 * panel (packed once per step, by items of the step before, into the other of two buffers), and each packs only its
 * A block, which it uses across the whole panel: packing stays a small fraction of the work (about
 * {@code 1/NC + 1/m} element copies per multiply-add). Row blocks are balanced and, with several threads, as many
 * as a multiple of the threads, so the threads reach each step's end together. Every C element sums its k slices in
 * the same order whatever the threads, so the result does not depend on them.
 *
 * <p>Thread-safe: every call has its own scratch.
 */
public final class Sgemm {
  /** The machine's widest float vector: 8 lanes with AVX2, 16 with AVX-512. */
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  /** Rows of a micro-tile: 12 where there are 32 vector registers (AVX-512: 24 accumulators), else 6 (AVX2's 16). */
  static final int MR = L >= 16 ? 12 : 6;
  /** Columns of a micro-tile: two vectors (16 with AVX2, 32 with AVX-512). */
  static final int NR = 2 * L;
  private static final int KC = 256;
  private static final int MC = 96;
  /** Columns of a step's B panel (a multiple of NR): 2 MiB packed, in L3. */
  private static final int NC = 2048;
  /** B micro-panels one packing item packs (256 KiB of B at KC). */
  private static final int PACK_PANELS = 16;
  /** Products below this many multiply-adds run on the calling thread. */
  private static final long PARALLEL_FLOPS = 64L * 64 * 64;

  private Sgemm() {}

  /**
   * C[m, n] = op(A)[m, k] * op(B)[k, n] where A is stored {@code [m, k]} (or {@code [k, m]} if transA) and
   * B {@code [k, n]} (or {@code [n, k]} if transB), all row-major float32 at the given addresses.
   */
  public static void multiply(long a, boolean transA, long b, boolean transB, long c, int m, int n, int k,
                              IntraOpPool pool) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      for (long i = 0; i < (long) m * n; i++) {
        Memory.putFloat(c + i * 4, 0f);
      }
      return;
    }
    new Product(a, transA, b, transB, c, m, n, k, (long) m * n * k < PARALLEL_FLOPS ? 1 : pool.parallelism())
        .run(pool);
  }

  /** One product's plan (steps, row blocks, items) and scratch. */
  private static final class Product {
    private final long a;
    private final boolean transA;
    private final long b;
    private final boolean transB;
    private final long c;
    private final int m;
    private final int n;
    private final int k;
    private final int threads;
    private final int nc;
    private final int jSteps;
    private final int kSteps;
    private final int mPanels;
    private final int rowBlocks;
    private final float[][] bPack = new float[2][];
    private final ConcurrentLinkedQueue<Scratch> scratch = new ConcurrentLinkedQueue<>();

    Product(long a, boolean transA, long b, boolean transB, long c, int m, int n, int k, int threads) {
      this.a = a;
      this.transA = transA;
      this.b = b;
      this.transB = transB;
      this.c = c;
      this.m = m;
      this.n = n;
      this.k = k;
      this.threads = threads;
      this.nc = Math.min(NC, (n + NR - 1) / NR * NR);
      this.jSteps = (n + nc - 1) / nc;
      this.kSteps = (k + KC - 1) / KC;
      this.mPanels = (m + MR - 1) / MR;
      int blocks = (mPanels + MC / MR - 1) / (MC / MR);
      if (threads > 1 && blocks > threads) {
        blocks = Math.min(mPanels, (blocks + threads - 1) / threads * threads);
      }
      this.rowBlocks = blocks;
      int kcMax = Math.min(KC, k);
      this.bPack[0] = new float[nc * kcMax];
      this.bPack[1] = jSteps * kSteps > 1 ? new float[nc * kcMax] : null;
    }

    /** Packs step 0's panel, then runs each step's items together with the packing of the next step's panel. */
    void run(IntraOpPool pool) {
      int steps = jSteps * kSteps;
      forEach(pool, packItems(0), i -> packB(0, (int) i));
      for (int step = 0; step < steps; step++) {
        int current = step;
        int packs = step + 1 < steps ? packItems(step + 1) : 0;
        forEach(pool, packs + computeItems(step), i -> {
          if (i < packs) {
            packB(current + 1, (int) i);
          } else {
            compute(current, (int) (i - packs));
          }
        });
      }
    }

    /**
     * Runs the items through the pool, each claimed on its own and checked for cancellation. A product too small
     * to split runs on the caller, in one check, even when the pool has threads.
     */
    private void forEach(IntraOpPool pool, long items, IntraOpPool.ItemBody body) {
      if (threads == 1 && pool.parallelism() > 1) {
        pool.parallelFor(items, items, (s, e) -> {
          for (long i = s; i < e; i++) {
            body.run(i);
          }
        });
      } else {
        pool.parallelForEach(items, body);
      }
    }

    private int j0(int step) {
      return step / kSteps * nc;
    }

    private int width(int step) {
      return Math.min(nc, n - j0(step));
    }

    private int pc(int step) {
      return step % kSteps * KC;
    }

    private int kc(int step) {
      return Math.min(KC, k - pc(step));
    }

    private int panels(int step) {
      return (width(step) + NR - 1) / NR;
    }

    private int packItems(int step) {
      return (panels(step) + PACK_PANELS - 1) / PACK_PANELS;
    }

    /** Column groups per row block: one, unless there are fewer row blocks than threads to keep busy. */
    private int columnGroups(int step) {
      return rowBlocks >= threads ? 1 : Math.min(panels(step), (threads + rowBlocks - 1) / rowBlocks);
    }

    private int computeItems(int step) {
      return rowBlocks * columnGroups(step);
    }

    /** The first row of row block {@code r} (a multiple of MR; {@code m} for {@code r == rowBlocks}). */
    private int rowStart(int r) {
      return Math.min(m, (int) ((long) mPanels * r / rowBlocks) * MR);
    }

    /** Packs the {@code item}-th group of step {@code step}'s B micro-panels into its buffer. */
    private void packB(int step, int item) {
      int first = item * PACK_PANELS;
      int count = Math.min(PACK_PANELS, panels(step) - first);
      int jStart = j0(step) + first * NR;
      int width = Math.min(count * NR, n - jStart);
      int kc = kc(step);
      Sgemm.packB(b, transB, k, n, jStart, width, pc(step), kc, bPack[step % 2], first * NR * kc);
    }

    /** Item {@code item} of step {@code step}: one row block against one column group of the step's panel. */
    private void compute(int step, int item) {
      int groups = columnGroups(step);
      int r = item / groups;
      int q = item % groups;
      int i0 = rowStart(r);
      int mc = rowStart(r + 1) - i0;
      int panels = panels(step);
      int jp0 = (int) ((long) panels * q / groups);
      int jp1 = (int) ((long) panels * (q + 1) / groups);
      if (mc <= 0 || jp0 >= jp1) {
        return;
      }
      int j0 = j0(step);
      int jEnd = j0 + width(step);
      int pc = pc(step);
      int kc = kc(step);
      boolean accumulate = pc > 0;
      float[] bp = bPack[step % 2];
      Scratch s = scratch.poll();
      if (s == null) {
        s = new Scratch((rowStart(1) - rowStart(0) + 2 * MR) * Math.min(KC, k));
      }
      try {
        packA(a, transA, m, k, i0, mc, pc, kc, s.aPack);
        ByteBuffer cView = Memory.view(c + (long) i0 * n * 4, (long) mc * n * 4);
        for (int jp = jp0; jp < jp1; jp++) {
          int jr = j0 + jp * NR;
          int nr = Math.min(NR, jEnd - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            kernel(kc, s.aPack, ir * kc, bp, jp * NR * kc, s.tile);
            if (mr == MR && nr == NR) {
              storeFull(s.tile, cView, ir * n + jr, n, accumulate);
            } else {
              storePartial(s.tile, c + ((long) (i0 + ir) * n + jr) * 4, n, mr, nr, accumulate);
            }
          }
        }
      } finally {
        scratch.offer(s);
      }
    }
  }

  /** One thread's scratch: its packed A block and the micro-kernel's output tile. */
  private static final class Scratch {
    final float[] aPack;
    final float[] tile = new float[MR * NR];

    Scratch(int aFloats) {
      this.aPack = new float[aFloats];
    }
  }

  /**
   * Packs rows {@code [pc, pc+kc)} x columns {@code [j0, j0+width)} of op(B) into NR-wide column panels from
   * {@code offset} of {@code dst} on: panel j holds kc rows of NR floats, zero-padded past the last column.
   */
  private static void packB(long b, boolean transB, int k, int n, int j0, int width, int pc, int kc, float[] dst,
                            int offset) {
    int nPanels = (width + NR - 1) / NR;
    for (int jp = 0; jp < nPanels; jp++) {
      int jStart = j0 + jp * NR;
      int nr = Math.min(NR, j0 + width - jStart);
      int base = offset + jp * NR * kc;
      for (int p = 0; p < kc; p++) {
        int o = base + p * NR;
        if (!transB) {
          long row = b + ((long) (pc + p) * n + jStart) * 4;
          for (int j = 0; j < nr; j++) {
            dst[o + j] = Memory.getFloat(row + j * 4L);
          }
        }
        for (int j = nr; j < NR; j++) {
          dst[o + j] = 0f;
        }
      }
      if (transB) {
        // op(B) column j is row j of the stored B: read each along its length
        for (int j = 0; j < nr; j++) {
          long row = b + ((long) (jStart + j) * k + pc) * 4;
          for (int p = 0; p < kc; p++) {
            dst[base + p * NR + j] = Memory.getFloat(row + p * 4L);
          }
        }
      }
    }
  }

  /** Packs rows {@code [ic, ic+mc)} x cols {@code [pc, pc+kc)} of op(A) into MR-tall row panels. */
  private static void packA(long a, boolean transA, int m, int k, int ic, int mc, int pc, int kc, float[] dst) {
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int base = ir * kc;
      for (int i = 0; i < MR; i++) {
        if (i >= mr) {
          for (int p = 0; p < kc; p++) {
            dst[base + p * MR + i] = 0f;
          }
          continue;
        }
        int row = ic + ir + i;
        if (!transA) {
          long src = a + ((long) row * k + pc) * 4;
          for (int p = 0; p < kc; p++) {
            dst[base + p * MR + i] = Memory.getFloat(src + p * 4L);
          }
        } else {
          for (int p = 0; p < kc; p++) {
            dst[base + p * MR + i] = Memory.getFloat(a + ((long) (pc + p) * m + row) * 4);
          }
        }
      }
    }
  }

  /**
   * The micro-kernel: the product of an A panel and a B panel into {@code tile} (MR rows of NR). It only
   * touches heap arrays, which keeps the JIT's code for it free of buffer checks and deoptimization.
   */
  private static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
    if (MR == 12) {
      kernel12(kc, ap, ao, bp, bo, tile);
    } else {
      kernel6(kc, ap, ao, bp, bo, tile);
    }
  }

  private static void kernel6(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      ao += MR;
      bo += NR;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
  }

  /** The 12-row micro-kernel (24 accumulators of 16 lanes: AVX-512's 32 registers hold them and the B row). */
  private static void kernel12(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    FloatVector c80 = FloatVector.zero(S);
    FloatVector c81 = FloatVector.zero(S);
    FloatVector c90 = FloatVector.zero(S);
    FloatVector c91 = FloatVector.zero(S);
    FloatVector ca0 = FloatVector.zero(S);
    FloatVector ca1 = FloatVector.zero(S);
    FloatVector cb0 = FloatVector.zero(S);
    FloatVector cb1 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      FloatVector b0 = FloatVector.fromArray(S, bp, bo);
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
      FloatVector a = FloatVector.broadcast(S, ap[ao]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(S, ap[ao + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(S, ap[ao + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(S, ap[ao + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(S, ap[ao + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(S, ap[ao + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      a = FloatVector.broadcast(S, ap[ao + 6]);
      c60 = a.fma(b0, c60);
      c61 = a.fma(b1, c61);
      a = FloatVector.broadcast(S, ap[ao + 7]);
      c70 = a.fma(b0, c70);
      c71 = a.fma(b1, c71);
      a = FloatVector.broadcast(S, ap[ao + 8]);
      c80 = a.fma(b0, c80);
      c81 = a.fma(b1, c81);
      a = FloatVector.broadcast(S, ap[ao + 9]);
      c90 = a.fma(b0, c90);
      c91 = a.fma(b1, c91);
      a = FloatVector.broadcast(S, ap[ao + 10]);
      ca0 = a.fma(b0, ca0);
      ca1 = a.fma(b1, ca1);
      a = FloatVector.broadcast(S, ap[ao + 11]);
      cb0 = a.fma(b0, cb0);
      cb1 = a.fma(b1, cb1);
      ao += 12;
      bo += NR;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + L);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + L);
    c80.intoArray(tile, 8 * NR);
    c81.intoArray(tile, 8 * NR + L);
    c90.intoArray(tile, 9 * NR);
    c91.intoArray(tile, 9 * NR + L);
    ca0.intoArray(tile, 10 * NR);
    ca1.intoArray(tile, 10 * NR + L);
    cb0.intoArray(tile, 11 * NR);
    cb1.intoArray(tile, 11 * NR + L);
  }

  /** Writes (or adds) a full MR x NR tile into C at float offset {@code co} of {@code cv}, row stride {@code ldc}. */
  private static void storeFull(float[] tile, ByteBuffer cv, int co, int ldc, boolean accumulate) {
    for (int i = 0; i < MR; i++) {
      int off = (co + i * ldc) * 4;
      FloatVector v0 = FloatVector.fromArray(S, tile, i * NR);
      FloatVector v1 = FloatVector.fromArray(S, tile, i * NR + L);
      if (accumulate) {
        v0 = v0.add(FloatVector.fromByteBuffer(S, cv, off, LE));
        v1 = v1.add(FloatVector.fromByteBuffer(S, cv, off + L * 4, LE));
      }
      v0.intoByteBuffer(cv, off, LE);
      v1.intoByteBuffer(cv, off + L * 4, LE);
    }
  }

  /** Writes (or adds) the top-left {@code mr x nr} of a tile: the edges of C. */
  private static void storePartial(float[] tile, long c, int ldc, int mr, int nr, boolean accumulate) {
    for (int i = 0; i < mr; i++) {
      for (int j = 0; j < nr; j++) {
        long at = c + ((long) i * ldc + j) * 4;
        float v = tile[i * NR + j];
        Memory.putFloat(at, accumulate ? Memory.getFloat(at) + v : v);
      }
    }
  }
}
