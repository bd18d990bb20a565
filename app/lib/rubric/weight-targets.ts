/**
 * A weight profile's rules checked against the rubrics they weigh: a rule for an element, item or
 * tag that no published rubric of the tenant has would silently do nothing (issue 17: a rule for
 * "E9" was accepted). Also what a profile does to one rubric: each element's share of the score
 * before and after weighting (the preview on the profile's own page). Pure.
 */
import { compileRubric, resolveItemWeights } from "~/lib/scoring/engine";
import { WEIGHT_SCALE } from "~/lib/scoring/decimal";
import type { RubricIssue } from "./issues";
import type { Rubric, WeightProfile } from "./schema";

export type WeightTargets = { elements: Set<string>; items: Set<string>; tags: Set<string> };

export function targetsOf(rubrics: Rubric[]): WeightTargets {
  const targets: WeightTargets = { elements: new Set(), items: new Set(), tags: new Set() };
  for (const rubric of rubrics)
    for (const e of rubric.elements) {
      targets.elements.add(e.id);
      for (const s of e.subElements)
        for (const item of s.items) {
          targets.items.add(item.id);
          for (const tag of item.tags) targets.tags.add(tag);
        }
    }
  return targets;
}

/** One issue per rule whose target no rubric has (message read by `describeIssue`). */
export function unknownTargets(profile: Pick<WeightProfile, "rules">, targets: WeightTargets): RubricIssue[] {
  const issues: RubricIssue[] = [];
  profile.rules.forEach((rule, i) => {
    const [field, value, known] =
      rule.item !== undefined
        ? (["item", rule.item, targets.items] as const)
        : rule.element !== undefined
          ? (["element", rule.element, targets.elements] as const)
          : (["tag", rule.tag ?? "", targets.tags] as const);
    if (known.has(value)) return;
    issues.push({
      path: `rules[${i}].${field}`,
      segments: ["rules", i, field],
      name: `rules.${i}.${field}`,
      message: `unknown ${field} "${value}"`,
    });
  });
  return issues;
}

export type ElementShare = { id: string; title: { zh: string; en?: string }; points: number; before: number; after: number };

/** Each element's share (percent, one decimal) of the full score without and with the profile. */
export function elementShares(rubric: Rubric, profile: WeightProfile): ElementShare[] {
  const compiled = compileRubric(rubric);
  const weights = resolveItemWeights(compiled, profile);
  const points = new Map<string, number>();
  const weighted = new Map<string, number>();
  let total = 0;
  let weightedTotal = 0;
  compiled.items.forEach((item, i) => {
    const element = compiled.elements[compiled.itemElement[i] ?? -1];
    if (!element) return;
    const w = (weights[i] ?? WEIGHT_SCALE) / WEIGHT_SCALE;
    points.set(element.id, (points.get(element.id) ?? 0) + item.points);
    weighted.set(element.id, (weighted.get(element.id) ?? 0) + w * item.points);
    total += item.points;
    weightedTotal += w * item.points;
  });
  const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);
  return rubric.elements.map((e) => ({
    id: e.id,
    title: e.title,
    points: Math.round((points.get(e.id) ?? 0) * 100) / 100,
    before: pct(points.get(e.id) ?? 0, total),
    after: pct(weighted.get(e.id) ?? 0, weightedTotal),
  }));
}
