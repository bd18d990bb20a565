/** What applying an event answers: the result union and the refusals in the shape the pages show. */
import type { Types } from "mongoose";
import type { MessageKey } from "~/i18n";
import { msg } from "~/lib/validation";
import type { ApplicationEventRaw } from "~/workflows/grading-input";
import {
  RENEWAL_BLOCK_REASONS,
  type BlockReason,
  type GradingEventType,
  type PendingEffect,
  type ReviewSheetFacts,
} from "~/workflows/grading.machine";
import type { TenantScope } from "../ids.server";
import type { EventActor } from "./access.server";

export type ApplyEventResult =
  | {
      ok: true;
      version: number;
      state: string;
      stateKey: string;
      from: string;
      effects: PendingEffect[];
    }
  | {
      ok: false;
      status: 400;
      error: "invalid";
      fieldErrors: Record<string, string>;
      reasons: BlockReason[];
      missing?: ReportGaps;
    }
  | { ok: false; status: 403; error: "forbidden"; message: MessageKey }
  | { ok: false; status: 404; error: "notFound"; message: MessageKey }
  | { ok: false; status: 409; error: "conflict"; message: MessageKey; version: number }
  | { ok: false; status: 409; error: "outdated"; message: MessageKey }
  /** A revoked certificate bars new applications for a while; `message` is an encoded i18n key with params. */
  | { ok: false; status: 409; error: "blockedAfterRevocation"; message: string }
  /** A rejected application bars new ones for a while (Step 10); `message` as above. */
  | { ok: false; status: 409; error: "blockedAfterRejection"; message: string }
  | {
      ok: false;
      status: 409 | 422;
      error: "blocked";
      reasons: BlockReason[];
      messages: MessageKey[];
      /** REPORT_REVIEW: what the review sheet still lacks (the page links each item). */
      missing?: ReportGaps;
    };

/** What keeps the review report back: item ids and member ids (the page names and links them). */
export type ReportGaps = { unscored: string[]; naWithoutReason: string[]; unconfirmed: string[] };

export function withSheetGaps(result: ApplyEventResult, sheet: ReviewSheetFacts): ApplyEventResult {
  if (result.ok || (result.error !== "blocked" && result.error !== "invalid")) return result;
  const missing: ReportGaps = {
    unscored: sheet.unscoredItemIds,
    naWithoutReason: sheet.naWithoutReasonItemIds,
    unconfirmed: sheet.unconfirmedMemberIds,
  };
  return missing.unscored.length + missing.naWithoutReason.length + missing.unconfirmed.length > 0
    ? { ...result, missing }
    : result;
}

/** Every refusal `applyApplicationEvent` can answer. */
export type Refusal = Extract<ApplyEventResult, { ok: false }>;

function isRenewalBlockReason(reason: BlockReason): boolean {
  return RENEWAL_BLOCK_REASONS.some((r) => r === reason);
}

export function blockReasonKey(reason: BlockReason): MessageKey {
  return `workflow.block.${reason}`;
}

export const notFoundResult: Refusal = {
  ok: false,
  status: 404,
  error: "notFound",
  message: "errors.notFound",
};
export const forbiddenResult: Refusal = {
  ok: false,
  status: 403,
  error: "forbidden",
  message: "errors.forbidden",
};

/** Reasons that concern what was typed into the form: shown next to the field (400). */
const FIELD_REASONS: Partial<Record<BlockReason, string>> = {
  "reason-required": "reason",
  "invalid-days": "days",
  "invalid-reviewers": "reviewerIds",
  "unknown-level": "appliedLevel",
  "level-differs-from-score": "reason",
};

export function blockedResult(reasons: BlockReason[], type: GradingEventType): ApplyEventResult {
  const fieldErrors: Record<string, string> = {};
  for (const r of reasons) {
    let field = FIELD_REASONS[r];
    if (r === "unknown-level" && type === "REPORT_REVIEW") field = "recommendedLevel";
    if (field && !(field in fieldErrors))
      fieldErrors[field] = msg(
        r === "reason-required" ? "errors.reasonRequired" : blockReasonKey(r),
      );
  }
  if (Object.keys(fieldErrors).length > 0)
    return { ok: false, status: 400, error: "invalid", fieldErrors, reasons };
  return {
    ok: false,
    // Not eligible for the fast track is a conflict with the facts now, like a wrong state.
    status:
      reasons.includes("invalid-in-state") || reasons.some(isRenewalBlockReason) ? 409 : 422,
    error: "blocked",
    reasons,
    messages: reasons.map(blockReasonKey),
  };
}

export type ApplyEventInput = TenantScope & {
  applicationId: string | Types.ObjectId;
  event: ApplicationEventRaw;
  actor: EventActor;
  /** The version the actor's page showed; a different current version is a conflict. */
  expectedVersion?: number;
  now?: Date;
  /** OBJECTION only: who objected (kept for the regulator, never shown publicly). */
  objector?: { name: string; contact: string };
};
