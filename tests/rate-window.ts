/**
 * Rate limits count in fixed windows (app/data/rate-limit.server.ts). A burst that straddles a
 * window boundary is split between two windows and never reaches the limit, so a test that
 * expects the limit starts its burst with at least `margin` ms of its window left.
 */
export async function startInsideOneWindow(windowMs: number, margin = 20_000): Promise<void> {
  const intoWindow = Date.now() % windowMs;
  if (intoWindow > windowMs - margin) await new Promise((r) => setTimeout(r, windowMs - intoWindow + 50));
}
