/**
 * A readable comparison of two rubric versions (usually a tenant's draft against the version it
 * was cloned from). Pure, so the diff page, the tests and any future CLI share it.
 *
 * Items, elements, sub-elements, levels and performance conditions are matched by id (levels by
 * key): an id is what an answer sheet refers to, so a renamed id is a removal plus an addition.
 * Deduction rules are matched by id and their order is ignored, as are the order of tags and of
 * items inside a sub-element: none of them changes a score.
 */
import { toHundredths, fromHundredths } from "../scoring/decimal";
import type {
  DeductionRule,
  Level,
  LocalizedText,
  PerformanceCondition,
  Rubric,
  RubricItem,
} from "./schema";

export type ItemLocation = { elementId: string; subElementId: string };

export type ItemRef = ItemLocation & { id: string; text: LocalizedText; points: number };

export type RuleChanges = { added: string[]; removed: string[]; changed: string[] };

export type ItemFieldChange =
  | { field: "text"; before: LocalizedText; after: LocalizedText }
  | { field: "guidance"; before: LocalizedText | null; after: LocalizedText | null }
  | { field: "points"; before: number; after: number }
  | { field: "rules"; before: DeductionRule[]; after: DeductionRule[]; rules: RuleChanges }
  | { field: "naAllowed" | "evidenceRequired" | "veto"; before: boolean; after: boolean }
  | { field: "tags"; before: string[]; after: string[] };

export type ItemField = ItemFieldChange["field"];

export type ItemChange = ItemRef & {
  /** Where the item was in the parent when it moved to another sub-element; null otherwise. */
  movedFrom: ItemLocation | null;
  changes: ItemFieldChange[];
};

export type GroupRef = { id: string; title: LocalizedText; parentId: string | null };
export type GroupChange = {
  id: string;
  parentId: string | null;
  title: { before: LocalizedText; after: LocalizedText } | null;
  /** Sub-elements only: the element it belonged to in the parent, when that changed. */
  movedFrom: string | null;
};

export type GroupTotal = {
  id: string;
  title: LocalizedText;
  before: number | null;
  after: number | null;
};

export type LevelChange = {
  key: string;
  before: Level;
  after: Level;
  fields: Array<"minScore" | "name">;
};
export type ConditionChange = {
  id: string;
  before: PerformanceCondition;
  after: PerformanceCondition;
  fields: Array<"text" | "failCap">;
};

export type MetaField =
  "title" | "standard" | "vetoPolicy" | "industries" | "sizeClasses" | "description";
export type MetaChange = { field: MetaField; before: string; after: string };

export interface RubricDiff {
  items: { added: ItemRef[]; removed: ItemRef[]; changed: ItemChange[] };
  elements: { added: GroupRef[]; removed: GroupRef[]; changed: GroupChange[] };
  subElements: { added: GroupRef[]; removed: GroupRef[]; changed: GroupChange[] };
  /** Point totals per first-level element, in the order of the draft (removed ones last). */
  elementTotals: GroupTotal[];
  levels: { added: Level[]; removed: Level[]; changed: LevelChange[] };
  performanceConditions: {
    added: PerformanceCondition[];
    removed: PerformanceCondition[];
    changed: ConditionChange[];
  };
  meta: MetaChange[];
  totals: {
    pointsBefore: number;
    pointsAfter: number;
    itemsBefore: number;
    itemsAfter: number;
  };
  /** True when nothing that the diff looks at differs. */
  empty: boolean;
}

type FlatItem = { item: RubricItem; loc: ItemLocation };

function flatten(rubric: Rubric) {
  const items = new Map<string, FlatItem>();
  const elements = new Map<string, GroupRef>();
  const subs = new Map<string, GroupRef>();
  const elementPointsH = new Map<string, number>();
  let pointsH = 0;
  for (const el of rubric.elements) {
    elements.set(el.id, { id: el.id, title: el.title, parentId: null });
    let elH = 0;
    for (const sub of el.subElements) {
      subs.set(sub.id, { id: sub.id, title: sub.title, parentId: el.id });
      for (const item of sub.items) {
        items.set(item.id, { item, loc: { elementId: el.id, subElementId: sub.id } });
        elH += toHundredths(item.points);
      }
    }
    elementPointsH.set(el.id, elH);
    pointsH += elH;
  }
  return { items, elements, subs, elementPointsH, pointsH };
}

function sameText(a: LocalizedText | undefined, b: LocalizedText | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.zh === b.zh && (a.en ?? "") === (b.en ?? "");
}

function sameRule(a: DeductionRule, b: DeductionRule): boolean {
  return sameText(a.text, b.text) && a.per === b.per && a.cap === b.cap;
}

function ruleChanges(before: DeductionRule[], after: DeductionRule[]): RuleChanges {
  const beforeById = new Map(before.map((r) => [r.id, r]));
  const afterIds = new Set(after.map((r) => r.id));
  const out: RuleChanges = { added: [], removed: [], changed: [] };
  for (const rule of after) {
    const old = beforeById.get(rule.id);
    if (old === undefined) out.added.push(rule.id);
    else if (!sameRule(old, rule)) out.changed.push(rule.id);
  }
  for (const rule of before) if (!afterIds.has(rule.id)) out.removed.push(rule.id);
  return out;
}

function sortedTags(tags: string[]): string[] {
  return [...new Set(tags)].sort();
}

function itemChanges(before: RubricItem, after: RubricItem): ItemFieldChange[] {
  const out: ItemFieldChange[] = [];
  if (!sameText(before.text, after.text))
    out.push({ field: "text", before: before.text, after: after.text });
  if (toHundredths(before.points) !== toHundredths(after.points)) {
    out.push({ field: "points", before: before.points, after: after.points });
  }
  const rules = ruleChanges(before.deductionRules, after.deductionRules);
  if (rules.added.length + rules.removed.length + rules.changed.length > 0) {
    out.push({ field: "rules", before: before.deductionRules, after: after.deductionRules, rules });
  }
  for (const field of ["naAllowed", "evidenceRequired", "veto"] as const) {
    if (before[field] !== after[field])
      out.push({ field, before: before[field], after: after[field] });
  }
  const tagsBefore = sortedTags(before.tags);
  const tagsAfter = sortedTags(after.tags);
  if (tagsBefore.join("\u0000") !== tagsAfter.join("\u0000")) {
    out.push({ field: "tags", before: tagsBefore, after: tagsAfter });
  }
  if (!sameText(before.guidance, after.guidance)) {
    out.push({ field: "guidance", before: before.guidance ?? null, after: after.guidance ?? null });
  }
  return out;
}

function itemRef(flat: FlatItem): ItemRef {
  return { id: flat.item.id, ...flat.loc, text: flat.item.text, points: flat.item.points };
}

function groupDiff(before: Map<string, GroupRef>, after: Map<string, GroupRef>) {
  const added: GroupRef[] = [];
  const removed: GroupRef[] = [];
  const changed: GroupChange[] = [];
  for (const g of after.values()) {
    const old = before.get(g.id);
    if (old === undefined) {
      added.push(g);
      continue;
    }
    const titleChanged = !sameText(old.title, g.title);
    const moved = old.parentId !== g.parentId;
    if (titleChanged || moved) {
      changed.push({
        id: g.id,
        parentId: g.parentId,
        title: titleChanged ? { before: old.title, after: g.title } : null,
        movedFrom: moved ? old.parentId : null,
      });
    }
  }
  for (const g of before.values()) if (!after.has(g.id)) removed.push(g);
  return { added, removed, changed };
}

function metaChanges(a: Rubric, b: Rubric): MetaChange[] {
  const out: MetaChange[] = [];
  const push = (field: MetaField, before: string, after: string) => {
    if (before !== after) out.push({ field, before, after });
  };
  push("title", a.title.zh, b.title.zh);
  push("standard", a.standard, b.standard);
  push("description", a.description?.zh ?? "", b.description?.zh ?? "");
  push("vetoPolicy", a.vetoPolicy, b.vetoPolicy);
  push("industries", a.applicability.industries.join("、"), b.applicability.industries.join("、"));
  push(
    "sizeClasses",
    a.applicability.sizeClasses.join("、"),
    b.applicability.sizeClasses.join("、"),
  );
  return out;
}

export function diffRubricVersions(parent: Rubric, draft: Rubric): RubricDiff {
  const a = flatten(parent);
  const b = flatten(draft);

  const added: ItemRef[] = [];
  const changed: ItemChange[] = [];
  for (const flat of b.items.values()) {
    const old = a.items.get(flat.item.id);
    if (old === undefined) {
      added.push(itemRef(flat));
      continue;
    }
    const moved = old.loc.subElementId !== flat.loc.subElementId;
    const changes = itemChanges(old.item, flat.item);
    if (changes.length > 0 || moved) {
      changed.push({ ...itemRef(flat), movedFrom: moved ? old.loc : null, changes });
    }
  }
  const removed: ItemRef[] = [];
  for (const flat of a.items.values()) if (!b.items.has(flat.item.id)) removed.push(itemRef(flat));

  const elementTotals: GroupTotal[] = [];
  for (const el of b.elements.values()) {
    const before = a.elementPointsH.get(el.id);
    elementTotals.push({
      id: el.id,
      title: el.title,
      before: before === undefined ? null : fromHundredths(before),
      after: fromHundredths(b.elementPointsH.get(el.id) ?? 0),
    });
  }
  for (const el of a.elements.values()) {
    if (b.elements.has(el.id)) continue;
    elementTotals.push({
      id: el.id,
      title: el.title,
      before: fromHundredths(a.elementPointsH.get(el.id) ?? 0),
      after: null,
    });
  }

  const levelsBefore = new Map(parent.levels.map((l) => [l.key, l]));
  const levelsAfter = new Map(draft.levels.map((l) => [l.key, l]));
  const levels: RubricDiff["levels"] = { added: [], removed: [], changed: [] };
  for (const level of draft.levels) {
    const old = levelsBefore.get(level.key);
    if (old === undefined) {
      levels.added.push(level);
      continue;
    }
    const fields: LevelChange["fields"] = [];
    if (old.minScore !== level.minScore) fields.push("minScore");
    if (!sameText(old.name, level.name)) fields.push("name");
    if (fields.length > 0)
      levels.changed.push({ key: level.key, before: old, after: level, fields });
  }
  for (const level of parent.levels) if (!levelsAfter.has(level.key)) levels.removed.push(level);

  const condBefore = new Map(parent.performanceConditions.map((c) => [c.id, c]));
  const condAfter = new Set(draft.performanceConditions.map((c) => c.id));
  const performanceConditions: RubricDiff["performanceConditions"] = {
    added: [],
    removed: [],
    changed: [],
  };
  for (const cond of draft.performanceConditions) {
    const old = condBefore.get(cond.id);
    if (old === undefined) {
      performanceConditions.added.push(cond);
      continue;
    }
    const fields: ConditionChange["fields"] = [];
    if (!sameText(old.text, cond.text)) fields.push("text");
    if (old.failCap !== cond.failCap) fields.push("failCap");
    if (fields.length > 0)
      performanceConditions.changed.push({ id: cond.id, before: old, after: cond, fields });
  }
  for (const cond of parent.performanceConditions) {
    if (!condAfter.has(cond.id)) performanceConditions.removed.push(cond);
  }

  const elements = groupDiff(a.elements, b.elements);
  const subElements = groupDiff(a.subs, b.subs);
  const meta = metaChanges(parent, draft);
  const totals = {
    pointsBefore: fromHundredths(a.pointsH),
    pointsAfter: fromHundredths(b.pointsH),
    itemsBefore: a.items.size,
    itemsAfter: b.items.size,
  };
  const count = (g: { added: unknown[]; removed: unknown[]; changed: unknown[] }) =>
    g.added.length + g.removed.length + g.changed.length;
  const empty =
    count({ added, removed, changed }) +
      count(elements) +
      count(subElements) +
      count(levels) +
      count(performanceConditions) +
      meta.length ===
    0;

  return {
    items: { added, removed, changed },
    elements,
    subElements,
    elementTotals,
    levels,
    performanceConditions,
    meta,
    totals,
    empty,
  };
}
