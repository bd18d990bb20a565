/**
 * The review sheet's notifications (Step 10): after the lead's split, the members whose part
 * changed; after the last confirmation of a complete sheet, the lead. Keys carry the version the
 * change was written at, so a retried request never mails twice.
 */
import { findByIds } from "../../../models/find-by-ids";
import { Types } from "mongoose";
import type { AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { Tenant } from "../../../models/tenant";
import { User } from "../../../models/user";
import type { Rubric } from "~/lib/rubric/schema";
import { textOf } from "~/lib/assessment/answers";
import { logger } from "~/logger.server";
import { enqueueEmail } from "../outbox.server";
import type { TenantScope } from "../ids.server";

type Recipient = { id: string; email: string; locale: "zh-CN" | "en" };

async function recipients(userIds: readonly string[]): Promise<Recipient[]> {
  const ids = userIds.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id));
  if (ids.length === 0) return [];
  const users = await findByIds<{ _id: Types.ObjectId; email: string; locale: "zh-CN" | "en" }>(User, ids, {
    filter: { disabled: false },
    select: { email: 1, locale: 1 },
  });
  return users.map((u) => ({ id: String(u._id), email: u.email, locale: u.locale }));
}

async function context(tenantId: Types.ObjectId, doc: Pick<AssessmentDoc, "_id" | "enterpriseId" | "cycle">) {
  const [tenant, enterprise] = await Promise.all([
    Tenant.findOne({ _id: tenantId }).select({ slug: 1 }).lean<{ slug: string }>(),
    Enterprise.findOne({ tenantId, _id: doc.enterpriseId }).select({ name: 1 }).lean<{ name: string }>(),
  ]);
  return { path: `/t/${tenant?.slug ?? ""}/reviews/${String(doc._id)}`, enterpriseName: enterprise?.name ?? "", cycle: doc.cycle };
}

/** Mail failures never undo the sheet change; they are logged. */
async function safely(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    logger.error({ err: error }, `review sheet mail failed: ${what}`);
  }
}

export function mailPartsChanged({
  tenantId,
  doc,
  rubric,
  owners,
  changedUsers,
  version,
  now,
}: TenantScope & {
  doc: Pick<AssessmentDoc, "_id" | "enterpriseId" | "cycle">;
  rubric: Rubric;
  owners: ReadonlyMap<string, string | null>;
  changedUsers: readonly string[];
  version: number;
  now: Date;
}): Promise<void> {
  return safely("part assigned", async () => {
    const [ctx, people] = await Promise.all([context(tenantId, doc), recipients(changedUsers)]);
    for (const person of people) {
      const mine = rubric.elements.filter((el) => owners.get(el.id) === person.id);
      await enqueueEmail({
        tenantId,
        idempotencyKey: `${String(doc._id)}:v${version}:review-part:${person.id}`,
        template: "review-part-assigned",
        to: person.email,
        locale: person.locale,
        data: {
          applicationId: String(doc._id),
          enterpriseName: ctx.enterpriseName,
          cycle: ctx.cycle,
          elements: mine.map((el) => `${el.id} ${textOf(el.title, person.locale)}`),
          path: mine[0] ? `${ctx.path}?element=${encodeURIComponent(mine[0].id)}` : ctx.path,
        },
        now,
      });
    }
  });
}

export function mailSheetComplete({
  tenantId,
  doc,
  lead,
  score,
  version,
  now,
}: TenantScope & { doc: Pick<AssessmentDoc, "_id" | "enterpriseId" | "cycle">; lead: string | null; score: number | null; version: number; now: Date }): Promise<void> {
  return safely("sheet complete", async () => {
    if (!lead) return;
    const [ctx, people] = await Promise.all([context(tenantId, doc), recipients([lead])]);
    for (const person of people) {
      await enqueueEmail({
        tenantId,
        idempotencyKey: `${String(doc._id)}:v${version}:review-sheet-complete:${person.id}`,
        template: "review-sheet-complete",
        to: person.email,
        locale: person.locale,
        data: { applicationId: String(doc._id), enterpriseName: ctx.enterpriseName, cycle: ctx.cycle, score, path: ctx.path },
        now,
      });
    }
  });
}
