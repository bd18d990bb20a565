/**
 * Compact transport of the wizard's scoring outline and answers (decision 028). Remix encodes
 * loader data value by value (turbo-stream) inside a script string, so 135 rubric items and 135
 * answers as objects cost about 2× their JSON; one JSON string of tuples costs about a fifth of
 * that. The browser unpacks them once into the same `Rubric` and `AnswerView[]` shapes, checked
 * by zod (the packed text is data, not trusted types).
 */
import { z } from "zod";
import { RubricSchema, VETO_POLICIES, type Rubric, type RubricItem } from "~/lib/rubric/schema";
import { ANSWER_CHOICES, type AnswerView } from "./answers";

const BLANK = { zh: "" };
const FLAG_NA = 1;
const FLAG_EVIDENCE = 2;
const FLAG_VETO = 4;

type RuleTuple = [string, number | "all"] | [string, number | "all", number];
type ItemTuple = [string, number, number, string[], RuleTuple[]] | [string, number, number, string[], RuleTuple[], string];

function itemTuple(item: RubricItem): ItemTuple {
  const flags = (item.naAllowed ? FLAG_NA : 0) | (item.evidenceRequired ? FLAG_EVIDENCE : 0) | (item.veto ? FLAG_VETO : 0);
  const rules = item.deductionRules.map((r): RuleTuple => (r.cap === undefined ? [r.id, r.per] : [r.id, r.per, r.cap]));
  return item.vetoPolicy ? [item.id, item.points, flags, item.tags, rules, item.vetoPolicy] : [item.id, item.points, flags, item.tags, rules];
}

/** The rubric without item texts, guidance and rule wording, as one string. */
export function packOutline(rubric: Rubric): string {
  const { elements, description: _description, ...head } = rubric;
  void _description;
  return JSON.stringify({
    head,
    elements: elements.map((el) => [el.id, el.title, el.subElements.map((sub) => [sub.id, sub.title, sub.items.map(itemTuple)])]),
  });
}

const text = z.object({ zh: z.string(), en: z.string().optional() });
const ruleTuple = z.union([z.tuple([z.string(), z.union([z.number(), z.literal("all")])]), z.tuple([z.string(), z.union([z.number(), z.literal("all")]), z.number()])]);
const itemTupleSchema = z.tuple([z.string(), z.number(), z.number(), z.array(z.string()), z.array(ruleTuple)], z.enum(VETO_POLICIES));
const packedOutline = z.object({
  // Everything but the elements, validated as the rubric's own fields (levels, conditions, policy).
  head: RubricSchema.omit({ elements: true, description: true }),
  elements: z.array(z.tuple([z.string(), text, z.array(z.tuple([z.string(), text, z.array(itemTupleSchema)]))])),
});

/** The outline as a `Rubric` (texts blank); throws on a malformed string. */
export function unpackOutline(packed: string): Rubric {
  const { head, elements } = packedOutline.parse(JSON.parse(packed));
  return {
    ...head,
    elements: elements.map(([id, title, subs]) => ({
      id,
      title,
      subElements: subs.map(([subId, subTitle, items]) => ({
        id: subId,
        title: subTitle,
        items: items.map(([itemId, points, flags, tags, rules, vetoPolicy]): RubricItem => ({
          id: itemId,
          text: BLANK,
          points,
          naAllowed: (flags & FLAG_NA) !== 0,
          evidenceRequired: (flags & FLAG_EVIDENCE) !== 0,
          veto: (flags & FLAG_VETO) !== 0,
          tags,
          deductionRules: rules.map(([ruleId, per, cap]) => (cap === undefined ? { id: ruleId, text: BLANK, per } : { id: ruleId, text: BLANK, per, cap })),
          ...(vetoPolicy === undefined ? {} : { vetoPolicy }),
        })),
      })),
    })),
  };
}

type Deduction = NonNullable<AnswerView["deductions"]>[number];
/** item, choice, rev, when (ms since epoch, base 36), who (index into `by`, -1 none), carried over, note, deductions, N/A reason. */
type AnswerTuple = [string, string, number, string | null, number, 0 | 1, string, Deduction[] | null, string | null];

/** Answers as one string; the few distinct editors are listed once (most answers share one). */
export function packAnswers(answers: readonly AnswerView[]): string {
  const by: string[] = [];
  const who = (id: string | null) => {
    if (id === null) return -1;
    const known = by.indexOf(id);
    return known >= 0 ? known : by.push(id) - 1;
  };
  const rows = answers.map((a): AnswerTuple => [
    a.itemId,
    a.choice,
    a.rev,
    a.updatedAt === null ? null : Date.parse(a.updatedAt).toString(36),
    who(a.updatedBy),
    a.carriedOver ? 1 : 0,
    a.note ?? "",
    a.deductions ?? null,
    a.naReason ?? null,
  ]);
  return JSON.stringify({ by, rows });
}

const deduction = z.object({ rule: z.string(), count: z.number(), note: z.string().optional() });
const answerTuple = z.tuple([
  z.string(),
  z.enum(ANSWER_CHOICES),
  z.number(),
  z.string().nullable(),
  z.number().int().min(-1),
  z.union([z.literal(0), z.literal(1)]),
  z.string(),
  z.array(deduction).nullable(),
  z.string().nullable(),
]);
const packedAnswers = z.object({ by: z.array(z.string()), rows: z.array(answerTuple) });

/** The answers as `AnswerView`s, exactly as `answerView` made them on the server. */
export function unpackAnswers(packed: string): AnswerView[] {
  const { by, rows } = packedAnswers.parse(JSON.parse(packed));
  return rows.map(([itemId, choice, rev, when, who, carried, note, deductions, naReason]) => {
    const view: AnswerView = {
      itemId,
      choice,
      carriedOver: carried === 1,
      rev,
      updatedAt: when === null ? null : new Date(parseInt(when, 36)).toISOString(),
      updatedBy: by[who] ?? null,
    };
    if (deductions) view.deductions = deductions.map((d) => (d.note ? { rule: d.rule, count: d.count, note: d.note } : { rule: d.rule, count: d.count }));
    if (naReason !== null) view.naReason = naReason;
    if (note) view.note = note;
    return view;
  });
}
