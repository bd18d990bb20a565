/**
 * The autosave wire format between the wizard and `/t/<slug>/assessments/<id>/save`.
 * Request: form fields `intent=save`, `version`, `changes` (JSON `[{ itemId, answer | null }]`),
 * `performance` (JSON `[{ conditionId, passed: boolean | null, note? }]`) and optionally
 * `accidentRecord` (JSON, the whole record or null). The same body works
 * from a fetcher, `fetch(…, { keepalive })` and `navigator.sendBeacon`.
 */
import type { AccidentRecord, AccidentRecordView } from "./accidents";
import type { AnswerView, ItemErrors, PerformanceView, ScoreSummary } from "./answers";

export type ConflictItem = {
  itemId: string;
  /** The answer on the server now (null: unanswered). */
  current: AnswerView | null;
  /** True when someone saved this item after the version the caller was based on. */
  changedByOthers: boolean;
  updatedBy: { id: string; name: string } | null;
  updatedAt: string | null;
};

export type SaveResponseBody =
  | {
      ok: true;
      version: number;
      saved: Array<{ itemId: string; answer: AnswerView | null }>;
      performance: PerformanceView[];
      accidentRecord: AccidentRecordView | null;
      scoreSummary: ScoreSummary;
    }
  | {
      ok: false;
      error: "invalid";
      itemErrors: Record<string, ItemErrors>;
      performanceErrors: Record<string, string>;
      accidentErrors: Record<string, string>;
      formError: string | null;
    }
  | {
      ok: false;
      error: "conflict";
      version: number;
      items: ConflictItem[];
      otherItems: ConflictItem[];
      answers: AnswerView[];
      performance: PerformanceView[];
      accidentRecord: AccidentRecordView | null;
      editors: Record<string, string>;
      lastSavedBy: { id: string; name: string } | null;
    }
  | { ok: false; error: "locked"; state: string }
  | { ok: false; error: "badRequest" };

/** What the wizard learns from one save attempt. */
export type SaveOutcome =
  | { kind: "response"; status: number; body: SaveResponseBody }
  /** The request never reached the server (offline, blocked, timed out). */
  | { kind: "offline" }
  /** The server answered with something else than the save API (e.g. the login page). */
  | { kind: "session" }
  | { kind: "failed"; status: number };

export type ChangePayload = { itemId: string; answer: unknown };
export type PerformancePayload = { conditionId: string; passed: boolean | null; note?: string };

export function saveRequestBody(input: {
  version: number;
  changes: ChangePayload[];
  performance: PerformancePayload[];
  accidentRecord?: AccidentRecord | null;
}): URLSearchParams {
  const body = new URLSearchParams({
    intent: "save",
    version: String(input.version),
    changes: JSON.stringify(input.changes),
    performance: JSON.stringify(input.performance),
  });
  if (input.accidentRecord !== undefined) body.set("accidentRecord", JSON.stringify(input.accidentRecord));
  return body;
}

export function saveUrl(slug: string, assessmentId: string): string {
  return `/t/${slug}/assessments/${assessmentId}/save`;
}

/**
 * Browser side of a save (the wizard's clientAction): posts the fetcher's form to `url` and turns
 * network failures and non-JSON answers (a login page) into outcomes instead of error pages.
 */
export async function postSave(url: string, form: FormData): Promise<SaveOutcome> {
  const body = new URLSearchParams();
  for (const [key, value] of form) if (typeof value === "string") body.append(key, value);
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    return { kind: "offline" };
  }
  if (!(res.headers.get("Content-Type") ?? "").includes("application/json")) {
    return res.redirected || res.ok ? { kind: "session" } : { kind: "failed", status: res.status };
  }
  try {
    return { kind: "response", status: res.status, body: (await res.json()) as SaveResponseBody };
  } catch {
    return { kind: "failed", status: res.status };
  }
}
