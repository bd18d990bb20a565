/**
 * The action half of every page that sends workflow events from a form (application page, review
 * screen): parse the form → `applyApplicationEvent` → a JSON answer the action panel understands,
 * or a thrown 404/403 Response.
 */
import { data } from "@remix-run/node";
import { forbidden } from "~/auth.server";
import type { WorkflowActionResult } from "~/components/workflow-actions";
import { fieldErrors } from "~/lib/validation";
import { notFound } from "~/tenant.server";
import { applicationEventInputSchema, eventInputFromForm } from "~/workflows/grading-input";
import { applyApplicationEvent, type GradingMember } from "./grading.server";
import type { TenantScope } from "./ids.server";

export async function workflowFormAction({
  tenantId,
  applicationId,
  member,
  form,
}: TenantScope & { applicationId: string; member: GradingMember; form: FormData }) {
  const raw = eventInputFromForm(form);
  const intent = typeof raw.type === "string" ? raw.type : "";
  const parsed = applicationEventInputSchema.safeParse(raw);
  if (!parsed.success) {
    return data<WorkflowActionResult>(
      { ok: false, intent, errors: fieldErrors(parsed.error) },
      { status: 400 },
    );
  }
  const version = Number(form.get("version"));
  const result = await applyApplicationEvent({
    tenantId,
    applicationId,
    event: parsed.data,
    actor: { kind: "member", member },
    expectedVersion: form.has("version") && Number.isSafeInteger(version) ? version : undefined,
  });
  if (result.ok) return data<WorkflowActionResult>({ ok: true, intent, done: intent });
  switch (result.error) {
    case "notFound":
      throw notFound();
    case "forbidden":
      throw forbidden();
    case "invalid":
      return data<WorkflowActionResult>(
        { ok: false, intent, errors: result.fieldErrors, reasons: result.reasons, ...(result.missing ? { missing: result.missing } : {}) },
        { status: 400 },
      );
    case "blocked":
      return data<WorkflowActionResult>(
        { ok: false, intent, reasons: result.reasons, ...(result.missing ? { missing: result.missing } : {}) },
        { status: result.status },
      );
    default:
      return data<WorkflowActionResult>(
        { ok: false, intent, errors: { _form: result.message } },
        { status: result.status },
      );
  }
}
