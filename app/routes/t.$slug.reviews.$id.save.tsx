/**
 * The review sheet's autosave endpoint (resource route, JSON only), in the self-assessment's wire
 * format (~/lib/assessment/save-protocol.ts) so the wizard's autosave, local draft and conflict
 * dialog work unchanged. 200 saved · 400 invalid or not the member's part (nothing written) ·
 * 409 conflict (someone saved first; the current answers are in the body) or locked.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { saveReviewSheet } from "~/data/grading/review-sheet.server";
import { MAX_CHANGES_PER_SAVE } from "~/lib/assessment/answers";
import type { SaveResponseBody } from "~/lib/assessment/save-protocol";
import { readForm } from "~/lib/http/read-form.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

const changesSchema = z
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
  .pipe(
    z
      .array(z.object({ itemId: z.string().min(1).max(200), answer: z.union([z.null(), z.record(z.string(), z.unknown())]) }))
      .max(MAX_CHANGES_PER_SAVE),
  );

const saveFormSchema = z.object({
  intent: z.literal("save"),
  version: z.coerce.number().int().min(0),
  changes: changesSchema,
});

function respond(body: SaveResponseBody, status: number): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "review:assessment:assigned");
  const parsed = saveFormSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return respond({ ok: false, error: "badRequest" }, 400);
  const result = await saveReviewSheet({
    tenantId: tenant._id,
    id: params.id ?? "",
    member,
    expectedVersion: parsed.data.version,
    changes: parsed.data.changes,
  });
  if (!result) throw notFound();
  return respond(result.body, result.status);
}
