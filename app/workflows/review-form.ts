/**
 * The reviewer's scoring form (one form for the whole rubric): field names carry the item's
 * position, never its id (ids contain dots): `items.<i>.itemId`, `items.<i>.choice`,
 * `items.<i>.counts.<r>`, `items.<i>.ruleNotes.<r>`, `items.<i>.naReason`, `items.<i>.note`,
 * `items.<i>.evidenceComment`. Pure; the server converts each entry with the self-assessment's
 * own rules (`answerFromFormValue`).
 */
import { ANSWER_CHOICES, type ItemFormValue } from "~/lib/assessment/answers";

export type ReviewFormItem = { itemId: string; value: ItemFormValue; evidenceComment: string };

const FIELD =
  /^items\.(\d{1,4})\.(itemId|choice|naReason|note|evidenceComment|counts|ruleNotes)(?:\.(\d{1,3}))?$/;

function isChoice(value: string): value is ItemFormValue["choice"] {
  return value === "" || ANSWER_CHOICES.some((c) => c === value);
}

export function reviewItemsFromForm(form: FormData): ReviewFormItem[] {
  const rows = new Map<number, { itemId: string; value: ItemFormValue; evidenceComment: string }>();
  const row = (i: number) => {
    let r = rows.get(i);
    if (!r) {
      r = {
        itemId: "",
        value: { choice: "", counts: [], ruleNotes: [], naReason: "", note: "" },
        evidenceComment: "",
      };
      rows.set(i, r);
    }
    return r;
  };
  for (const [name, raw] of form) {
    if (typeof raw !== "string") continue;
    const m = FIELD.exec(name);
    if (!m) continue;
    const r = row(Number(m[1]));
    const field = m[2];
    const sub = m[3] === undefined ? -1 : Number(m[3]);
    if (field === "itemId") r.itemId = raw;
    else if (field === "choice") r.value.choice = isChoice(raw) ? raw : "";
    else if (field === "naReason") r.value.naReason = raw;
    else if (field === "note") r.value.note = raw;
    else if (field === "evidenceComment") r.evidenceComment = raw;
    else if (field === "counts" && sub >= 0) r.value.counts[sub] = raw;
    else if (field === "ruleNotes" && sub >= 0) r.value.ruleNotes[sub] = raw;
  }
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, r]) => ({
      itemId: r.itemId,
      value: {
        ...r.value,
        counts: Array.from(r.value.counts, (c) => c ?? "0"),
        ruleNotes: Array.from(r.value.ruleNotes, (n) => n ?? ""),
      },
      evidenceComment: r.evidenceComment,
    }))
    .filter((r) => r.itemId !== "");
}
