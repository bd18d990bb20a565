/**
 * Autosave endpoint (resource route, JSON only): the wizard's fetcher, `fetch(…, { keepalive })`
 * on leaving and `navigator.sendBeacon` on closing the page all post the same form body
 * (see ~/lib/assessment/save-protocol.ts). 200 saved · 400 invalid (nothing written) ·
 * 409 conflict (someone saved first; their changes are in the body) or locked (submitted).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { forbidden } from "~/auth.server";
import { canEditAssessment, confirmCarriedOver, findVisibleAssessmentHead, saveAnswers, type SaveResult } from "~/data/assessments.server";
import { MAX_CHANGES_PER_SAVE, MAX_TEXT } from "~/lib/assessment/answers";
import type { SaveResponseBody } from "~/lib/assessment/save-protocol";
import { notFound, requireTenantPermission } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

function jsonField<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .max(2_000_000)
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: "custom", message: "invalid JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const saveFormSchema = z.object({
  intent: z.enum(["save", "confirm"]),
  version: z.coerce.number().int().min(0),
  changes: jsonField(
    z
      .array(z.object({ itemId: z.string().min(1).max(200), answer: z.union([z.null(), z.record(z.string(), z.unknown())]) }))
      .max(MAX_CHANGES_PER_SAVE),
  ).optional(),
  performance: jsonField(
    z
      .array(z.object({ conditionId: z.string().min(1).max(200), passed: z.boolean().nullable(), note: z.string().max(MAX_TEXT).optional() }))
      .max(200),
  ).optional(),
  itemIds: jsonField(z.array(z.string().min(1).max(200)).max(MAX_CHANGES_PER_SAVE)).optional(),
  // Checked field by field by the shared accident-record rules in saveAnswers.
  accidentRecord: jsonField(z.unknown()).optional(),
});

function respond(body: SaveResponseBody, status: number): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

function toResponse(result: SaveResult): Response {
  if (result.ok) return respond(result, 200);
  switch (result.error) {
    case "notFound":
      throw notFound();
    case "invalid":
      return respond(result, 400);
    case "conflict":
      return respond(result, 409);
    case "locked":
      return respond(result, 409);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "update:assessment:own");
  const assessment = await findVisibleAssessmentHead({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  if (!assessment) throw notFound();
  if (!canEditAssessment(member, assessment)) {
    if (assessment.state !== "draft") return respond({ ok: false, error: "locked", state: assessment.state }, 409);
    throw forbidden();
  }
  const parsed = saveFormSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return respond({ ok: false, error: "badRequest" }, 400);
  const actor = { id: member.user._id, email: member.user.email, role: member.roles[0] ?? "" };
  const input = parsed.data;
  const result =
    input.intent === "confirm"
      ? await confirmCarriedOver({ tenantId: tenant._id, id: assessment._id, expectedVersion: input.version, itemIds: input.itemIds, actor })
      : await saveAnswers({
          tenantId: tenant._id,
          id: assessment._id,
          expectedVersion: input.version,
          changes: input.changes ?? [],
          performance: input.performance ?? [],
          accidentRecord: input.accidentRecord,
          actor,
        });
  return toResponse(result);
}
