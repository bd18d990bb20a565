import type { Rubric, RubricItem } from "./schema";

const BLANK = { zh: "" };

/**
 * The rubric the wizard layout sends to every page of an assessment (decision 028): every id,
 * number, rule and flag the live score, progress and veto warnings need, the element and
 * sub-element titles the navigation shows — but no item text, guidance or rule wording. The
 * element page sends its own element in full, the summary the texts of the items it lists.
 */
export function scoringOutline(rubric: Rubric): Rubric {
  const { description: _description, ...rest } = rubric;
  void _description;
  return {
    ...rest,
    elements: rubric.elements.map((el) => ({
      ...el,
      subElements: el.subElements.map((sub) => ({ ...sub, items: sub.items.map(slimItem) })),
    })),
  };
}

function slimItem(item: RubricItem): RubricItem {
  const { guidance: _guidance, ...rest } = item;
  void _guidance;
  return { ...rest, text: BLANK, deductionRules: item.deductionRules.map((r) => ({ ...r, text: BLANK })) };
}

/** The wording of these items (id → text), for a page that lists items of several elements. */
export function itemTexts(rubric: Rubric, ids: Iterable<string>): Record<string, Rubric["title"]> {
  const wanted = new Set(ids);
  const out: Record<string, Rubric["title"]> = {};
  for (const el of rubric.elements)
    for (const sub of el.subElements) for (const item of sub.items) if (wanted.has(item.id)) out[item.id] = item.text;
  return out;
}
