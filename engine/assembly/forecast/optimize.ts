// Bounded derivative-free minimisation for the smoothing parameters: Nelder-Mead
// over unbounded variables that the caller maps into its bounds (logistic
// transform). At most MAX_DIM variables; all buffers are allocated once here.

/** Largest number of parameters (alpha, beta, gamma, phi). */
export const MAX_DIM: i32 = 4;
/** Standard Nelder-Mead coefficients: reflection, expansion, contraction, shrink. */
const NM_REFLECT: f64 = 1.0;
const NM_EXPAND: f64 = 2.0;
const NM_CONTRACT: f64 = 0.5;
const NM_SHRINK: f64 = 0.5;

const simplex = new StaticArray<f64>((MAX_DIM + 1) * MAX_DIM);
const values = new StaticArray<f64>(MAX_DIM + 1);
const centroid = new StaticArray<f64>(MAX_DIM);
const trial = new StaticArray<f64>(MAX_DIM);
const trial2 = new StaticArray<f64>(MAX_DIM);

/** The objective: reads x[0..d) and returns the value to minimise (may be +Infinity). */
export type Objective = (x: StaticArray<f64>) => f64;

function evalVertex(f: Objective, v: i32, d: i32): f64 {
  for (let j = 0; j < d; j++) unchecked((trial[j] = simplex[v * MAX_DIM + j]));
  return f(trial);
}

function setVertex(v: i32, src: StaticArray<f64>, d: i32, fv: f64): void {
  for (let j = 0; j < d; j++) unchecked((simplex[v * MAX_DIM + j] = src[j]));
  unchecked((values[v] = fv));
}

/** Point centroid + t * (centroid - worst) into out. */
function along(worst: i32, t: f64, d: i32, out: StaticArray<f64>): void {
  for (let j = 0; j < d; j++) {
    const c = unchecked(centroid[j]);
    unchecked((out[j] = c + t * (c - simplex[worst * MAX_DIM + j])));
  }
}

/**
 * Minimises f over d <= MAX_DIM variables from x (updated in place with the
 * best point), with initial steps `step`, stopping after maxEvals evaluations
 * or when the simplex's values agree to relative tolerance `tol`. Returns the
 * best value. Called a few times per model fit.
 */
export function nelderMead(f: Objective, x: StaticArray<f64>, d: i32, step: f64, maxEvals: i32, tol: f64): f64 {
  for (let j = 0; j < d; j++) unchecked((simplex[j] = x[j]));
  unchecked((values[0] = f(x)));
  for (let v = 1; v <= d; v++) {
    for (let j = 0; j < d; j++) unchecked((simplex[v * MAX_DIM + j] = x[j] + (j == v - 1 ? step : 0)));
    unchecked((values[v] = evalVertex(f, v, d)));
  }
  let evals = d + 1;
  while (evals < maxEvals) {
    // Order: best, worst and second worst.
    let best = 0;
    let worst = 0;
    for (let v = 1; v <= d; v++) {
      if (unchecked(values[v]) < unchecked(values[best])) best = v;
      if (unchecked(values[v]) > unchecked(values[worst])) worst = v;
    }
    let second = best;
    for (let v = 0; v <= d; v++) {
      if (v != worst && unchecked(values[v]) > unchecked(values[second])) second = v;
    }
    const fb = unchecked(values[best]);
    const fw = unchecked(values[worst]);
    if (fw - fb <= tol * (Math.abs(fb) + 1e-300)) break;
    for (let j = 0; j < d; j++) {
      let s: f64 = 0;
      for (let v = 0; v <= d; v++) if (v != worst) s += unchecked(simplex[v * MAX_DIM + j]);
      unchecked((centroid[j] = s / <f64>d));
    }
    along(worst, NM_REFLECT, d, trial);
    const fr = f(trial);
    evals++;
    if (fr < fb) {
      along(worst, NM_EXPAND, d, trial2);
      const fe = f(trial2);
      evals++;
      if (fe < fr) setVertex(worst, trial2, d, fe);
      else setVertex(worst, trial, d, fr);
    } else if (fr < unchecked(values[second])) {
      setVertex(worst, trial, d, fr);
    } else {
      const outside = fr < fw;
      along(worst, outside ? NM_CONTRACT : -NM_CONTRACT, d, trial2);
      const fc = f(trial2);
      evals++;
      const bar = outside ? fr : fw;
      if (fc < bar) {
        setVertex(worst, trial2, d, fc);
      } else {
        for (let v = 0; v <= d; v++) {
          if (v == best) continue;
          for (let j = 0; j < d; j++) {
            const b = unchecked(simplex[best * MAX_DIM + j]);
            unchecked((simplex[v * MAX_DIM + j] = b + NM_SHRINK * (simplex[v * MAX_DIM + j] - b)));
          }
          unchecked((values[v] = evalVertex(f, v, d)));
          evals++;
        }
      }
    }
  }
  let best = 0;
  for (let v = 1; v <= d; v++) if (unchecked(values[v]) < unchecked(values[best])) best = v;
  for (let j = 0; j < d; j++) unchecked((x[j] = simplex[best * MAX_DIM + j]));
  return unchecked(values[best]);
}
