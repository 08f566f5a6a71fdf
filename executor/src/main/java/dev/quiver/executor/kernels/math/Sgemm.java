package dev.quiver.executor.kernels.math;

import dev.quiver.executor.kernels.Memory;
import dev.quiver.executor.ops.IntraOpPool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float32 matrix product {@code C = op(A) op(B)} on Arrow memory, blocked in the GotoBLAS way: a {@code KC x nc}
 * panel of B and {@code MC x KC} blocks of A are packed into heap scratch, and a 6x16 register-tiled Vector API
 * micro-kernel (12 accumulators of 8 lanes, AVX2's 16 registers) runs over them, a 16 KiB B micro-panel in L1
 * against the A block in L2. The intra-op threads each own an independent block of C (a range of columns,
 * or of rows when C is too narrow), pack their own operands and never wait on each other until the end; the
 * packed panels are the only copies (bounded, cache-sized scratch, not a copy of the operands). C is written
 * in place, every element of it (C may be uninitialized memory).
 *
 * <p>Thread-safe: every call has its own scratch.
 */
public final class Sgemm {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  static final int MR = 6;
  static final int NR = 16;
  private static final int KC = 256;
  private static final int MC = 96;
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
    int parts = (long) m * n * k < PARALLEL_FLOPS ? 1 : pool.parallelism();
    int nPanels = (n + NR - 1) / NR;
    int mPanels = (m + MR - 1) / MR;
    if (parts <= 1) {
      block(a, transA, b, transB, c, m, n, k, 0, m, 0, n);
    } else if (nPanels >= parts) {
      // independent column blocks: each thread packs its own share of B and all of A
      pool.parallelFor(parts, 1, (s, e) -> {
        for (long t = s; t < e; t++) {
          int j0 = (int) (nPanels * t / parts) * NR;
          int j1 = Math.min(n, (int) (nPanels * (t + 1) / parts) * NR);
          block(a, transA, b, transB, c, m, n, k, 0, m, j0, j1);
        }
      });
    } else {
      int rowParts = Math.min(parts, mPanels);
      pool.parallelFor(rowParts, 1, (s, e) -> {
        for (long t = s; t < e; t++) {
          int i0 = (int) (mPanels * t / rowParts) * MR;
          int i1 = Math.min(m, (int) (mPanels * (t + 1) / rowParts) * MR);
          block(a, transA, b, transB, c, m, n, k, i0, i1, 0, n);
        }
      });
    }
  }

  /** Computes the block {@code C[i0:i1, j0:j1]} on this thread, with its own packed scratch. */
  private static void block(long a, boolean transA, long b, boolean transB, long c, int m, int n, int k,
                            int i0, int i1, int j0, int j1) {
    if (i0 >= i1 || j0 >= j1) {
      return;
    }
    int width = j1 - j0;
    int nPanels = (width + NR - 1) / NR;
    int kcMax = Math.min(KC, k);
    float[] bPack = new float[nPanels * NR * kcMax];
    float[] aPack = new float[(MC + MR) * kcMax];
    float[] tile = new float[MR * NR];
    for (int pc = 0; pc < k; pc += KC) {
      int kc = Math.min(KC, k - pc);
      boolean accumulate = pc > 0;
      packB(b, transB, k, n, j0, width, pc, kc, bPack);
      for (int ic = i0; ic < i1; ic += MC) {
        int mc = Math.min(MC, i1 - ic);
        packA(a, transA, m, k, ic, mc, pc, kc, aPack);
        ByteBuffer cView = Memory.view(c + (long) ic * n * 4, (long) mc * n * 4);
        for (int jp = 0; jp < nPanels; jp++) {
          int jr = j0 + jp * NR;
          int nr = Math.min(NR, j1 - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            kernel(kc, aPack, ir * kc, bPack, jp * NR * kc, tile);
            if (mr == MR && nr == NR) {
              storeFull(tile, cView, ir * n + jr, n, accumulate);
            } else {
              storePartial(tile, c + ((long) (ic + ir) * n + jr) * 4, n, mr, nr, accumulate);
            }
          }
        }
      }
    }
  }

  /**
   * Packs rows {@code [pc, pc+kc)} x columns {@code [j0, j0+width)} of op(B) into NR-wide column panels: panel j
   * holds kc rows of NR floats, zero-padded past the last column.
   */
  private static void packB(long b, boolean transB, int k, int n, int j0, int width, int pc, int kc, float[] dst) {
    int nPanels = (width + NR - 1) / NR;
    for (int jp = 0; jp < nPanels; jp++) {
      int jStart = j0 + jp * NR;
      int nr = Math.min(NR, j0 + width - jStart);
      int base = jp * NR * kc;
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
   * The 6x16 micro-kernel: the product of an A panel and a B panel into {@code tile} (6 rows of 16). It only
   * touches heap arrays, which keeps the JIT's code for it free of buffer checks and deoptimization.
   */
  private static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] tile) {
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
      FloatVector b1 = FloatVector.fromArray(S, bp, bo + 8);
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
    c01.intoArray(tile, 8);
    c10.intoArray(tile, 16);
    c11.intoArray(tile, 24);
    c20.intoArray(tile, 32);
    c21.intoArray(tile, 40);
    c30.intoArray(tile, 48);
    c31.intoArray(tile, 56);
    c40.intoArray(tile, 64);
    c41.intoArray(tile, 72);
    c50.intoArray(tile, 80);
    c51.intoArray(tile, 88);
  }

  /** Writes (or adds) a full 6x16 tile into C at float offset {@code co} of {@code cv}, row stride {@code ldc}. */
  private static void storeFull(float[] tile, ByteBuffer cv, int co, int ldc, boolean accumulate) {
    for (int i = 0; i < MR; i++) {
      int off = (co + i * ldc) * 4;
      FloatVector v0 = FloatVector.fromArray(S, tile, i * NR);
      FloatVector v1 = FloatVector.fromArray(S, tile, i * NR + 8);
      if (accumulate) {
        v0 = v0.add(FloatVector.fromByteBuffer(S, cv, off, LE));
        v1 = v1.add(FloatVector.fromByteBuffer(S, cv, off + 32, LE));
      }
      v0.intoByteBuffer(cv, off, LE);
      v1.intoByteBuffer(cv, off + 32, LE);
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
