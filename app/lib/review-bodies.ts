/** Forms of review bodies (评审单位) and experts (评审员): shared by the pages and the server. */
import { z } from "zod";
import { INDUSTRIES, INDUSTRY_KEYS, LIMITS, type IndustryKey } from "./domain";
import { creditCodeSchema, emailSchema, msg, optionalText, requiredText } from "./validation";

export const reviewBodySchema = z.object({
  name: requiredText(LIMITS.name),
  creditCode: creditCodeSchema,
  contactName: optionalText(LIMITS.name),
  contactPhone: optionalText(LIMITS.phone),
  contactEmail: z.union([z.literal(""), emailSchema]).optional().default(""),
  qualificationNote: optionalText(LIMITS.reason, { multiLine: true }),
});
export type ReviewBodyInput = z.infer<typeof reviewBodySchema>;

/** Expert certificate numbers: letters, digits and - / ( ) as printed on the certificate. */
const certificateNo = requiredText(50).refine((v) => /^[\p{L}\p{N}\-/()（）]+$/u.test(v), {
  error: msg("panel.errors.certificateNo"),
});

/** Industry keys from a list or a text cell ("machinery;light" or the Chinese names). */
export function parseSpecialties(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== "string") return raw;
  return raw
    .split(/[;；,，、\s]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => INDUSTRIES.find((i) => i.zh === s)?.key ?? s);
}

export const expertSchema = z.object({
  name: requiredText(LIMITS.name),
  certificateNo,
  email: emailSchema,
  phone: optionalText(LIMITS.phone),
  employer: optionalText(LIMITS.name),
  specialties: z.preprocess(
    parseSpecialties,
    z
      .array(z.enum(INDUSTRY_KEYS, { error: msg("panel.errors.specialty") }))
      .min(1, { error: msg("panel.errors.specialtyRequired") })
      .max(INDUSTRY_KEYS.length),
  ),
});
export type ExpertInput = z.infer<typeof expertSchema>;

/** Experts whose specialties do not include the enterprise's industry (a warning, never a block). */
export function specialtyMismatches(
  experts: ReadonlyArray<{ userId: string; specialties: readonly IndustryKey[] }>,
  industry: IndustryKey,
): string[] {
  return experts.filter((e) => !e.specialties.includes(industry)).map((e) => e.userId);
}
