/**
 * The grading workflow of one application (DOMAIN.md §5) as a pure XState v5 machine.
 *
 * Pure: no clock (events carry `now`), no I/O. A transition DESCRIBES its side effects in
 * `context.pendingEffects` (emails, certificate, enterprise lock/unlock); the server persists the
 * snapshot and those effects in one compare-and-set write and carries them out afterwards.
 * `pendingEffects` holds the effects of the latest transition only.
 *
 * Use with `initialTransition(gradingMachine, input)` / `transition(gradingMachine, snapshot, event)`
 * or the `startGrading` / `applyGradingEvent` wrappers. A refused event leaves the snapshot object
 * unchanged; `explainBlocked` says why, as stable i18n keys.
 *
 * Every guard is the one function `blockedReasons`, so the machine and `explainBlocked` cannot
 * disagree. The zod schemas check the SHAPE of events and stored snapshots; the business rules
 * (non-empty reason, role, conflicts…) are guards, so a refusal can be explained to the user.
 */
import {
  type StateValue,
  getStateNodes,
  initialTransition,
  transition,
} from "xstate";
import { z } from "zod";
import { gradingMachine, type GradingSnapshot } from "./grading/machine";
import { blockedReasons, type BlockReason } from "./grading/rules";
import {
  GRADING_EVENT_TYPES,
  GRADING_MACHINE_VERSION,
  gradingContextSchema,
  type GradingContext,
  type GradingEvent,
  type GradingEventType,
  type GradingInput,
  type PendingEffect,
} from "./grading/schemas";

export * from "./grading/schemas";
export * from "./grading/rules";
export * from "./grading/renewal-rules";
export * from "./grading/machine";
export * from "./grading/state-groups";
export * from "./grading/diagram";

// ---------------------------------------------------------------------------------------------
// Applying events

function isEventType(type: string): type is GradingEventType {
  return GRADING_EVENT_TYPES.some((t) => t === type);
}

/** Event types the current state has a transition for (guards aside): the candidate actions in the UI. */
export function handledEvents(snapshot: GradingSnapshot): GradingEventType[] {
  if (snapshot.status !== "active") return [];
  const found = new Set<GradingEventType>();
  for (const node of getStateNodes(gradingMachine.root, snapshot.value)) {
    for (const type of node.transitions.keys()) if (isEventType(type)) found.add(type);
  }
  return GRADING_EVENT_TYPES.filter((t) => found.has(t));
}

/**
 * Why `event` would be refused in `snapshot`; [] when it would be accepted.
 * "invalid-in-state" alone when the state has no transition for the event at all.
 */
export function explainBlocked(snapshot: GradingSnapshot, event: GradingEvent): BlockReason[] {
  if (!handledEvents(snapshot).includes(event.type)) return ["invalid-in-state"];
  return blockedReasons(snapshot.context, event);
}

export function startGrading(input: GradingInput): GradingSnapshot {
  return initialTransition(gradingMachine, input)[0];
}

export type GradingStep =
  | { ok: true; snapshot: GradingSnapshot; effects: PendingEffect[] }
  | { ok: false; snapshot: GradingSnapshot; reasons: BlockReason[] };

/** One event, purely: the next snapshot and its effects, or the reasons it was refused. */
export function applyGradingEvent(snapshot: GradingSnapshot, event: GradingEvent): GradingStep {
  const [next] = transition(gradingMachine, snapshot, event);
  if (next === snapshot) {
    const reasons = explainBlocked(snapshot, event);
    return { ok: false, snapshot, reasons: reasons.length > 0 ? reasons : ["invalid-in-state"] };
  }
  return { ok: true, snapshot: next, effects: next.context.pendingEffects };
}

// ---------------------------------------------------------------------------------------------
// Persistence (shape only; storing is the server's job)

export type PersistedGradingSnapshot = {
  value: StateValue;
  status: GradingSnapshot["status"];
  context: GradingContext;
};

/** Plain JSON to store in `assessment.workflow`. */
export function persistSnapshot(snapshot: GradingSnapshot): PersistedGradingSnapshot {
  return { value: snapshot.value, status: snapshot.status, context: snapshot.context };
}

export class GradingSnapshotError extends Error {
  override readonly name: string = "GradingSnapshotError";
  readonly code: "version-mismatch" | "invalid-snapshot";
  constructor(
    code: "version-mismatch" | "invalid-snapshot",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/** A snapshot written by another machine version; it must be migrated before it can be resumed. */
export class GradingVersionMismatchError extends GradingSnapshotError {
  override readonly name = "GradingVersionMismatchError";
  readonly found: unknown;
  readonly expected = GRADING_MACHINE_VERSION;
  constructor(found: unknown) {
    super(
      "version-mismatch",
      `Stored grading workflow has machine version ${JSON.stringify(found) ?? "none"}, this code runs version ${GRADING_MACHINE_VERSION}`,
    );
    this.found = found;
  }
}

// The machine nests two levels deep.
const storedSnapshotSchema = z.object({
  value: z.union([z.string(), z.record(z.string(), z.string())]),
  context: z.unknown(),
});
const versionProbeSchema = z.object({ machineVersion: z.unknown() });

/**
 * Resumes a stored snapshot (from `persistSnapshot`, or XState's own persisted form). Throws
 * `GradingVersionMismatchError` for another machine version and `GradingSnapshotError`
 * ("invalid-snapshot") for anything that is not a valid snapshot of this machine.
 */
export function restoreSnapshot(json: unknown): GradingSnapshot {
  const stored = storedSnapshotSchema.safeParse(json);
  if (!stored.success) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow is not a snapshot",
      { cause: stored.error },
    );
  }
  const probe = versionProbeSchema.safeParse(stored.data.context);
  const found = probe.success ? probe.data.machineVersion : undefined;
  if (found !== GRADING_MACHINE_VERSION) throw new GradingVersionMismatchError(found);
  const context = gradingContextSchema.safeParse(stored.data.context);
  if (!context.success) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow has an invalid context",
      { cause: context.error },
    );
  }
  try {
    return gradingMachine.resolveState({ value: stored.data.value, context: context.data });
  } catch (error) {
    throw new GradingSnapshotError(
      "invalid-snapshot",
      "Stored grading workflow names an unknown state",
      { cause: error },
    );
  }
}

