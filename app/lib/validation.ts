/**
 * Form schemas shared by the browser (react-hook-form) and the server (actions). Error messages are
 * i18n keys, optionally with parameters (`errors.tooLong?max=100`), translated where they are shown.
 */
import { z } from "zod";
import type { MessageKey } from "~/i18n";
import { validateCreditCode } from "./credit-code";
import { INDUSTRY_KEYS, LIMITS, ROLES, SIZE_CLASSES } from "./domain";

export function msg(key: MessageKey, params?: Record<string, string | number>): string {
  if (!params) return key;
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  return `${key}?${query.toString()}`;
}

export function parseMsg(message: string): { key: string; params: Record<string, string> } {
  const [key = "", query = ""] = message.split("?", 2);
  return { key, params: Object.fromEntries(new URLSearchParams(query)) };
}

const requiredText = (max: number) =>
  z
    .string({ error: msg("errors.required") })
    .trim()
    .min(1, { error: msg("errors.required") })
    .max(max, { error: msg("errors.tooLong", { max }) });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: msg("errors.tooLong", { max }) })
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

export const creditCodeSchema = z.string({ error: msg("errors.creditCode.empty") }).transform((value, ctx) => {
  const result = validateCreditCode(value);
  if (result.ok) return result.value;
  const e = result.error;
  const message =
    e.code === "empty"
      ? msg("errors.creditCode.empty")
      : e.code === "length"
        ? msg("errors.creditCode.length", { length: e.length })
        : e.code === "character"
          ? msg("errors.creditCode.character", { position: e.position, character: e.character })
          : msg("errors.creditCode.checksum", { expected: e.expected, actual: e.actual });
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
});

export const enterpriseFieldsSchema = z.object({
  name: requiredText(LIMITS.name),
  creditCode: creditCodeSchema,
  industry: z.enum(INDUSTRY_KEYS, { error: msg("errors.invalidChoice") }),
  sizeClass: z.enum(SIZE_CLASSES, { error: msg("errors.invalidChoice") }),
  districtCode: requiredText(12),
  address: optionalText(LIMITS.address),
  contactName: optionalText(LIMITS.name),
  contactPhone: optionalText(LIMITS.phone),
});
export type EnterpriseFields = z.infer<typeof enterpriseFieldsSchema>;

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
  .max(LIMITS.reason, { error: msg("errors.tooLong", { max: LIMITS.reason }) });

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
