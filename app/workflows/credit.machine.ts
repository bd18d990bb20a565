/**
 * The lifecycle of one work-safety credit-list record (失信名单, DOMAIN.md §7) as a pure XState v5
 * machine, built like the grading machine (app/workflows/grading.machine.ts).
 *
 * Pure: no clock (events carry `now`), no I/O. The facts a guard needs that only the server knows
 * (from when credit repair may be applied for) travel in the event. A transition DESCRIBES its
 * side effects in `context.pendingEffects` (emails, applying or lifting the listing's effects);
 * the server writes them with the state in one compare-and-set and carries them out afterwards.
 *
 * The persisted form is the state value (the record's `state` column, e.g. "published.listed");
 * the context is rebuilt from the record's own fields (`contextFromRecord` in the server).
 *
 *   draft ─SEND_NOTICE→ notified.awaiting ─DEFENCE_WINDOW_PASSED→ notified.windowPassed
 *   notified ─DEFENCE_RECEIVED→ defenceReceived
 *   notified (after the deadline) | defenceReceived ─DECIDE_LIST→ decided ─PUBLISH→ published.listed
 *   notified | defenceReceived ─DROP→ dropped (final)
 *   published.listed ─APPLY_REPAIR→ published.repairRequested ─REFUSE_REPAIR→ published.listed
 *   published.repairRequested ─GRANT_REPAIR→ removed.repaired ─RESTORE→ published.listed
 *   published ─EXPIRE→ removed.expired (terminal)
 */
import {
  type SnapshotFrom,
  type StateValue,
  assertEvent,
  assign,
  getStateNodes,
  initialTransition,
  setup,
  transition,
} from "xstate";
import { z } from "zod";

export const CREDIT_MACHINE_VERSION = 1;

const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: "must be an ISO date-time" });

export const creditActorRoleSchema = z.enum(["regulator", "enterprise_admin", "system"]);
export type CreditActorRole = z.infer<typeof creditActorRoleSchema>;
export const creditActorSchema = z.object({
  id: z.string().min(1).nullable(),
  role: creditActorRoleSchema,
});
export type CreditActor = z.infer<typeof creditActorSchema>;

export const CREDIT_EMAIL_TEMPLATES = [
  "credit-notice",
  "credit-listed",
  "credit-repair-decided",
  "credit-removed",
] as const;
export type CreditEmailTemplate = (typeof CREDIT_EMAIL_TEMPLATES)[number];

export const creditEffectSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("email"),
    template: z.enum(CREDIT_EMAIL_TEMPLATES),
    granted: z.boolean().optional(),
    reasons: z.string().optional(),
  }),
  /** Block applications, stop running ones, suspend or revoke certificates (joint punishment). */
  z.object({ type: z.literal("applyListing") }),
  /** The block ends with the listing; certificates are NOT reinstated (the regulator decides). */
  z.object({ type: z.literal("liftListing") }),
]);
export type CreditEffect = z.infer<typeof creditEffectSchema>;

export const creditContextSchema = z.object({
  machineVersion: z.literal(CREDIT_MACHINE_VERSION),
  recordId: z.string().min(1),
  defenceDeadline: instant.nullable(),
  listedAt: instant.nullable(),
  endsAt: instant.nullable(),
  pendingEffects: z.array(creditEffectSchema),
});
export type CreditContext = z.infer<typeof creditContextSchema>;
export type CreditInput = {
  recordId: string;
  defenceDeadline?: string | null;
  listedAt?: string | null;
  endsAt?: string | null;
};

const eventBase = { actor: creditActorSchema, now: instant };
const text = z.string().max(5000);

export const creditEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("EDIT"), ...eventBase }),
  z.object({ type: z.literal("SEND_NOTICE"), ...eventBase, defenceDeadline: instant }),
  z.object({ type: z.literal("DEFENCE_RECEIVED"), ...eventBase, statement: text }),
  z.object({ type: z.literal("DEFENCE_WINDOW_PASSED"), ...eventBase }),
  z.object({ type: z.literal("DECIDE_LIST"), ...eventBase, decisionText: text }),
  z.object({ type: z.literal("DROP"), ...eventBase, decisionText: text }),
  z.object({ type: z.literal("PUBLISH"), ...eventBase, endsAt: instant }),
  z.object({
    type: z.literal("APPLY_REPAIR"),
    ...eventBase,
    statement: text,
    /** Listed-at plus the tenant's repairAfterMonths (Shanghai calendar), from the server. */
    repairAllowedFrom: instant,
  }),
  z.object({ type: z.literal("GRANT_REPAIR"), ...eventBase, reasons: text }),
  z.object({ type: z.literal("REFUSE_REPAIR"), ...eventBase, reasons: text }),
  z.object({ type: z.literal("EXPIRE"), ...eventBase }),
  z.object({ type: z.literal("RESTORE"), ...eventBase, reasons: text }),
]);
export type CreditEvent = z.infer<typeof creditEventSchema>;
export type CreditEventType = CreditEvent["type"];
export type CreditEventOf<T extends CreditEventType> = Extract<CreditEvent, { type: T }>;
export const CREDIT_EVENT_TYPES: readonly CreditEventType[] = creditEventSchema.options.map(
  (o) => o.shape.type.value,
);

/** Who may send each event. The enterprise may only act on its own record (checked by the server). */
export const CREDIT_EVENT_ROLES: Record<CreditEventType, readonly CreditActorRole[]> = {
  EDIT: ["regulator"],
  SEND_NOTICE: ["regulator"],
  // The enterprise states its defence itself; the regulator records one received on paper.
  DEFENCE_RECEIVED: ["enterprise_admin", "regulator"],
  DEFENCE_WINDOW_PASSED: ["system"],
  DECIDE_LIST: ["regulator"],
  DROP: ["regulator"],
  PUBLISH: ["regulator"],
  APPLY_REPAIR: ["enterprise_admin", "regulator"],
  GRANT_REPAIR: ["regulator"],
  REFUSE_REPAIR: ["regulator"],
  EXPIRE: ["system"],
  RESTORE: ["regulator"],
};

export const CREDIT_BLOCK_REASONS = [
  "invalid-in-state",
  "invalid-time",
  "not-permitted",
  "text-required",
  "deadline-in-past",
  "deadline-not-passed",
  "deadline-passed",
  "ends-before-listing",
  "repair-too-early",
  "not-ended",
] as const;
export type CreditBlockReason = (typeof CREDIT_BLOCK_REASONS)[number];

function hasText(value: string | undefined): boolean {
  return value !== undefined && value.trim().length > 0;
}

function before(a: string | null, b: number): boolean {
  return a !== null && b < Date.parse(a);
}

/** Every rule for `event` in `context`, state aside: the reasons it would be refused ([] = allowed). */
function blockedReasons(context: CreditContext, event: CreditEvent): CreditBlockReason[] {
  const reasons = new Set<CreditBlockReason>();
  const now = Date.parse(event.now);
  if (Number.isNaN(now)) reasons.add("invalid-time");
  if (!CREDIT_EVENT_ROLES[event.type].includes(event.actor.role)) reasons.add("not-permitted");
  switch (event.type) {
    case "SEND_NOTICE":
      if (!(Date.parse(event.defenceDeadline) > now)) reasons.add("deadline-in-past");
      break;
    case "DEFENCE_RECEIVED":
      if (!hasText(event.statement)) reasons.add("text-required");
      // The enterprise's own statement must arrive in time; the regulator may record a paper one.
      if (event.actor.role === "enterprise_admin" && !before(context.defenceDeadline, now - 1))
        reasons.add("deadline-passed");
      break;
    case "DEFENCE_WINDOW_PASSED":
      if (context.defenceDeadline === null || !(now > Date.parse(context.defenceDeadline)))
        reasons.add("deadline-not-passed");
      break;
    case "DECIDE_LIST":
    case "DROP":
      if (!hasText(event.decisionText)) reasons.add("text-required");
      break;
    case "PUBLISH":
      if (!(Date.parse(event.endsAt) > now)) reasons.add("ends-before-listing");
      break;
    case "APPLY_REPAIR":
      if (!hasText(event.statement)) reasons.add("text-required");
      if (now < Date.parse(event.repairAllowedFrom)) reasons.add("repair-too-early");
      break;
    case "GRANT_REPAIR":
    case "REFUSE_REPAIR":
    case "RESTORE":
      if (!hasText(event.reasons)) reasons.add("text-required");
      break;
    case "EXPIRE":
      if (context.endsAt === null || now < Date.parse(context.endsAt)) reasons.add("not-ended");
      break;
    default:
      break;
  }
  return [...reasons];
}

/** DECIDE_LIST straight from `notified`: only once the defence window is over. */
function deadlineOver(context: CreditContext, event: CreditEvent): boolean {
  const now = Date.parse(event.now);
  return context.defenceDeadline !== null && now > Date.parse(context.defenceDeadline);
}

const email = (template: CreditEmailTemplate) => ({ type: "email", params: { template } }) as const;

export const creditMachine = setup({
  types: {
    context: {} as CreditContext,
    events: {} as CreditEvent,
    input: {} as CreditInput,
  },
  guards: {
    allowed: ({ context, event }) => blockedReasons(context, event).length === 0,
    allowedAfterDeadline: ({ context, event }) =>
      blockedReasons(context, event).length === 0 && deadlineOver(context, event),
  },
  actions: {
    begin: assign({ pendingEffects: [] }),
    recordNotice: assign(({ event }) => {
      assertEvent(event, "SEND_NOTICE");
      return { defenceDeadline: new Date(event.defenceDeadline).toISOString() };
    }),
    recordListing: assign(({ event }) => {
      assertEvent(event, "PUBLISH");
      return { listedAt: event.now, endsAt: new Date(event.endsAt).toISOString() };
    }),
    applyListing: assign(({ context }) => ({
      pendingEffects: [...context.pendingEffects, { type: "applyListing" } as const],
    })),
    liftListing: assign(({ context }) => ({
      pendingEffects: [...context.pendingEffects, { type: "liftListing" } as const],
    })),
    email: assign(({ context, event }, params: { template: CreditEmailTemplate }) => {
      const effect: CreditEffect = { type: "email", template: params.template };
      if (params.template === "credit-repair-decided") {
        effect.granted = event.type === "GRANT_REPAIR";
        effect.reasons = "reasons" in event ? event.reasons.trim() : "";
      }
      return { pendingEffects: [...context.pendingEffects, effect] };
    }),
  },
}).createMachine({
  id: "credit",
  initial: "draft",
  context: ({ input }) => ({
    machineVersion: CREDIT_MACHINE_VERSION,
    recordId: input.recordId,
    defenceDeadline: input.defenceDeadline ?? null,
    listedAt: input.listedAt ?? null,
    endsAt: input.endsAt ?? null,
    pendingEffects: [],
  }),
  states: {
    /** Being prepared by the regulator; nothing is known to the subject yet. */
    draft: {
      on: {
        EDIT: { target: "draft", guard: "allowed", actions: ["begin"] },
        SEND_NOTICE: {
          target: "notified",
          guard: "allowed",
          actions: ["begin", "recordNotice", email("credit-notice")],
        },
      },
    },
    /** Notice of intended listing sent (告知); the subject may state a defence until the deadline. */
    notified: {
      initial: "awaiting",
      states: {
        awaiting: {
          on: {
            DEFENCE_WINDOW_PASSED: { target: "windowPassed", guard: "allowed", actions: ["begin"] },
          },
        },
        windowPassed: {},
      },
      on: {
        DEFENCE_RECEIVED: { target: "defenceReceived", guard: "allowed", actions: ["begin"] },
        DECIDE_LIST: { target: "decided", guard: "allowedAfterDeadline", actions: ["begin"] },
        DROP: { target: "dropped", guard: "allowed", actions: ["begin"] },
      },
    },
    defenceReceived: {
      on: {
        DECIDE_LIST: { target: "decided", guard: "allowed", actions: ["begin"] },
        DROP: { target: "dropped", guard: "allowed", actions: ["begin"] },
      },
    },
    /** Written decision to list; publication makes it public and effective. */
    decided: {
      on: {
        PUBLISH: {
          target: "published",
          guard: "allowed",
          actions: ["begin", "recordListing", "applyListing", email("credit-listed")],
        },
      },
    },
    published: {
      initial: "listed",
      states: {
        listed: {
          on: {
            APPLY_REPAIR: { target: "repairRequested", guard: "allowed", actions: ["begin"] },
          },
        },
        repairRequested: {
          on: {
            GRANT_REPAIR: {
              target: "#credit.removed.repaired",
              guard: "allowed",
              actions: [
                "begin",
                "liftListing",
                email("credit-repair-decided"),
                email("credit-removed"),
              ],
            },
            REFUSE_REPAIR: {
              target: "listed",
              guard: "allowed",
              actions: ["begin", email("credit-repair-decided")],
            },
          },
        },
      },
      on: {
        EXPIRE: {
          target: "removed.expired",
          guard: "allowed",
          actions: ["begin", "liftListing", email("credit-removed")],
        },
      },
    },
    removed: {
      initial: "expired",
      states: {
        /** The period ended: off the list for good. */
        expired: { type: "final" },
        /** Removed early by credit repair; restored if the repair turns out to be fraudulent. */
        repaired: {
          on: {
            RESTORE: {
              target: "#credit.published.listed",
              guard: "allowed",
              actions: ["begin", "applyListing", email("credit-listed")],
            },
          },
        },
      },
    },
    dropped: { type: "final" },
  },
});

export type CreditMachine = typeof creditMachine;
export type CreditSnapshot = SnapshotFrom<CreditMachine>;

/** Dotted path of the current leaf state, e.g. "published.listed" (the record's `state` column). */
export function creditStateKey(snapshot: { value: StateValue }): string {
  const value: StateValue = snapshot.value;
  if (typeof value === "string") return value;
  const [top, child] = Object.entries(value)[0] ?? ["", ""];
  return typeof child === "string" ? `${top}.${child}` : top;
}

/** State value from the stored key ("published.listed" → { published: "listed" }). */
export function stateValueOfKey(key: string): StateValue {
  const [top = "", child] = key.split(".");
  return child ? { [top]: child } : top;
}

/** States with no way out. */
export const CREDIT_TERMINAL_STATES = ["dropped", "removed.expired"] as const;

function isEventType(type: string): type is CreditEventType {
  return CREDIT_EVENT_TYPES.some((t) => t === type);
}

/** Event types the current state has a transition for (guards aside). */
export function creditHandledEvents(snapshot: CreditSnapshot): CreditEventType[] {
  const found = new Set<CreditEventType>();
  for (const node of getStateNodes(creditMachine.root, snapshot.value)) {
    for (const type of node.transitions.keys()) if (isEventType(type)) found.add(type);
  }
  return CREDIT_EVENT_TYPES.filter((t) => found.has(t));
}

/** Why `event` would be refused; [] when accepted. */
export function explainCreditBlocked(
  snapshot: CreditSnapshot,
  event: CreditEvent,
): CreditBlockReason[] {
  if (!creditHandledEvents(snapshot).includes(event.type)) return ["invalid-in-state"];
  const reasons = blockedReasons(snapshot.context, event);
  const key = creditStateKey(snapshot);
  if (
    event.type === "DECIDE_LIST" &&
    key.startsWith("notified") &&
    !deadlineOver(snapshot.context, event)
  ) {
    reasons.push("deadline-not-passed");
  }
  return reasons;
}

export function startCredit(input: CreditInput): CreditSnapshot {
  return initialTransition(creditMachine, input)[0];
}

/** Resumes a record: its stored state key plus the context rebuilt from its fields. */
export function resumeCredit(stateKey: string, input: CreditInput): CreditSnapshot {
  const context = creditContextSchema.parse({
    machineVersion: CREDIT_MACHINE_VERSION,
    recordId: input.recordId,
    defenceDeadline: input.defenceDeadline ?? null,
    listedAt: input.listedAt ?? null,
    endsAt: input.endsAt ?? null,
    pendingEffects: [],
  });
  return creditMachine.resolveState({ value: stateValueOfKey(stateKey), context });
}

export type CreditStep =
  | { ok: true; snapshot: CreditSnapshot; effects: CreditEffect[] }
  | { ok: false; snapshot: CreditSnapshot; reasons: CreditBlockReason[] };

export function applyCreditEvent(snapshot: CreditSnapshot, event: CreditEvent): CreditStep {
  const [next] = transition(creditMachine, snapshot, event);
  if (next === snapshot) {
    const reasons = explainCreditBlocked(snapshot, event);
    return { ok: false, snapshot, reasons: reasons.length > 0 ? reasons : ["invalid-in-state"] };
  }
  return { ok: true, snapshot: next, effects: next.context.pendingEffects };
}
