/**
 * Test helper: fills the consolidated review sheet the way a panel does (the lead scores every
 * element nobody else was given, each member confirms), through the real data functions.
 */
import type { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { confirmSheetPart, saveReviewSheet } from "~/data/grading/review-sheet.server";
import type { GradingMember } from "~/data/grading.server";
import { getRubricVersion } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import type { RubricItem } from "~/lib/rubric/schema";

async function versionOf(tenantId: Types.ObjectId, id: Types.ObjectId): Promise<number> {
  const doc = await Assessment.findOne({ tenantId, _id: id }).select({ version: 1 }).lean<{ version: number }>();
  if (!doc) throw new Error("application missing");
  return doc.version;
}

/** Scores items as `answerFor` says (default "full") by `scorer`, then every member confirms. */
export async function completeReviewSheet({
  tenantId,
  id,
  scorer,
  members,
  answerFor = () => ({ choice: "full" }),
  only,
  now,
}: {
  tenantId: Types.ObjectId;
  id: Types.ObjectId;
  scorer: GradingMember;
  members: GradingMember[];
  answerFor?: (item: RubricItem, index: number) => unknown;
  /** Score only these items (default: all). */
  only?: (item: RubricItem) => boolean;
  now?: Date;
}): Promise<void> {
  const doc = await Assessment.findOne({ tenantId, _id: id }).lean();
  if (!doc) throw new Error("application missing");
  const loaded = await getRubricVersion({ tenantId, id: doc.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const items = rubricItems(loaded.rubric).filter((item) => (only ? only(item) : true));
  const saved = await saveReviewSheet({
    tenantId,
    id,
    member: scorer,
    expectedVersion: doc.version,
    changes: items.map((item, i) => ({ itemId: item.id, answer: answerFor(item, i) })),
    now,
  });
  if (!saved || saved.status !== 200) throw new Error(`sheet save refused: ${JSON.stringify(saved?.body)}`);
  for (const member of members) {
    const confirmed = await confirmSheetPart({ tenantId, id, member, expectedVersion: await versionOf(tenantId, id), now });
    if (!confirmed.ok) throw new Error(`confirmation refused: ${JSON.stringify(confirmed)}`);
  }
}
