// Fitting load = a + b·n and predicting capacity from it.

export interface Line {
  intercept: number;
  slope: number;
}

/** Least squares y = a + b·x; null with fewer than two distinct x. */
export function fitLine(points: readonly { x: number; y: number }[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/** Below this growth per instance a resource is flat: it predicts no limit. */
const FLAT_SLOPE = 0.05;

/**
 * The largest count n ≥ 0 whose predicted load a + b·n stays below `limit − margin`;
 * Infinity when the load does not grow with instances.
 */
export function predictCapacity(line: Line, limit: number, margin = 0): number {
  if (line.slope <= FLAT_SLOPE) return Infinity;
  const n = Math.ceil((limit - margin - line.intercept) / line.slope) - 1;
  return Math.max(0, n);
}
