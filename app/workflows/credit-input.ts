/**
 * What the browser sends for credit records, as the browser and the server both see it: the draft
 * form and the payloads of the lifecycle events WITHOUT the facts the server adds (actor, clock,
 * the period and repair dates). Pure and client-safe (react-hook-form and the actions use it).
 */
import { z } from "zod";
import { CREDIT_CONDITIONS, CREDIT_LIST_TYPES, CREDIT_SUBJECT_TYPES } from "~/lib/credit";
import { LIMITS } from "~/lib/domain";
import { creditCodeSchema, msg, optionalText, requiredText } from "~/lib/validation";

/** Mainland resident ID number: 17 digits and a digit or X (shape only). */
export const ID_NUMBER_PATTERN = /^\d{17}[\dX]$/;

export const creditDraftSchema = z
  .object({
    subjectName: requiredText(200),
    creditCode: creditCodeSchema,
    subjectType: z.enum(CREDIT_SUBJECT_TYPES, { error: msg("errors.invalidChoice") }),
    responsibleName: optionalText(50),
    responsibleIdNumber: z
      .string()
      .trim()
      .toUpperCase()
      .max(30, { error: msg("errors.tooLong", { max: 30 }) })
      .optional()
      .default(""),
    listType: z.enum(CREDIT_LIST_TYPES, { error: msg("errors.invalidChoice") }),
    conditionKey: z.string({ error: msg("errors.invalidChoice") }).min(1, { error: msg("errors.invalidChoice") }),
    facts: requiredText(5000, { multiLine: true }),
    legalBasis: requiredText(2000, { multiLine: true }),
    penaltyDecisionNo: optionalText(100),
    authority: requiredText(200),
  })
  .superRefine((v, ctx) => {
    const condition = CREDIT_CONDITIONS.find((c) => c.key === v.conditionKey);
    if (!condition || condition.listType !== v.listType) {
      ctx.addIssue({ code: "custom", path: ["conditionKey"], message: msg("credit.errors.conditionMismatch") });
    }
    // A 2023 listing follows an administrative penalty whose decision number is published (DOMAIN.md §7, §10).
    if (v.listType === "serious2023" && !v.penaltyDecisionNo) {
      ctx.addIssue({ code: "custom", path: ["penaltyDecisionNo"], message: msg("credit.errors.penaltyDecisionNoRequired") });
    }
    if (v.subjectType === "person") {
      if (!v.responsibleName) ctx.addIssue({ code: "custom", path: ["responsibleName"], message: msg("errors.required") });
      if (!ID_NUMBER_PATTERN.test(v.responsibleIdNumber)) {
        ctx.addIssue({ code: "custom", path: ["responsibleIdNumber"], message: msg("credit.errors.idNumber") });
      }
    } else if (v.responsibleIdNumber && !ID_NUMBER_PATTERN.test(v.responsibleIdNumber)) {
      ctx.addIssue({ code: "custom", path: ["responsibleIdNumber"], message: msg("credit.errors.idNumber") });
    }
  });
export type CreditDraftInput = z.infer<typeof creditDraftSchema>;
export type CreditDraftRaw = z.input<typeof creditDraftSchema>;

const longText = (max: number = LIMITS.reason) => requiredText(max, { multiLine: true });

/** A calendar date from an <input type="date"> (yyyy-mm-dd, Shanghai day). */
export const dateInputSchema = z
  .string({ error: msg("errors.required") })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: msg("credit.errors.date") })
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)), { error: msg("credit.errors.date") });

/** The end of a Shanghai calendar day, as an instant. */
export function endOfShanghaiDay(date: string): Date {
  return new Date(`${date}T23:59:59.999+08:00`);
}

/**
 * Early removal (提前移出): the conditions the regulator confirms, each ticked with its evidence
 * (a note or a file reference). All must be ticked before a removal is granted (DOMAIN.md §10).
 */
export const REPAIR_CONDITIONS = ["penaltyCarriedOut", "harmRemedied", "noNewConduct"] as const;
export type RepairCondition = (typeof REPAIR_CONDITIONS)[number];
export const repairEvidenceField = (key: RepairCondition) => `${key}Evidence` as const;
const MAX_EVIDENCE = 500;

const grantRepairSchema = z
  .object({
    type: z.literal("GRANT_REPAIR"),
    reasons: longText(),
    penaltyCarriedOut: z.boolean().optional().default(false),
    penaltyCarriedOutEvidence: z.string().trim().max(MAX_EVIDENCE, { error: msg("errors.tooLong", { max: MAX_EVIDENCE }) }).optional().default(""),
    harmRemedied: z.boolean().optional().default(false),
    harmRemediedEvidence: z.string().trim().max(MAX_EVIDENCE, { error: msg("errors.tooLong", { max: MAX_EVIDENCE }) }).optional().default(""),
    noNewConduct: z.boolean().optional().default(false),
    noNewConductEvidence: z.string().trim().max(MAX_EVIDENCE, { error: msg("errors.tooLong", { max: MAX_EVIDENCE }) }).optional().default(""),
  })
  .superRefine((v, ctx) => {
    for (const key of REPAIR_CONDITIONS) {
      if (!v[key]) ctx.addIssue({ code: "custom", path: [key], message: msg("credit.errors.repairConditionUnticked") });
      else if (!v[repairEvidenceField(key)]) {
        ctx.addIssue({ code: "custom", path: [repairEvidenceField(key)], message: msg("credit.errors.repairEvidenceRequired") });
      }
    }
  });

/** The ticked checklist as stored with the decision, from the parsed GRANT_REPAIR input. */
export function repairChecklist(input: Record<string, unknown>): Array<{ key: RepairCondition; evidence: string }> {
  return REPAIR_CONDITIONS.filter((k) => input[k] === true).map((key) => {
    const evidence = input[repairEvidenceField(key)];
    return { key, evidence: typeof evidence === "string" ? evidence : "" };
  });
}

/** Events a person sends from the record page, with their form fields. */
export const creditEventInputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("SEND_NOTICE"), defenceDeadline: dateInputSchema }),
  z.object({ type: z.literal("DEFENCE_RECEIVED"), statement: longText(5000) }),
  z.object({ type: z.literal("DECIDE_LIST"), decisionText: longText(5000) }),
  z.object({ type: z.literal("DROP"), decisionText: longText(5000) }),
  z.object({ type: z.literal("PUBLISH") }),
  z.object({ type: z.literal("APPLY_REPAIR"), statement: longText(5000) }),
  grantRepairSchema,
  z.object({ type: z.literal("REFUSE_REPAIR"), reasons: longText() }),
  z.object({ type: z.literal("RESTORE"), reasons: longText() }),
]);
export type CreditEventInput = z.infer<typeof creditEventInputSchema>;
export type CreditMemberEventType = CreditEventInput["type"];
export const CREDIT_MEMBER_EVENTS: readonly CreditMemberEventType[] = creditEventInputSchema.options.map(
  (o) => o.shape.type.value,
);

/** The single text field each event carries (for forms and error placement). */
export const CREDIT_EVENT_FIELD: Record<CreditMemberEventType, string | null> = {
  SEND_NOTICE: "defenceDeadline",
  DEFENCE_RECEIVED: "statement",
  DECIDE_LIST: "decisionText",
  DROP: "decisionText",
  PUBLISH: null,
  APPLY_REPAIR: "statement",
  GRANT_REPAIR: "reasons",
  REFUSE_REPAIR: "reasons",
  RESTORE: "reasons",
};

/** Record-page event from the posted form: `intent` names the event. */
export function creditEventFromForm(form: Record<string, unknown>): Record<string, unknown> {
  const type = typeof form.intent === "string" ? form.intent : "";
  const raw: Record<string, unknown> = { type };
  const field = (CREDIT_EVENT_FIELD as Record<string, string | null | undefined>)[type];
  if (field && typeof form[field] === "string") raw[field] = form[field];
  if (type === "GRANT_REPAIR") {
    for (const key of REPAIR_CONDITIONS) {
      raw[key] = form[key] === true || form[key] === "on" || form[key] === "true";
      const evidence = form[repairEvidenceField(key)];
      if (typeof evidence === "string") raw[repairEvidenceField(key)] = evidence;
    }
  }
  return raw;
}
