/**
 * Unsaved wizard input mirrored to localStorage, so a reload, a crash or a lost connection loses
 * nothing typed. One record per user and assessment, tagged with the server version the edits
 * were based on: on restore, an item someone else saved after that version is a conflict, not
 * something to overwrite. Browser-only; every access is guarded (private mode, quota, bad JSON).
 */
import { z } from "zod";
import type { AccidentFormValue } from "./accidents";
import type { ItemFormValue } from "./answers";

export type PerformanceFormValue = { passed: "" | "yes" | "no"; note: string };

export type LocalDraft = {
  v: 1;
  assessmentId: string;
  /** Server version the edits are based on. */
  baseVersion: number;
  savedAt: number;
  items: Array<[string, ItemFormValue]>;
  performance: Array<[string, PerformanceFormValue]>;
  /** Carried-over answers the person confirmed but that are not saved yet. */
  confirmations: string[];
  accidents?: AccidentFormValue | null;
};

const itemFormValue = z.object({
  choice: z.enum(["", "full", "partial", "none", "na"]),
  counts: z.array(z.string()),
  ruleNotes: z.array(z.string()),
  naReason: z.string(),
  note: z.string(),
});

const draftSchema = z.object({
  v: z.literal(1),
  assessmentId: z.string(),
  baseVersion: z.number().int().min(0),
  savedAt: z.number(),
  items: z.array(z.tuple([z.string(), itemFormValue])),
  performance: z.array(z.tuple([z.string(), z.object({ passed: z.enum(["", "yes", "no"]), note: z.string() })])),
  confirmations: z.array(z.string()),
  accidents: z
    .object({
      status: z.enum(["", "none", "some"]),
      accidents: z.array(
        z.object({
          occurredOn: z.string(),
          accidentClass: z.enum(["", "general", "larger", "major", "especially-major"]),
          deaths: z.string(),
          seriousInjuries: z.string(),
          directLossWan: z.string(),
          reportedOnTime: z.enum(["", "yes", "no"]),
          description: z.string(),
        }),
      ),
    })
    .nullable()
    .optional(),
});

export function localDraftKey(userId: string, assessmentId: string): string {
  return `safegrade:assessment-draft:${userId}:${assessmentId}`;
}

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function readLocalDraft(key: string): LocalDraft | null {
  const store = storage();
  if (!store) return null;
  try {
    const raw = store.getItem(key);
    if (!raw) return null;
    const parsed = draftSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Writes the draft, or removes the record when there is nothing unsaved. Returns false if storage failed. */
export function writeLocalDraft(key: string, draft: LocalDraft | null): boolean {
  const store = storage();
  if (!store) return false;
  try {
    if (draft === null || (draft.items.length === 0 && draft.performance.length === 0 && draft.confirmations.length === 0 && !draft.accidents)) {
      store.removeItem(key);
    } else {
      store.setItem(key, JSON.stringify(draft));
    }
    return true;
  } catch {
    return false;
  }
}
