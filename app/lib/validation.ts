/**
 * Form schemas shared by the browser (react-hook-form) and the server (actions). Error messages are
 * i18n keys, optionally with parameters (`errors.tooLong?max=100`), translated where they are shown.
 */
import { z } from "zod";
import type { MessageKey } from "~/i18n";
import { validateCreditCode, type CreditCodeError } from "./credit-code";
import { INDUSTRY_KEYS, LIMITS, ROLES, SIZE_CLASSES } from "./domain";
import { INDUSTRY_DIVISION_CODES, industryFitsDivision, SCALE_FLAGS } from "./enterprise-master-data";

export function msg(key: MessageKey, params?: Record<string, string | number>): string {
  if (!params) return key;
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return `${key}?${query.toString()}`;
}

export function parseMsg(message: string): { key: string; params: Record<string, string> } {
  const [key = "", query = ""] = message.split("?", 2);
  return { key, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** C0 control characters and DEL; a multi-line field allows tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Bidirectional embeddings, overrides and isolates: they make public lists lie about what they show. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;

/** The one check for every free-text field: the message key of the first problem, or null. */
export function textProblem(value: string, multiLine = false): "errors.text.control" | "errors.text.bidi" | null {
  if ((multiLine ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value)) return "errors.text.control";
  if (BIDI_CONTROL.test(value)) return "errors.text.bidi";
  return null;
}

function refineText(value: string, ctx: z.RefinementCtx, multiLine: boolean) {
  const problem = textProblem(value, multiLine);
  if (problem) ctx.addIssue({ code: "custom", message: msg(problem) });
}

/** A required free-text field (trimmed, bounded, no control or bidi characters). */
export const requiredText = (max: number, options: { multiLine?: boolean } = {}) =>
  z
    .string({ error: msg("errors.required") })
    .trim()
    .min(1, { error: msg("errors.required") })
    .max(max, { error: msg("errors.tooLong", { max }) })
    .superRefine((v, ctx) => refineText(v, ctx, options.multiLine ?? false));

/** An optional free-text field ("" when absent), with the same checks. */
export const optionalText = (max: number, options: { multiLine?: boolean } = {}) =>
  z
    .string()
    .trim()
    .max(max, { error: msg("errors.tooLong", { max }) })
    .superRefine((v, ctx) => refineText(v, ctx, options.multiLine ?? false))
    .optional()
    .default("");

export const emailSchema = z
  .string({ error: msg("errors.required") })
  .trim()
  .toLowerCase()
  .min(1, { error: msg("errors.required") })
  .max(LIMITS.email, { error: msg("errors.tooLong", { max: LIMITS.email }) })
  .pipe(z.email({ error: msg("errors.email") }));

export const passwordSchema = z
  .string({ error: msg("errors.required") })
  .min(10, { error: msg("errors.password.tooShort") })
  .max(128, { error: msg("errors.password.tooLong") })
  .refine((p) => /[A-Za-z]/.test(p) && /\d/.test(p), { error: msg("errors.password.classes") });

/** Password rules that need the email too (a password containing the mailbox name is refused). */
export function passwordMatchesEmail(password: string, email: string): boolean {
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  return local.length >= 4 && password.toLowerCase().includes(local);
}

/** The translated message key (with parameters) for a credit-code error. */
export function creditCodeMessage(e: CreditCodeError): string {
  switch (e.code) {
    case "empty":
      return msg("errors.creditCode.empty");
    case "length":
      return msg("errors.creditCode.length", { length: e.length });
    case "character":
      return msg("errors.creditCode.character", { position: e.position, character: e.character });
    case "placeholder":
      return msg("errors.creditCode.placeholder");
    case "checksum":
      return msg("errors.creditCode.checksum", { expected: e.expected, actual: e.actual });
  }
}

export const creditCodeSchema = z.string({ error: msg("errors.creditCode.empty") }).transform((value, ctx) => {
  const result = validateCreditCode(value);
  if (result.ok) return result.value;
  ctx.addIssue({ code: "custom", message: creditCodeMessage(result.error) });
  return z.NEVER;
});

export const enterpriseFieldsSchema = z.object({
  name: requiredText(LIMITS.name),
  creditCode: creditCodeSchema,
  industry: z.enum(INDUSTRY_KEYS, { error: msg("errors.invalidChoice") }),
  sizeClass: z.enum(SIZE_CLASSES, { error: msg("errors.invalidChoice") }),
  districtCode: requiredText(12),
  /** GB/T 4754 division (Step 12); "" = not given. Checked against `industry` by the callers. */
  industryDivision: z.enum(["", ...INDUSTRY_DIVISION_CODES], { error: msg("errors.invalidChoice") }).optional().default(""),
  /** 规上/规下; "" = not given. */
  scale: z.enum(["", ...SCALE_FLAGS], { error: msg("errors.invalidChoice") }).optional().default(""),
  address: optionalText(LIMITS.address),
  contactName: optionalText(LIMITS.name),
  contactPhone: optionalText(LIMITS.phone),
});
/** Cross-field rule the object schema cannot hold (it is extended): the industry fits the GB/T 4754 division. */
export function enterpriseFieldProblems(fields: { industry: (typeof INDUSTRY_KEYS)[number]; industryDivision?: string }): Record<string, string> {
  return industryFitsDivision(fields.industry, fields.industryDivision ?? "") ? {} : { industry: msg("enterprise.industry.divisionMismatch") };
}

type ParsedEnterpriseFields = z.infer<typeof enterpriseFieldsSchema>;
/** Master-data fields; the Step 12 ones may be left out by callers that do not edit them (kept as stored). */
export type EnterpriseFields = Omit<ParsedEnterpriseFields, "industryDivision" | "scale"> &
  Partial<Pick<ParsedEnterpriseFields, "industryDivision" | "scale">>;

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, { error: msg("errors.required") }).max(128, { error: msg("errors.password.tooLong") }),
  redirectTo: z.string().optional(),
});

const newPasswordPair = z
  .object({ password: passwordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    error: msg("errors.password.mismatch"),
  });

export const registrationSchema = enterpriseFieldsSchema
  .extend({
    adminName: requiredText(LIMITS.name),
    adminEmail: emailSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], error: msg("errors.password.mismatch") })
  .refine((v) => !passwordMatchesEmail(v.password, v.adminEmail), {
    path: ["password"],
    error: msg("errors.password.containsEmail"),
  });

export const inviteSchema = z.object({
  email: emailSchema,
  role: z.enum(ROLES, { error: msg("errors.invalidChoice") }),
  enterpriseId: z.string().trim().optional().default(""),
});

export const acceptInviteNewUserSchema = z
  .object({ name: requiredText(LIMITS.name) })
  .and(newPasswordPair);

export const acceptInviteExistingUserSchema = z.object({
  password: z.string().min(1, { error: msg("errors.required") }),
});

export const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, { error: msg("errors.required") }) })
  .and(newPasswordPair);

export const reasonSchema = z
  .string()
  .trim()
  .min(1, { error: msg("errors.reasonRequired") })
  .max(LIMITS.reason, { error: msg("errors.tooLong", { max: LIMITS.reason }) })
  .superRefine((v, ctx) => refineText(v, ctx, true));

/** Flattens zod issues into `{ field: messageKey }`, first message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "_form";
    if (!(field in out)) out[field] = issue.message;
  }
  return out;
}

export type FormResult = { ok: false; errors: Record<string, string>; values?: Record<string, string> };
