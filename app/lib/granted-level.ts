/**
 * The level this authority can grant for a result (issue 17: the self-assessment said 可达等级 一级
 * while the application offered 三级, the only level the bureau grants). A rubric lists its levels
 * best first; the granted level is the best level the tenant grants that is not above the level
 * reached. Null when none is (the reached level is below every grantable one, or none was reached).
 */
export function grantedLevel(levels: ReadonlyArray<{ key: string }>, reached: string | null, grantable: readonly string[]): string | null {
  if (!reached) return null;
  const from = levels.findIndex((l) => l.key === reached);
  if (from < 0) return null;
  return levels.slice(from).find((l) => grantable.includes(l.key))?.key ?? null;
}
