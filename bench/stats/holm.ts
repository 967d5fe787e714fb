/**
 * Holm's step-down adjustment: each p-value of a family of tests, adjusted so that calling a
 * test significant when its adjusted p is below alpha keeps the chance of any false call in the
 * family at alpha. The smallest p is multiplied by the family's size, the next by one less, and
 * so on, never decreasing along the way. Returned in the input order.
 */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
