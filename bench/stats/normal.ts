import { at } from "./sample.js";

// W. J. Cody's rational Chebyshev approximations for the normal CDF (ACM TOMS Algorithm 715,
// ANORM), in the form R's pnorm uses. Relative error stays below ~1e-13 down to 1e-307, so tiny
// p-values from large samples stay meaningful instead of collapsing to 0.
// Coefficients are the shortest decimals of the doubles nearest to the published 20-digit values.

const A = [
  2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356,
  0.06568233791820745,
] as const;
const B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673] as const;
const C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726,
  6848.190450536283, 11602.65143764735, 9842.714838383978, 1.0765576773720192e-8,
] as const;
const D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097,
  34900.95272114598, 38912.00328609327, 19685.429676859992,
] as const;
const P = [
  0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934,
  2.9112874951168793e-5, 0.023073441764940174,
] as const;
const Q = [
  1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824,
  7.297515550839662e-5,
] as const;

const ONE_OVER_SQRT_2PI = 0.3989422804014327;
const SQRT_32 = 5.656854249492381;
const QUARTILE = 0.67448975;
const HALF_EPSILON = Number.EPSILON / 2;

// exp(-x^2 / 2) * factor, splitting x so that x^2 is formed without rounding error in the part
// that dominates the exponent (Cody's trick; a plain exp(-x*x/2) loses digits in the tails).
function gaussianTail(x: number, factor: number): number {
  const xsq = Math.trunc(x * 16) / 16;
  const del = (x - xsq) * (x + xsq);
  return Math.exp(-xsq * xsq * 0.5) * Math.exp(-del * 0.5) * factor;
}

/** Standard normal CDF, P(Z <= x). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= QUARTILE) {
    let xnum = 0;
    let xden = 0;
    if (y > HALF_EPSILON) {
      const xsq = x * x;
      xnum = A[4] * xsq;
      xden = xsq;
      for (let i = 0; i < 3; i++) {
        xnum = (xnum + at(A, i)) * xsq;
        xden = (xden + at(B, i)) * xsq;
      }
    }
    return 0.5 + (x * (xnum + A[3])) / (xden + B[3]);
  }
  let smallerTail: number;
  if (y <= SQRT_32) {
    let xnum = C[8] * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + at(C, i)) * y;
      xden = (xden + at(D, i)) * y;
    }
    smallerTail = gaussianTail(y, (xnum + C[7]) / (xden + D[7]));
  } else if (y < 37.5193) {
    const xsq = 1 / (x * x);
    let xnum = P[5] * xsq;
    let xden = xsq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + at(P, i)) * xsq;
      xden = (xden + at(Q, i)) * xsq;
    }
    const r = (xsq * (xnum + P[4])) / (xden + Q[4]);
    smallerTail = gaussianTail(y, (ONE_OVER_SQRT_2PI - r) / y);
  } else {
    smallerTail = 0;
  }
  return x > 0 ? 1 - smallerTail : smallerTail;
}
