/**
 * Client state of the self-assessment wizard, shared by the layout (side panel, live score) and
 * the element pages (forms): what the server has, what the person changed and has not saved yet,
 * and the autosave loop that brings the two together.
 *
 * - Every change is mirrored to localStorage at once (see local-draft.ts), then saved in the
 *   background 1.5 s after the last keystroke, immediately on navigation or when the tab is
 *   hidden, and with `sendBeacon` when the page is closed.
 * - A save is a compare-and-set on the server version. On a conflict the server's answers are
 *   loaded; if the other person changed none of the items changed here, the save is simply
 *   retried, otherwise the person sees theirs vs mine and chooses. Nothing is overwritten silently.
 * - Mutable state lives in refs (timers and network callbacks always see the latest values);
 *   a tick re-renders consumers after each change.
 */
import { useFetcher, useNavigation } from "@remix-run/react";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  answerFromFormValue,
  formValueFromAnswer,
  plainAnswer,
  sameAnswer,
  sameFormValue,
  scoreSelfAssessment,
  toScoringAnswers,
  type AnswerView,
  type ItemErrors,
  type ItemFormValue,
  type PerformanceView,
} from "~/lib/assessment/answers";
import {
  accidentFormValue,
  accidentRecordFromForm,
  chinaToday,
  plainAccidentRecord,
  sameAccidentRecord,
  type AccidentFormValue,
  type AccidentRecord,
  type AccidentRecordView,
} from "~/lib/assessment/accidents";
import { localDraftKey, readLocalDraft, writeLocalDraft, type PerformanceFormValue } from "~/lib/assessment/local-draft";
import {
  saveRequestBody,
  saveUrl,
  type ChangePayload,
  type PerformancePayload,
  type SaveOutcome,
} from "~/lib/assessment/save-protocol";
import type { ItemAnswer, Rubric, RubricItem, WeightProfile } from "~/lib/rubric/schema";
import type { ScoreBreakdown } from "~/lib/scoring/engine";

export const AUTOSAVE_DELAY_MS = 1500;
const RETRY_DELAYS_MS = [3000, 10_000, 30_000];

export type NetworkStatus = "idle" | "saving" | "offline" | "error" | "session" | "locked";
export type DisplayStatus = "saved" | "saving" | "pending" | "incomplete" | "conflict" | "offline" | "error" | "session" | "locked";

export type ConflictEntry =
  | { kind: "item"; itemId: string; theirs: AnswerView | null; mine: ItemAnswer | null; by: string | null; at: string | null }
  | { kind: "accidents"; itemId: "accidents"; theirs: AccidentRecord | null; mine: AccidentRecord | null; by: string | null; at: string | null };

export type WizardNotice = { kind: "restored"; count: number } | { kind: "merged"; count: number } | { kind: "discarded" };

export type WizardInit = {
  slug: string;
  assessmentId: string;
  userId: string;
  userName: string;
  rubric: Rubric;
  weights: WeightProfile | null;
  version: number;
  answers: AnswerView[];
  performance: PerformanceView[];
  accidentRecord: AccidentRecordView | null;
  editors: Record<string, string>;
  canEdit: boolean;
  /**
   * Where this sheet saves and keeps its local draft (default: the self-assessment's). The review
   * sheet (Step 10) reuses this whole autosave with its own endpoint and draft key.
   */
  endpoints?: { save: string; fetcherAction: string; draftKey: string };
  /** Ask before the page is closed while something typed is not saved yet. */
  warnOnLeave?: string;
};

type ServerState = {
  version: number;
  answers: Map<string, AnswerView>;
  performance: Map<string, PerformanceView>;
  accidentRecord: AccidentRecordView | null;
};

export type WizardContextValue = {
  slug: string;
  assessmentId: string;
  /** The scoring outline (decision 028): item texts are blank here; pages send the ones they show. */
  rubric: Rubric;
  items: ReadonlyMap<string, RubricItem>;
  /** An item with its wording, when a page of this session showed it; else the outline's item. */
  itemWithText(itemId: string): RubricItem | undefined;
  /** Element pages hand over the items they show (with texts), for dialogs that name items. */
  learnItems(items: readonly RubricItem[]): void;
  canEdit: boolean;
  editors: Record<string, string>;
  serverVersion: number;
  /** The answer as saved on the server. */
  serverAnswer(itemId: string): AnswerView | undefined;
  serverPerformance(conditionId: string): PerformanceView | undefined;
  /** What an item's form should show: the unsaved draft, else the saved answer. */
  formValueFor(itemId: string): ItemFormValue;
  performanceValueFor(conditionId: string): PerformanceFormValue;
  hasDraft(itemId: string): boolean;
  /** Errors of the draft (client rules) or of the last rejected save (server). */
  itemErrors(itemId: string): ItemErrors | null;
  isConfirmPending(itemId: string): boolean;
  setDraft(itemId: string, value: ItemFormValue): void;
  setPerformanceDraft(conditionId: string, value: PerformanceFormValue): void;
  /** The accident record: the unsaved draft, else the saved one. */
  accidentValue(): AccidentFormValue;
  setAccidentDraft(value: AccidentFormValue): void;
  accidentErrors(): Record<string, string> | null;
  /** The record the hints and the summary use: saved, with a valid draft applied. */
  effectiveAccidentRecord: AccidentRecord | null;
  confirmCarried(itemIds: string[]): void;
  /** Answers the score is computed from: saved answers with every valid draft applied. */
  effectiveAnswer(itemId: string): ItemAnswer | null;
  breakdown: ScoreBreakdown;
  status: DisplayStatus;
  pendingCount: number;
  incompleteCount: number;
  carriedCount: number;
  notice: WizardNotice | null;
  dismissNotice(): void;
  discardLocal(): void;
  conflict: ConflictEntry[] | null;
  keepMine(): void;
  takeTheirs(): void;
  /** Saves now; resolves when the save (and any follow-up) settled, or after `timeoutMs`. */
  flushNow(timeoutMs?: number): Promise<void>;
  /** Bumped whenever forms must re-read their values (server refresh, restore, take theirs). */
  syncToken: number;
  /**
   * Another write that does not touch answers (an evidence upload or delete) moved the version
   * from the one we know to `version`: adopt it, so the next save is not a needless conflict.
   */
  noteVersion(version: number): void;
};

const WizardContext = createContext<WizardContextValue | null>(null);

export function useWizard(): WizardContextValue {
  const value = useContext(WizardContext);
  if (!value) throw new Error("useWizard outside <WizardProvider>");
  return value;
}

function toServerState(version: number, answers: AnswerView[], performance: PerformanceView[], accidentRecord: AccidentRecordView | null): ServerState {
  return {
    version,
    answers: new Map(answers.map((a) => [a.itemId, a])),
    performance: new Map(performance.map((p) => [p.conditionId, p])),
    accidentRecord,
  };
}

function perfFormValue(p: PerformanceView | undefined): PerformanceFormValue {
  if (!p) return { passed: "", note: "" };
  return { passed: p.passed ? "yes" : "no", note: p.note ?? "" };
}

function perfPayload(conditionId: string, v: PerformanceFormValue): PerformancePayload {
  const note = v.note.trim();
  return note ? { conditionId, passed: v.passed === "" ? null : v.passed === "yes", note } : { conditionId, passed: v.passed === "" ? null : v.passed === "yes" };
}

function samePerf(payload: PerformancePayload, server: PerformanceView | undefined): boolean {
  if (payload.passed === null) return server === undefined;
  return server !== undefined && server.passed === payload.passed && (server.note ?? "") === (payload.note ?? "");
}

export function WizardProvider({ init, children }: { init: WizardInit; children: ReactNode }) {
  const { slug, assessmentId, userId, canEdit, warnOnLeave } = init;
  // The rubric version is pinned: keep the first object so memoised compilation survives revalidation.
  const [rubric] = useState(init.rubric);
  const [weights] = useState(init.weights);
  const items = useMemo(() => {
    const map = new Map<string, RubricItem>();
    for (const el of rubric.elements) for (const sub of el.subElements) for (const item of sub.items) map.set(item.id, item);
    return map;
  }, [rubric]);

  const wordedRef = useRef(new Map<string, RubricItem>());
  const serverRef = useRef<ServerState>(toServerState(init.version, init.answers, init.performance, init.accidentRecord));
  const accidentDraftRef = useRef<AccidentFormValue | null>(null);
  const draftsRef = useRef(new Map<string, ItemFormValue>());
  const perfDraftsRef = useRef(new Map<string, PerformanceFormValue>());
  const confirmRef = useRef(new Set<string>());
  const editorsRef = useRef<Record<string, string>>({ ...init.editors, [init.userId]: init.userName });
  const inFlightRef = useRef<{ version: number; changes: ChangePayload[]; performance: PerformancePayload[]; accidentRecord?: AccidentRecord | null } | null>(null);
  const timerRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  const retryRef = useRef(0);
  const waitersRef = useRef<Array<() => void>>([]);
  const conflictRef = useRef<ConflictEntry[] | null>(null);
  const networkRef = useRef<NetworkStatus>(canEdit ? "idle" : "locked");

  const [tick, setTick] = useState(0);
  const [syncToken, setSyncToken] = useState(0);
  const [network, setNetworkState] = useState<NetworkStatus>(networkRef.current);
  const [conflict, setConflictState] = useState<ConflictEntry[] | null>(null);
  const [notice, setNotice] = useState<WizardNotice | null>(null);
  const [serverErrors, setServerErrors] = useState<Record<string, ItemErrors>>({});
  const [serverAccidentErrors, setServerAccidentErrors] = useState<Record<string, string> | null>(null);
  const rerender = useCallback(() => setTick((n) => n + 1), []);
  const setNetwork = useCallback((s: NetworkStatus) => {
    networkRef.current = s;
    setNetworkState(s);
  }, []);
  const setConflict = useCallback((c: ConflictEntry[] | null) => {
    conflictRef.current = c;
    setConflictState(c);
  }, []);

  const storageKey = init.endpoints?.draftKey ?? localDraftKey(userId, assessmentId);
  const url = init.endpoints?.save ?? saveUrl(slug, assessmentId);
  const fetcherAction = init.endpoints?.fetcherAction ?? `/t/${slug}/assessments/${assessmentId}`;
  const fetcher = useFetcher<SaveOutcome>({ key: `assessment-save:${assessmentId}` });
  const submitRef = useRef(fetcher.submit);
  submitRef.current = fetcher.submit;

  // -------------------------------------------------------------------------------------------
  // Derived from refs

  const serverFormValue = useCallback(
    (itemId: string): ItemFormValue => {
      const item = items.get(itemId);
      if (!item) throw new Error(`unknown item ${itemId}`);
      return formValueFromAnswer(item, serverRef.current.answers.get(itemId));
    },
    [items],
  );

  /** Valid drafts that differ from the server, plus confirmations, plus performance changes. */
  const collectChanges = useCallback((): {
    changes: ChangePayload[];
    performance: PerformancePayload[];
    accidentRecord?: AccidentRecord | null;
    incomplete: number;
  } => {
    const changes: ChangePayload[] = [];
    let incomplete = 0;
    const server = serverRef.current;
    for (const [itemId, value] of draftsRef.current) {
      const item = items.get(itemId);
      if (!item) continue;
      const result = answerFromFormValue(item, value);
      if (!result.ok) {
        incomplete++;
        continue;
      }
      const saved = server.answers.get(itemId);
      if (!sameAnswer(result.answer, saved)) changes.push({ itemId, answer: result.answer });
      else if (saved?.carriedOver && confirmRef.current.has(itemId)) changes.push({ itemId, answer: plainAnswer(saved) });
    }
    for (const itemId of confirmRef.current) {
      if (draftsRef.current.has(itemId)) continue;
      const saved = server.answers.get(itemId);
      if (saved?.carriedOver) changes.push({ itemId, answer: plainAnswer(saved) });
    }
    const performance: PerformancePayload[] = [];
    for (const [conditionId, value] of perfDraftsRef.current) {
      const payload = perfPayload(conditionId, value);
      if (!samePerf(payload, server.performance.get(conditionId))) performance.push(payload);
    }
    let accidentRecord: AccidentRecord | null | undefined;
    const accidentDraft = accidentDraftRef.current;
    if (accidentDraft) {
      const result = accidentRecordFromForm(accidentDraft, chinaToday());
      if (!result.ok) incomplete++;
      else if (!sameAccidentRecord(result.record, server.accidentRecord)) accidentRecord = result.record;
    }
    return accidentRecord === undefined ? { changes, performance, incomplete } : { changes, performance, accidentRecord, incomplete };
  }, [items]);

  const persistLocal = useCallback(() => {
    writeLocalDraft(storageKey, {
      v: 1,
      assessmentId,
      baseVersion: serverRef.current.version,
      savedAt: Date.now(),
      items: [...draftsRef.current.entries()],
      performance: [...perfDraftsRef.current.entries()],
      confirmations: [...confirmRef.current],
      accidents: accidentDraftRef.current,
    });
  }, [storageKey, assessmentId]);

  /** Drops drafts that say what the server now says (after a save or a refresh). */
  const pruneDrafts = useCallback(() => {
    const server = serverRef.current;
    for (const [itemId, value] of draftsRef.current) {
      const item = items.get(itemId);
      if (!item) {
        draftsRef.current.delete(itemId);
        continue;
      }
      if (sameFormValue(value, formValueFromAnswer(item, server.answers.get(itemId)))) {
        draftsRef.current.delete(itemId);
        continue;
      }
      const result = answerFromFormValue(item, value);
      if (result.ok && sameAnswer(result.answer, server.answers.get(itemId)) && !confirmRef.current.has(itemId)) {
        draftsRef.current.delete(itemId);
      }
    }
    for (const itemId of confirmRef.current) {
      if (!server.answers.get(itemId)?.carriedOver) confirmRef.current.delete(itemId);
    }
    for (const [conditionId, value] of perfDraftsRef.current) {
      if (samePerf(perfPayload(conditionId, value), server.performance.get(conditionId))) perfDraftsRef.current.delete(conditionId);
    }
    const accidentDraft = accidentDraftRef.current;
    if (accidentDraft) {
      const result = accidentRecordFromForm(accidentDraft, chinaToday());
      if (result.ok && sameAccidentRecord(result.record, server.accidentRecord)) accidentDraftRef.current = null;
    }
  }, [items]);

  const settleWaiters = useCallback(() => {
    const waiters = waitersRef.current;
    waitersRef.current = [];
    for (const resolve of waiters) resolve();
  }, []);

  // -------------------------------------------------------------------------------------------
  // Saving

  const flush = useCallback(() => {
    if (timerRef.current) {
      clearTimeout(timerRef.current);
      timerRef.current = null;
    }
    if (!canEdit || inFlightRef.current || conflictRef.current || networkRef.current === "locked" || networkRef.current === "session") {
      if (!inFlightRef.current) settleWaiters();
      return;
    }
    const { changes, performance, accidentRecord } = collectChanges();
    if (changes.length === 0 && performance.length === 0 && accidentRecord === undefined) {
      settleWaiters();
      return;
    }
    const version = serverRef.current.version;
    inFlightRef.current = { version, changes, performance, accidentRecord };
    setNetwork("saving");
    void submitRef.current(saveRequestBody({ version, changes, performance, accidentRecord }), {
      method: "post",
      action: fetcherAction,
    });
  }, [canEdit, collectChanges, setNetwork, settleWaiters, fetcherAction]);

  const schedule = useCallback(
    (delay = AUTOSAVE_DELAY_MS) => {
      if (!canEdit) return;
      if (timerRef.current) clearTimeout(timerRef.current);
      timerRef.current = setTimeout(() => {
        timerRef.current = null;
        flush();
      }, delay);
    },
    [canEdit, flush],
  );

  const applyFullServerState = useCallback(
    (version: number, answers: AnswerView[], performance: PerformanceView[], accidentRecord: AccidentRecordView | null) => {
      const before = serverRef.current;
      serverRef.current = toServerState(version, answers, performance, accidentRecord);
      // Count what other people changed: not our own earlier save (a beacon, another tab) arriving late.
      let changed = 0;
      for (const id of new Set([...before.answers.keys(), ...serverRef.current.answers.keys()])) {
        const now = serverRef.current.answers.get(id);
        if (sameAnswer(before.answers.get(id), now)) continue;
        if (now?.updatedBy === userId) continue;
        const item = items.get(id);
        const draft = draftsRef.current.get(id);
        const mine = item && draft ? answerFromFormValue(item, draft) : null;
        if (mine?.ok && sameAnswer(mine.answer, now)) continue;
        changed++;
      }
      return changed;
    },
    [items, userId],
  );

  const onOutcome = useCallback(
    (outcome: SaveOutcome) => {
      const sent = inFlightRef.current;
      inFlightRef.current = null;
      if (!sent) return;
      if (outcome.kind === "offline" || outcome.kind === "failed") {
        setNetwork(outcome.kind === "offline" ? "offline" : "error");
        const delay = RETRY_DELAYS_MS[Math.min(retryRef.current, RETRY_DELAYS_MS.length - 1)] ?? 30_000;
        retryRef.current++;
        schedule(delay);
        settleWaiters();
        return;
      }
      if (outcome.kind === "session") {
        setNetwork("session");
        settleWaiters();
        return;
      }
      retryRef.current = 0;
      const { body } = outcome;
      if (body.ok) {
        const server = serverRef.current;
        server.version = body.version;
        for (const s of body.saved) {
          if (s.answer) server.answers.set(s.itemId, s.answer);
          else server.answers.delete(s.itemId);
        }
        server.performance = new Map(body.performance.map((p) => [p.conditionId, p]));
        server.accidentRecord = body.accidentRecord;
        if (sent.accidentRecord !== undefined) setServerAccidentErrors(null);
        pruneDrafts();
        persistLocal();
        setServerErrors((prev) => {
          if (Object.keys(prev).length === 0) return prev;
          const next = { ...prev };
          for (const s of body.saved) delete next[s.itemId];
          return next;
        });
        setNetwork("idle");
        rerender();
        const more = collectChanges();
        if (more.changes.length > 0 || more.performance.length > 0 || more.accidentRecord !== undefined) flush();
        else settleWaiters();
        return;
      }
      if (body.error === "conflict") {
        editorsRef.current = { ...editorsRef.current, ...body.editors };
        const before = serverRef.current;
        const merged = applyFullServerState(body.version, body.answers, body.performance, body.accidentRecord);
        const overlap: ConflictEntry[] = [];
        for (const c of body.items) {
          const draft = draftsRef.current.get(c.itemId);
          const item = items.get(c.itemId);
          if (!item) continue;
          const mineResult = draft ? answerFromFormValue(item, draft) : null;
          const mine = mineResult?.ok ? mineResult.answer : (before.answers.get(c.itemId) ?? null);
          const touchedByThem = c.changedByOthers || (c.current === null && before.answers.has(c.itemId));
          if (!touchedByThem || sameAnswer(mine, c.current)) continue;
          overlap.push({
            kind: "item",
            itemId: c.itemId,
            theirs: c.current,
            mine: mine && "itemId" in mine ? plainAnswer(mine) : mine,
            by: c.updatedBy?.name ?? body.lastSavedBy?.name ?? null,
            at: c.updatedAt,
          });
        }
        // The accident record is one unit: a conflict when someone else saved it after our version.
        const theirRecord = body.accidentRecord;
        const accidentDraft = accidentDraftRef.current;
        const myRecord = accidentDraft ? accidentRecordFromForm(accidentDraft, chinaToday()) : null;
        if (myRecord?.ok && theirRecord && theirRecord.rev > sent.version && !sameAccidentRecord(myRecord.record, theirRecord)) {
          overlap.push({
            kind: "accidents",
            itemId: "accidents",
            theirs: plainAccidentRecord(theirRecord),
            mine: myRecord.record,
            by: theirRecord.updatedBy ? (editorsRef.current[theirRecord.updatedBy] ?? null) : null,
            at: theirRecord.updatedAt,
          });
        }
        pruneDrafts();
        persistLocal();
        setSyncToken((n) => n + 1);
        const others = Math.max(0, merged - overlap.length);
        if (others > 0) setNotice({ kind: "merged", count: others });
        rerender();
        if (overlap.length > 0) {
          setConflict(overlap);
          setNetwork("idle");
          settleWaiters();
        } else {
          setNetwork("idle");
          flush();
        }
        return;
      }
      if (body.error === "locked") {
        setNetwork("locked");
        settleWaiters();
        return;
      }
      if (body.error === "invalid") {
        setServerErrors(body.itemErrors);
        setServerAccidentErrors(Object.keys(body.accidentErrors).length > 0 ? body.accidentErrors : null);
        setNetwork("error");
        settleWaiters();
        return;
      }
      setNetwork("error");
      settleWaiters();
    },
    [applyFullServerState, collectChanges, flush, items, persistLocal, pruneDrafts, rerender, schedule, setConflict, setNetwork, settleWaiters],
  );

  // The fetcher's result arrives through render; handle each result object exactly once.
  const handledRef = useRef<unknown>(null);
  useEffect(() => {
    if (fetcher.state !== "idle" || fetcher.data === undefined || handledRef.current === fetcher.data) return;
    handledRef.current = fetcher.data;
    onOutcome(fetcher.data);
  }, [fetcher.state, fetcher.data, onOutcome]);

  // -------------------------------------------------------------------------------------------
  // Restore the local draft once, after hydration

  const restoredRef = useRef(false);
  useEffect(() => {
    if (restoredRef.current) return;
    restoredRef.current = true;
    if (!canEdit) return;
    const stored = readLocalDraft(storageKey);
    if (!stored || stored.assessmentId !== assessmentId) return;
    const server = serverRef.current;
    let restored = 0;
    const conflicts: ConflictEntry[] = [];
    for (const [itemId, value] of stored.items) {
      const item = items.get(itemId);
      if (!item || value.counts.length !== item.deductionRules.length) continue;
      const saved = server.answers.get(itemId);
      if (sameFormValue(value, formValueFromAnswer(item, saved))) continue;
      const result = answerFromFormValue(item, value);
      if (result.ok && sameAnswer(result.answer, saved)) continue;
      draftsRef.current.set(itemId, value);
      restored++;
      // Someone saved this item after the version these edits were based on: ask, never overwrite.
      if (saved && saved.rev > stored.baseVersion && result.ok) {
        conflicts.push({
          kind: "item",
          itemId,
          theirs: saved,
          mine: result.answer,
          by: saved.updatedBy ? (editorsRef.current[saved.updatedBy] ?? null) : null,
          at: saved.updatedAt,
        });
      }
    }
    for (const [conditionId, value] of stored.performance) {
      if (!rubric.performanceConditions.some((c) => c.id === conditionId)) continue;
      if (samePerf(perfPayload(conditionId, value), server.performance.get(conditionId))) continue;
      perfDraftsRef.current.set(conditionId, value);
      restored++;
    }
    for (const itemId of stored.confirmations) {
      if (server.answers.get(itemId)?.carriedOver) confirmRef.current.add(itemId);
    }
    if (stored.accidents) {
      const result = accidentRecordFromForm(stored.accidents, chinaToday());
      if (!(result.ok && sameAccidentRecord(result.record, server.accidentRecord))) {
        accidentDraftRef.current = stored.accidents;
        restored++;
        const theirs = server.accidentRecord;
        if (result.ok && theirs && theirs.rev > stored.baseVersion) {
          conflicts.push({
            kind: "accidents",
            itemId: "accidents",
            theirs: plainAccidentRecord(theirs),
            mine: result.record,
            by: theirs.updatedBy ? (editorsRef.current[theirs.updatedBy] ?? null) : null,
            at: theirs.updatedAt,
          });
        }
      }
    }
    persistLocal();
    if (restored === 0) return;
    setNotice({ kind: "restored", count: restored });
    setSyncToken((n) => n + 1);
    rerender();
    if (conflicts.length > 0) setConflict(conflicts);
    else schedule(0);
  }, [assessmentId, canEdit, items, persistLocal, rerender, rubric, schedule, setConflict, storageKey]);

  // -------------------------------------------------------------------------------------------
  // Loader data refreshed (e.g. after an evidence upload): take the newer server state

  useEffect(() => {
    if (init.version <= serverRef.current.version) return;
    editorsRef.current = { ...editorsRef.current, ...init.editors };
    applyFullServerState(init.version, init.answers, init.performance, init.accidentRecord);
    pruneDrafts();
    persistLocal();
    setSyncToken((n) => n + 1);
    rerender();
  }, [init.version, init.answers, init.performance, init.accidentRecord, init.editors, applyFullServerState, pruneDrafts, persistLocal, rerender]);

  // -------------------------------------------------------------------------------------------
  // Leaving: navigation, hidden tab, closed page, unmount

  const navigation = useNavigation();
  useEffect(() => {
    if (navigation.state === "loading" && navigation.formMethod === undefined) flush();
  }, [navigation.state, navigation.formMethod, navigation.location, flush]);

  useEffect(() => {
    if (!canEdit) return;
    const payload = (): URLSearchParams | null => {
      const { changes, performance, accidentRecord } = collectChanges();
      if (changes.length === 0 && performance.length === 0 && accidentRecord === undefined) return null;
      return saveRequestBody({ version: serverRef.current.version, changes, performance, accidentRecord });
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    const onPageHide = () => {
      persistLocal();
      const body = payload();
      // A duplicate of an in-flight save just gets a harmless 409; the local draft stays either way.
      if (body && typeof navigator.sendBeacon === "function") navigator.sendBeacon(url, body);
    };
    const onOnline = () => flush();
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!warnOnLeave) return;
      const { changes, performance, accidentRecord, incomplete } = collectChanges();
      const unsaved = changes.length + performance.length + incomplete + (accidentRecord === undefined ? 0 : 1) > 0;
      if (!unsaved && !inFlightRef.current && !conflictRef.current) return;
      persistLocal();
      event.preventDefault();
      // Older browsers show the returned text; current ones show their own wording.
      event.returnValue = warnOnLeave;
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", onPageHide);
    window.addEventListener("online", onOnline);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onPageHide);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [canEdit, collectChanges, flush, persistLocal, url, warnOnLeave]);

  useEffect(() => {
    return () => {
      if (timerRef.current) clearTimeout(timerRef.current);
      if (!canEdit || inFlightRef.current || conflictRef.current) return;
      const { changes, performance, accidentRecord } = collectChanges();
      if (changes.length === 0 && performance.length === 0 && accidentRecord === undefined) return;
      const body = saveRequestBody({ version: serverRef.current.version, changes, performance, accidentRecord });
      // Leaving the wizard inside the app: the request outlives this component.
      void fetch(url, { method: "POST", body, keepalive: body.toString().length < 60_000, credentials: "same-origin" }).catch(() => {});
    };
  }, [canEdit, collectChanges, url]);

  // -------------------------------------------------------------------------------------------
  // Public API

  const setDraft = useCallback(
    (itemId: string, value: ItemFormValue) => {
      if (!canEdit || !items.has(itemId)) return;
      const existing = draftsRef.current.get(itemId);
      if (existing && sameFormValue(existing, value)) return;
      if (!existing && sameFormValue(value, serverFormValue(itemId))) return;
      if (sameFormValue(value, serverFormValue(itemId)) && !confirmRef.current.has(itemId)) draftsRef.current.delete(itemId);
      else draftsRef.current.set(itemId, structuredClone(value));
      persistLocal();
      setServerErrors((prev) => {
        if (!(itemId in prev)) return prev;
        const next = { ...prev };
        delete next[itemId];
        return next;
      });
      if (networkRef.current === "error") setNetwork("idle");
      rerender();
      schedule();
    },
    [canEdit, items, persistLocal, rerender, schedule, serverFormValue, setNetwork],
  );

  const setPerformanceDraft = useCallback(
    (conditionId: string, value: PerformanceFormValue) => {
      if (!canEdit) return;
      const existing = perfDraftsRef.current.get(conditionId);
      if (existing && existing.passed === value.passed && existing.note === value.note) return;
      if (samePerf(perfPayload(conditionId, value), serverRef.current.performance.get(conditionId))) perfDraftsRef.current.delete(conditionId);
      else perfDraftsRef.current.set(conditionId, { ...value });
      persistLocal();
      rerender();
      schedule();
    },
    [canEdit, persistLocal, rerender, schedule],
  );

  const setAccidentDraft = useCallback(
    (value: AccidentFormValue) => {
      if (!canEdit) return;
      const next = structuredClone(value);
      if (JSON.stringify(next) === JSON.stringify(accidentDraftRef.current ?? accidentFormValue(serverRef.current.accidentRecord))) return;
      accidentDraftRef.current = JSON.stringify(next) === JSON.stringify(accidentFormValue(serverRef.current.accidentRecord)) ? null : next;
      setServerAccidentErrors(null);
      persistLocal();
      rerender();
      schedule();
    },
    [canEdit, persistLocal, rerender, schedule],
  );

  const confirmCarried = useCallback(
    (itemIds: string[]) => {
      if (!canEdit) return;
      for (const id of itemIds) if (serverRef.current.answers.get(id)?.carriedOver) confirmRef.current.add(id);
      persistLocal();
      rerender();
      schedule(0);
    },
    [canEdit, persistLocal, rerender, schedule],
  );

  const flushNow = useCallback(
    (timeoutMs = 8000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waitersRef.current.push(() => {
          clearTimeout(timer);
          resolve();
        });
        if (!inFlightRef.current) flush();
      }),
    [flush],
  );

  const keepMine = useCallback(() => {
    setConflict(null);
    // The drafts stay; the server version is already the new one, so the retry wins or conflicts anew.
    flush();
  }, [flush, setConflict]);

  const takeTheirs = useCallback(() => {
    for (const c of conflictRef.current ?? []) {
      if (c.kind === "accidents") {
        accidentDraftRef.current = null;
        continue;
      }
      draftsRef.current.delete(c.itemId);
      confirmRef.current.delete(c.itemId);
    }
    setConflict(null);
    persistLocal();
    setSyncToken((n) => n + 1);
    rerender();
    flush();
  }, [flush, persistLocal, rerender, setConflict]);

  const discardLocal = useCallback(() => {
    draftsRef.current.clear();
    perfDraftsRef.current.clear();
    confirmRef.current.clear();
    accidentDraftRef.current = null;
    if (timerRef.current) clearTimeout(timerRef.current);
    setConflict(null);
    persistLocal();
    setNotice({ kind: "discarded" });
    setSyncToken((n) => n + 1);
    rerender();
  }, [persistLocal, rerender, setConflict]);

  const noteVersion = useCallback((version: number) => {
    if (version === serverRef.current.version + 1 && !inFlightRef.current) serverRef.current.version = version;
  }, []);

  // -------------------------------------------------------------------------------------------
  // Render-time values (recomputed on every tick)

  const learnItems = useCallback(
    (list: readonly RubricItem[]) => {
      let added = false;
      for (const item of list) {
        if (wordedRef.current.get(item.id) === item) continue;
        wordedRef.current.set(item.id, item);
        added = true;
      }
      if (added) rerender();
    },
    [rerender],
  );

  const value = useMemo<WizardContextValue>(() => {
    void tick;
    const server = serverRef.current;
    const effective = new Map<string, ItemAnswer>();
    for (const [id, a] of server.answers) effective.set(id, plainAnswer(a));
    for (const [id, draft] of draftsRef.current) {
      const item = items.get(id);
      if (!item) continue;
      const result = answerFromFormValue(item, draft);
      if (!result.ok) continue;
      if (result.answer) effective.set(id, result.answer);
      else effective.delete(id);
    }
    const performance = new Map(server.performance);
    for (const [conditionId, v] of perfDraftsRef.current) {
      const p = perfPayload(conditionId, v);
      if (p.passed === null) performance.delete(conditionId);
      else performance.set(conditionId, { conditionId, passed: p.passed });
    }
    const breakdown = scoreSelfAssessment({
      rubric,
      weights,
      answers: toScoringAnswers(
        [...effective].map(([itemId, a]) => ({ itemId, ...a })),
        performance.values(),
      ),
    });
    const { changes, performance: perfChanges, accidentRecord: accidentChange, incomplete } = collectChanges();
    const pendingCount = changes.length + perfChanges.length + (accidentChange === undefined ? 0 : 1);
    const accidentDraft = accidentDraftRef.current;
    const accidentResult = accidentDraft ? accidentRecordFromForm(accidentDraft, chinaToday()) : null;
    const effectiveAccidentRecord = accidentResult?.ok ? accidentResult.record : server.accidentRecord;
    let carriedCount = 0;
    for (const a of server.answers.values()) if (a.carriedOver && !confirmRef.current.has(a.itemId)) carriedCount++;

    const status: DisplayStatus = conflict
      ? "conflict"
      : network === "saving"
        ? "saving"
        : network !== "idle"
          ? network
          : pendingCount > 0
            ? "pending"
            : incomplete > 0
              ? "incomplete"
              : "saved";

    return {
      slug,
      assessmentId,
      rubric,
      items,
      itemWithText: (id) => wordedRef.current.get(id) ?? items.get(id),
      learnItems,
      canEdit: canEdit && network !== "locked",
      editors: editorsRef.current,
      serverVersion: server.version,
      serverAnswer: (id) => server.answers.get(id),
      serverPerformance: (id) => server.performance.get(id),
      formValueFor: (id) => draftsRef.current.get(id) ?? serverFormValue(id),
      performanceValueFor: (id) => perfDraftsRef.current.get(id) ?? perfFormValue(server.performance.get(id)),
      hasDraft: (id) => {
        const draft = draftsRef.current.get(id);
        const item = items.get(id);
        if (!draft || !item) return false;
        const result = answerFromFormValue(item, draft);
        return !result.ok || !sameAnswer(result.answer, server.answers.get(id));
      },
      itemErrors: (id) => {
        const draft = draftsRef.current.get(id);
        const item = items.get(id);
        if (draft && item) {
          const result = answerFromFormValue(item, draft);
          if (!result.ok) return result.errors;
        }
        return serverErrors[id] ?? null;
      },
      isConfirmPending: (id) => confirmRef.current.has(id),
      setDraft,
      setPerformanceDraft,
      accidentValue: () => accidentDraftRef.current ?? accidentFormValue(server.accidentRecord),
      setAccidentDraft,
      accidentErrors: () => (accidentResult && !accidentResult.ok ? accidentResult.errors : serverAccidentErrors),
      effectiveAccidentRecord: effectiveAccidentRecord ? plainAccidentRecord(effectiveAccidentRecord) : null,
      confirmCarried,
      effectiveAnswer: (id) => effective.get(id) ?? null,
      breakdown,
      status,
      pendingCount,
      incompleteCount: incomplete,
      carriedCount,
      notice,
      dismissNotice: () => setNotice(null),
      discardLocal,
      conflict,
      keepMine,
      takeTheirs,
      flushNow,
      syncToken,
      noteVersion,
    };
  }, [
    tick,
    items,
    rubric,
    weights,
    collectChanges,
    conflict,
    network,
    slug,
    assessmentId,
    canEdit,
    serverFormValue,
    serverErrors,
    setDraft,
    setPerformanceDraft,
    setAccidentDraft,
    serverAccidentErrors,
    confirmCarried,
    notice,
    discardLocal,
    keepMine,
    takeTheirs,
    flushNow,
    syncToken,
    noteVersion,
    learnItems,
  ]);

  return <WizardContext.Provider value={value}>{children}</WizardContext.Provider>;
}
