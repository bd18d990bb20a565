/**
 * The consolidated review sheet's rules (pure, shared by the server, the machine's facts and the
 * page): who owns which element, and what still keeps the panel from reporting.
 *
 * - The lead (组长) is `leadReviewerId`, or the first panel member when none is recorded.
 * - An element belongs to the member the lead gave it to; otherwise (or when that person left
 *   the panel) to the lead.
 * - Reporting needs: every item scored (N/A is a score, with its reason), and every panel member's
 *   confirmation of their part.
 */
import type { Rubric } from "~/lib/rubric/schema";

export type SheetAssignment = { elementId: string; userId: string };
export type SheetConfirmation = { userId: string };
export type SheetAnswerLike = { itemId: string; choice: string; naReason?: string };

export function leadOf(reviewers: readonly string[], leadReviewerId?: string | null): string | null {
  if (leadReviewerId && reviewers.includes(leadReviewerId)) return leadReviewerId;
  return reviewers[0] ?? null;
}

/** Element id → owner, for every element of the rubric (null only when the panel is empty). */
export function elementOwners(
  rubric: Pick<Rubric, "elements">,
  assignments: readonly SheetAssignment[],
  reviewers: readonly string[],
  lead: string | null,
): Map<string, string | null> {
  const given = new Map(assignments.map((a) => [a.elementId, a.userId]));
  const owners = new Map<string, string | null>();
  for (const el of rubric.elements) {
    const member = given.get(el.id);
    owners.set(el.id, member !== undefined && reviewers.includes(member) ? member : lead);
  }
  return owners;
}

export type SheetGap = { itemId: string; elementId: string };
export type SheetGaps = {
  /** Items without a review score, rubric order. */
  unscored: SheetGap[];
  /** N/A without a reason (older data; the save refuses it). */
  naWithoutReason: SheetGap[];
  /** Panel members who have not confirmed their part. */
  unconfirmed: string[];
};

export function sheetGaps(input: {
  rubric: Pick<Rubric, "elements">;
  answers: readonly SheetAnswerLike[];
  reviewers: readonly string[];
  confirmations: readonly SheetConfirmation[];
}): SheetGaps {
  const byItem = new Map(input.answers.map((a) => [a.itemId, a]));
  const unscored: SheetGap[] = [];
  const naWithoutReason: SheetGap[] = [];
  for (const el of input.rubric.elements) {
    for (const sub of el.subElements) {
      for (const item of sub.items) {
        const a = byItem.get(item.id);
        if (!a) unscored.push({ itemId: item.id, elementId: el.id });
        else if (a.choice === "na" && !(a.naReason ?? "").trim())
          naWithoutReason.push({ itemId: item.id, elementId: el.id });
      }
    }
  }
  const confirmed = new Set(input.confirmations.map((c) => c.userId));
  const unconfirmed = input.reviewers.filter((id) => !confirmed.has(id));
  return { unscored, naWithoutReason, unconfirmed };
}

/** The gaps inside one member's part (what they must finish before confirming). */
export function gapsInPart(gaps: SheetGaps, owners: ReadonlyMap<string, string | null>, userId: string): SheetGap[] {
  return [...gaps.unscored, ...gaps.naWithoutReason].filter((g) => owners.get(g.elementId) === userId);
}

/**
 * Confirmations that survive a change of the listed elements: the owners of a changed element
 * (before and after) have to confirm again.
 */
export function confirmationsAfterChange<C extends SheetConfirmation>(
  confirmations: readonly C[],
  affectedUsers: Iterable<string | null>,
): C[] {
  const affected = new Set([...affectedUsers].filter((u): u is string => u !== null));
  return confirmations.filter((c) => !affected.has(c.userId));
}

/** Items per page of the sheet: a large element is split at sub-element boundaries (page weight). */
export const SHEET_PAGE_ITEMS = 20;

/** An element's pages: consecutive sub-elements, each page up to `max` items (a larger sub-element stays whole). */
export function elementPages<S extends { items: readonly unknown[] }>(subElements: readonly S[], max = SHEET_PAGE_ITEMS): S[][] {
  const pages: S[][] = [];
  let current: S[] = [];
  let count = 0;
  for (const sub of subElements) {
    if (current.length > 0 && count + sub.items.length > max) {
      pages.push(current);
      current = [];
      count = 0;
    }
    current.push(sub);
    count += sub.items.length;
  }
  if (current.length > 0) pages.push(current);
  return pages;
}
