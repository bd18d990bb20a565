/** The regulator's revocation form: one schema for react-hook-form in the browser and the action. */
import { z } from "zod";
import { REVOCATION_GROUND_KEYS, isRevocationGroundKey, normalizeGrounds } from "./revocation-grounds";
import { msg, reasonSchema } from "./validation";

/** A checkbox group arrives as one value, several, or nothing (browser: false or an array). */
const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === null || value === false ? [] : [value];

export const revokeFormSchema = z.object({
  grounds: z.preprocess(
    asList,
    z
      .array(z.string(), { error: msg("revocation.errors.groundsRequired") })
      .min(1, { error: msg("revocation.errors.groundsRequired") })
      .max(REVOCATION_GROUND_KEYS.length, { error: msg("revocation.errors.groundsRequired") })
      // One message on the group, not on the n-th box.
      .refine((keys) => keys.every(isRevocationGroundKey), {
        error: msg("revocation.errors.groundsRequired"),
      })
      .transform((keys) => normalizeGrounds(keys)),
  ),
  reason: reasonSchema,
  confirm: z.union([z.literal("on"), z.literal(true)], {
    error: msg("revocation.errors.confirmRequired"),
  }),
});
export type RevokeForm = z.input<typeof revokeFormSchema>;

/** The form's fields from a posted FormData (checkbox groups need getAll). */
export function revokeFormInput(form: FormData): Record<string, unknown> {
  return {
    grounds: form.getAll("grounds"),
    reason: form.get("reason") ?? "",
    confirm: form.get("confirm") ?? undefined,
  };
}
