// The k-means distance step as a matrix product: for each row x and center c,
// ‖x − c‖² = ‖x‖² + ‖c‖² − 2·x·c. Since ‖x‖² is the same for every center of a row, the nearest
// center is argmin_c (‖c‖² − 2·x·c); kernels return that index and that score.

/** Finds, for each of `n` rows of `x` (n×d, row-major), the nearest of `k` centers (k×d). */
export interface AssignKernel {
  /** 'js' (typed-array loops), 'wasm' or 'webgpu' (onnxruntime-web sessions). */
  readonly name: string;
  /**
   * Writes the index of the nearest center to `outIndex[i]` and ‖c‖² − 2·x·c for it to
   * `outScore[i]`, for rows 0..n−1. `centerNorms[j]` = ‖c_j‖².
   */
  assign(x: Float32Array, n: number, d: number, centers: Float32Array, k: number, centerNorms: Float32Array, outIndex: Int32Array, outScore: Float32Array): void | Promise<void>;
  /**
   * Writes every score, ‖c_j‖² − 2·x_r·c_j, to `out[r·k + j]` (what k-means with bounds needs: the
   * nearest and second-nearest center). Without it the typed-array product is used.
   */
  scores?(x: Float32Array, n: number, d: number, centers: Float32Array, k: number, centerNorms: Float32Array, out: Float32Array): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

/** ‖row‖² of each row of an n×d matrix. */
export function rowNorms(x: Float32Array, n: number, d: number, out = new Float32Array(n)): Float32Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let p = 0; p < d; p++) {
      const v = x[o + p]!;
      s += v * v;
    }
    out[i] = s;
  }
  return out;
}

/**
 * The typed-array kernel: a 4×4 register-blocked product (4 rows × 4 centers per inner loop), so
 * each loaded value feeds four multiply-adds; the rows stay in L1 while every center streams by.
 */
export const jsAssignKernel: AssignKernel = {
  name: 'js',
  assign(x, n, d, centers, k, centerNorms, outIndex, outScore) {
    const k4 = k & ~3;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const x0 = i * d,
        x1 = x0 + d,
        x2 = x1 + d,
        x3 = x2 + d;
      let b0 = Infinity,
        b1 = Infinity,
        b2 = Infinity,
        b3 = Infinity;
      let j0 = 0,
        j1 = 0,
        j2 = 0,
        j3 = 0;
      for (let j = 0; j < k4; j += 4) {
        const c0 = j * d,
          c1 = c0 + d,
          c2 = c1 + d,
          c3 = c2 + d;
        let a00 = 0,
          a01 = 0,
          a02 = 0,
          a03 = 0,
          a10 = 0,
          a11 = 0,
          a12 = 0,
          a13 = 0;
        let a20 = 0,
          a21 = 0,
          a22 = 0,
          a23 = 0,
          a30 = 0,
          a31 = 0,
          a32 = 0,
          a33 = 0;
        for (let p = 0; p < d; p++) {
          const u0 = x[x0 + p]!,
            u1 = x[x1 + p]!,
            u2 = x[x2 + p]!,
            u3 = x[x3 + p]!;
          const v0 = centers[c0 + p]!,
            v1 = centers[c1 + p]!,
            v2 = centers[c2 + p]!,
            v3 = centers[c3 + p]!;
          a00 += u0 * v0;
          a01 += u0 * v1;
          a02 += u0 * v2;
          a03 += u0 * v3;
          a10 += u1 * v0;
          a11 += u1 * v1;
          a12 += u1 * v2;
          a13 += u1 * v3;
          a20 += u2 * v0;
          a21 += u2 * v1;
          a22 += u2 * v2;
          a23 += u2 * v3;
          a30 += u3 * v0;
          a31 += u3 * v1;
          a32 += u3 * v2;
          a33 += u3 * v3;
        }
        const n0 = centerNorms[j]!,
          n1 = centerNorms[j + 1]!,
          n2 = centerNorms[j + 2]!,
          n3 = centerNorms[j + 3]!;
        let s: number;
        s = n0 - 2 * a00;
        if (s < b0) {
          b0 = s;
          j0 = j;
        }
        s = n1 - 2 * a01;
        if (s < b0) {
          b0 = s;
          j0 = j + 1;
        }
        s = n2 - 2 * a02;
        if (s < b0) {
          b0 = s;
          j0 = j + 2;
        }
        s = n3 - 2 * a03;
        if (s < b0) {
          b0 = s;
          j0 = j + 3;
        }
        s = n0 - 2 * a10;
        if (s < b1) {
          b1 = s;
          j1 = j;
        }
        s = n1 - 2 * a11;
        if (s < b1) {
          b1 = s;
          j1 = j + 1;
        }
        s = n2 - 2 * a12;
        if (s < b1) {
          b1 = s;
          j1 = j + 2;
        }
        s = n3 - 2 * a13;
        if (s < b1) {
          b1 = s;
          j1 = j + 3;
        }
        s = n0 - 2 * a20;
        if (s < b2) {
          b2 = s;
          j2 = j;
        }
        s = n1 - 2 * a21;
        if (s < b2) {
          b2 = s;
          j2 = j + 1;
        }
        s = n2 - 2 * a22;
        if (s < b2) {
          b2 = s;
          j2 = j + 2;
        }
        s = n3 - 2 * a23;
        if (s < b2) {
          b2 = s;
          j2 = j + 3;
        }
        s = n0 - 2 * a30;
        if (s < b3) {
          b3 = s;
          j3 = j;
        }
        s = n1 - 2 * a31;
        if (s < b3) {
          b3 = s;
          j3 = j + 1;
        }
        s = n2 - 2 * a32;
        if (s < b3) {
          b3 = s;
          j3 = j + 2;
        }
        s = n3 - 2 * a33;
        if (s < b3) {
          b3 = s;
          j3 = j + 3;
        }
      }
      for (let j = k4; j < k; j++) {
        const c = j * d;
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0;
        for (let p = 0; p < d; p++) {
          const v = centers[c + p]!;
          a0 += x[x0 + p]! * v;
          a1 += x[x1 + p]! * v;
          a2 += x[x2 + p]! * v;
          a3 += x[x3 + p]! * v;
        }
        const nj = centerNorms[j]!;
        let s: number;
        s = nj - 2 * a0;
        if (s < b0) {
          b0 = s;
          j0 = j;
        }
        s = nj - 2 * a1;
        if (s < b1) {
          b1 = s;
          j1 = j;
        }
        s = nj - 2 * a2;
        if (s < b2) {
          b2 = s;
          j2 = j;
        }
        s = nj - 2 * a3;
        if (s < b3) {
          b3 = s;
          j3 = j;
        }
      }
      outIndex[i] = j0;
      outIndex[i + 1] = j1;
      outIndex[i + 2] = j2;
      outIndex[i + 3] = j3;
      outScore[i] = b0;
      outScore[i + 1] = b1;
      outScore[i + 2] = b2;
      outScore[i + 3] = b3;
    }
    for (; i < n; i++) {
      const xo = i * d;
      let best = Infinity;
      let bj = 0;
      for (let j = 0; j < k; j++) {
        const c = j * d;
        let a = 0;
        for (let p = 0; p < d; p++) a += x[xo + p]! * centers[c + p]!;
        const s = centerNorms[j]! - 2 * a;
        if (s < best) {
          best = s;
          bj = j;
        }
      }
      outIndex[i] = bj;
      outScore[i] = best;
    }
  },
};
