import { type AnyStateNode, transition } from "xstate";
import { describe, expect, it } from "vitest";
import {
  CREDIT_BLOCK_REASONS,
  CREDIT_EVENT_ROLES,
  CREDIT_EVENT_TYPES,
  CREDIT_TERMINAL_STATES,
  applyCreditEvent,
  creditEventSchema,
  creditHandledEvents,
  creditMachine,
  creditStateKey,
  explainCreditBlocked,
  resumeCredit,
  startCredit,
  stateValueOfKey,
  type CreditActor,
  type CreditEffect,
  type CreditEvent,
  type CreditEventType,
  type CreditSnapshot,
} from "~/workflows/credit.machine";
import { creditDraftSchema, creditEventFromForm, creditEventInputSchema } from "~/workflows/credit-input";
import { parseMsg } from "~/lib/validation";

const cst = (date: string, time = "10:00") => new Date(`${date}T${time}:00+08:00`).toISOString();
const T = {
  notice: cst("2026-03-02"),
  beforeDeadline: cst("2026-03-05"),
  deadline: new Date("2026-03-09T23:59:59.999+08:00").toISOString(),
  afterDeadline: cst("2026-03-10"),
  publish: cst("2026-03-20"),
  tooEarly: cst("2026-12-01"),
  repairFrom: cst("2027-03-20"),
  afterRepairFrom: cst("2027-04-01"),
  endsAt: cst("2029-03-20"),
  afterEnd: cst("2029-03-21"),
};

const A: Record<"regulator" | "enterprise" | "system", CreditActor> = {
  regulator: { id: "u-reg", role: "regulator" },
  enterprise: { id: "u-ent", role: "enterprise_admin" },
  system: { id: null, role: "system" },
};

function ev(type: CreditEventType, actor: CreditActor, now: string, extra: Record<string, unknown> = {}): CreditEvent {
  const base: Record<string, unknown> = { type, actor, now };
  switch (type) {
    case "SEND_NOTICE":
      base.defenceDeadline = T.deadline;
      break;
    case "DEFENCE_RECEIVED":
    case "APPLY_REPAIR":
      base.statement = "我方已整改";
      if (type === "APPLY_REPAIR") base.repairAllowedFrom = T.repairFrom;
      break;
    case "DECIDE_LIST":
    case "DROP":
      base.decisionText = "决定书";
      break;
    case "PUBLISH":
      base.endsAt = T.endsAt;
      break;
    case "GRANT_REPAIR":
    case "REFUSE_REPAIR":
    case "RESTORE":
      base.reasons = "理由";
      break;
    default:
      break;
  }
  return creditEventSchema.parse({ ...base, ...extra });
}

function step(s: CreditSnapshot, event: CreditEvent): CreditSnapshot {
  const r = applyCreditEvent(s, event);
  if (!r.ok) throw new Error(`${event.type} refused in ${creditStateKey(s)}: ${r.reasons.join(",")}`);
  return r.snapshot;
}

function refused(s: CreditSnapshot, event: CreditEvent): string[] {
  const r = applyCreditEvent(s, event);
  expect(r.ok).toBe(false);
  expect(r.snapshot).toBe(s);
  return r.ok ? [] : r.reasons;
}

const start = () => startCredit({ recordId: "rec-1" });
const notified = () => step(start(), ev("SEND_NOTICE", A.regulator, T.notice));
const decided = () => step(notified(), ev("DECIDE_LIST", A.regulator, T.afterDeadline));
const published = () => step(decided(), ev("PUBLISH", A.regulator, T.publish));
const repairRequested = () => step(published(), ev("APPLY_REPAIR", A.enterprise, T.afterRepairFrom));
const repaired = () => step(repairRequested(), ev("GRANT_REPAIR", A.regulator, T.afterRepairFrom));
const types = (effects: CreditEffect[]) => effects.map((e) => (e.type === "email" ? `email:${e.template}` : e.type));

describe("draft", () => {
  it("starts in draft; EDIT stays in draft, only by the regulator", () => {
    const s = start();
    expect(creditStateKey(s)).toBe("draft");
    expect(creditStateKey(step(s, ev("EDIT", A.regulator, T.notice)))).toBe("draft");
    expect(refused(s, ev("EDIT", A.enterprise, T.notice))).toEqual(["not-permitted"]);
  });

  it("SEND_NOTICE records the deadline and mails the notice", () => {
    const r = applyCreditEvent(start(), ev("SEND_NOTICE", A.regulator, T.notice));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(creditStateKey(r.snapshot)).toBe("notified.awaiting");
    expect(r.snapshot.context.defenceDeadline).toBe(T.deadline);
    expect(types(r.effects)).toEqual(["email:credit-notice"]);
  });

  it("refuses a deadline in the past and anyone but the regulator", () => {
    expect(refused(start(), ev("SEND_NOTICE", A.regulator, T.afterDeadline))).toEqual(["deadline-in-past"]);
    expect(refused(start(), ev("SEND_NOTICE", A.enterprise, T.notice))).toEqual(["not-permitted"]);
  });

  it("EDIT is impossible outside draft", () => {
    expect(refused(notified(), ev("EDIT", A.regulator, T.notice))).toEqual(["invalid-in-state"]);
    expect(refused(published(), ev("EDIT", A.regulator, T.publish))).toEqual(["invalid-in-state"]);
  });
});

describe("notified: the defence period", () => {
  it("the enterprise states a defence before the deadline", () => {
    const s = step(notified(), ev("DEFENCE_RECEIVED", A.enterprise, T.beforeDeadline));
    expect(creditStateKey(s)).toBe("defenceReceived");
  });

  it("the enterprise cannot after the deadline; the regulator may record a paper one", () => {
    expect(refused(notified(), ev("DEFENCE_RECEIVED", A.enterprise, T.afterDeadline))).toEqual(["deadline-passed"]);
    expect(creditStateKey(step(notified(), ev("DEFENCE_RECEIVED", A.regulator, T.afterDeadline)))).toBe(
      "defenceReceived",
    );
  });

  it("an empty statement is refused", () => {
    expect(refused(notified(), ev("DEFENCE_RECEIVED", A.enterprise, T.beforeDeadline, { statement: "  " }))).toEqual([
      "text-required",
    ]);
  });

  it("DECIDE_LIST before the deadline is impossible unless a defence was received", () => {
    expect(refused(notified(), ev("DECIDE_LIST", A.regulator, T.beforeDeadline))).toEqual(["deadline-not-passed"]);
    const defended = step(notified(), ev("DEFENCE_RECEIVED", A.enterprise, T.beforeDeadline));
    expect(creditStateKey(step(defended, ev("DECIDE_LIST", A.regulator, T.beforeDeadline)))).toBe("decided");
  });

  it("DEFENCE_WINDOW_PASSED: the system only, only after the deadline; then the regulator decides", () => {
    expect(refused(notified(), ev("DEFENCE_WINDOW_PASSED", A.system, T.beforeDeadline))).toEqual([
      "deadline-not-passed",
    ]);
    expect(refused(notified(), ev("DEFENCE_WINDOW_PASSED", A.regulator, T.afterDeadline))).toEqual(["not-permitted"]);
    const passed = step(notified(), ev("DEFENCE_WINDOW_PASSED", A.system, T.afterDeadline));
    expect(creditStateKey(passed)).toBe("notified.windowPassed");
    expect(refused(passed, ev("DEFENCE_WINDOW_PASSED", A.system, T.afterDeadline))).toEqual(["invalid-in-state"]);
    expect(creditStateKey(step(passed, ev("DECIDE_LIST", A.regulator, T.afterDeadline)))).toBe("decided");
    expect(creditStateKey(step(passed, ev("DROP", A.regulator, T.afterDeadline)))).toBe("dropped");
  });

  it("DROP ends the record for good", () => {
    const s = step(notified(), ev("DROP", A.regulator, T.beforeDeadline));
    expect(creditStateKey(s)).toBe("dropped");
    expect(s.status).toBe("done");
    for (const type of CREDIT_EVENT_TYPES) expect(refused(s, ev(type, A.regulator, T.afterEnd))).toEqual(["invalid-in-state"]);
  });

  it("a decision needs a written text and the regulator", () => {
    expect(refused(notified(), ev("DECIDE_LIST", A.regulator, T.afterDeadline, { decisionText: "" }))).toEqual([
      "text-required",
    ]);
    expect(refused(notified(), ev("DECIDE_LIST", A.enterprise, T.afterDeadline))).toEqual(["not-permitted"]);
    expect(refused(notified(), ev("PUBLISH", A.regulator, T.afterDeadline))).toEqual(["invalid-in-state"]);
  });
});

describe("publication and its effects", () => {
  it("PUBLISH records the dates, applies the listing and mails it", () => {
    const r = applyCreditEvent(decided(), ev("PUBLISH", A.regulator, T.publish));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(creditStateKey(r.snapshot)).toBe("published.listed");
    expect(r.snapshot.context.listedAt).toBe(T.publish);
    expect(r.snapshot.context.endsAt).toBe(T.endsAt);
    expect(types(r.effects)).toEqual(["applyListing", "email:credit-listed"]);
  });

  it("refuses publication by the enterprise, with an end before now, and twice", () => {
    expect(refused(decided(), ev("PUBLISH", A.enterprise, T.publish))).toEqual(["not-permitted"]);
    expect(refused(decided(), ev("PUBLISH", A.regulator, T.publish, { endsAt: T.notice }))).toEqual([
      "ends-before-listing",
    ]);
    expect(refused(published(), ev("PUBLISH", A.regulator, T.publish))).toEqual(["invalid-in-state"]);
  });

  it("EXPIRE at endsAt (system only) removes with reason expired and lifts the listing", () => {
    expect(refused(published(), ev("EXPIRE", A.system, T.afterRepairFrom))).toEqual(["not-ended"]);
    expect(refused(published(), ev("EXPIRE", A.regulator, T.afterEnd))).toEqual(["not-permitted"]);
    const r = applyCreditEvent(published(), ev("EXPIRE", A.system, T.endsAt));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(creditStateKey(r.snapshot)).toBe("removed.expired");
    expect(types(r.effects)).toEqual(["liftListing", "email:credit-removed"]);
    expect(refused(r.snapshot, ev("RESTORE", A.regulator, T.afterEnd))).toEqual(["invalid-in-state"]);
  });

  it("EXPIRE also ends a pending repair application", () => {
    expect(creditStateKey(step(repairRequested(), ev("EXPIRE", A.system, T.afterEnd)))).toBe("removed.expired");
  });
});

describe("credit repair and restoration", () => {
  it("repair is refused before repairAllowedFrom and allowed from it", () => {
    expect(refused(published(), ev("APPLY_REPAIR", A.enterprise, T.tooEarly))).toEqual(["repair-too-early"]);
    expect(creditStateKey(step(published(), ev("APPLY_REPAIR", A.enterprise, T.repairFrom)))).toBe(
      "published.repairRequested",
    );
  });

  it("GRANT_REPAIR removes (repaired), lifts the listing and mails the decision and the removal", () => {
    const r = applyCreditEvent(repairRequested(), ev("GRANT_REPAIR", A.regulator, T.afterRepairFrom));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(creditStateKey(r.snapshot)).toBe("removed.repaired");
    expect(r.effects).toEqual([
      { type: "liftListing" },
      { type: "email", template: "credit-repair-decided", granted: true, reasons: "理由" },
      { type: "email", template: "credit-removed" },
    ]);
  });

  it("REFUSE_REPAIR returns to listed with reasons mailed; reasons are required", () => {
    expect(refused(repairRequested(), ev("REFUSE_REPAIR", A.regulator, T.afterRepairFrom, { reasons: " " }))).toEqual([
      "text-required",
    ]);
    const r = applyCreditEvent(repairRequested(), ev("REFUSE_REPAIR", A.regulator, T.afterRepairFrom));
    expect(r.ok && creditStateKey(r.snapshot)).toBe("published.listed");
    expect(r.ok && r.effects).toEqual([{ type: "email", template: "credit-repair-decided", granted: false, reasons: "理由" }]);
  });

  it("the enterprise cannot decide its own repair", () => {
    expect(refused(repairRequested(), ev("GRANT_REPAIR", A.enterprise, T.afterRepairFrom))).toEqual(["not-permitted"]);
  });

  it("RESTORE after a fraudulent repair re-applies the listing", () => {
    const r = applyCreditEvent(repaired(), ev("RESTORE", A.regulator, T.afterRepairFrom));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(creditStateKey(r.snapshot)).toBe("published.listed");
    expect(types(r.effects)).toEqual(["applyListing", "email:credit-listed"]);
    expect(refused(repaired(), ev("RESTORE", A.enterprise, T.afterRepairFrom))).toEqual(["not-permitted"]);
  });
});

describe("persistence", () => {
  it("state keys round-trip through stateValueOfKey and resumeCredit", () => {
    for (const key of ["draft", "notified.awaiting", "published.repairRequested", "removed.repaired", "dropped"]) {
      expect(creditStateKey({ value: stateValueOfKey(key) })).toBe(key);
      const s = resumeCredit(key, { recordId: "r", defenceDeadline: T.deadline, listedAt: T.publish, endsAt: T.endsAt });
      expect(creditStateKey(s)).toBe(key);
    }
  });

  it("a resumed record decides like the live one", () => {
    const s = resumeCredit("published.listed", { recordId: "r", listedAt: T.publish, endsAt: T.endsAt });
    expect(refused(s, ev("EXPIRE", A.system, T.afterRepairFrom))).toEqual(["not-ended"]);
    expect(creditStateKey(step(s, ev("EXPIRE", A.system, T.afterEnd)))).toBe("removed.expired");
  });

  it("an unknown state is rejected", () => {
    expect(() => resumeCredit("nowhere", { recordId: "r" })).toThrow();
  });
});

describe("who may send what", () => {
  it("system events are the system's only; member events never the system's", () => {
    expect(CREDIT_EVENT_ROLES.EXPIRE).toEqual(["system"]);
    expect(CREDIT_EVENT_ROLES.DEFENCE_WINDOW_PASSED).toEqual(["system"]);
    for (const type of ["SEND_NOTICE", "DECIDE_LIST", "DROP", "PUBLISH", "GRANT_REPAIR", "REFUSE_REPAIR", "RESTORE", "EDIT"] as const)
      expect(CREDIT_EVENT_ROLES[type]).toEqual(["regulator"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Exploration of the whole machine

const TIMES = Object.values(T);
function eventsFor(): CreditEvent[] {
  const out: CreditEvent[] = [];
  for (const type of CREDIT_EVENT_TYPES)
    for (const actor of Object.values(A)) for (const now of TIMES) out.push(ev(type, actor, now));
  return out;
}

function explore() {
  const nodes = new Map<string, CreditSnapshot>();
  const edges: Array<{ fromKey: string; toKey: string; event: string; from: string; to: string }> = [];
  const disagreements: string[] = [];
  const key = (s: CreditSnapshot) => JSON.stringify([creditStateKey(s), s.context.defenceDeadline, s.context.listedAt, s.context.endsAt]);
  const first = start();
  nodes.set(key(first), first);
  const queue = [first];
  const events = eventsFor();
  let tried = 0;
  while (queue.length > 0) {
    const s = queue.shift();
    if (!s) break;
    for (const event of events) {
      tried += 1;
      const next: CreditSnapshot = transition(creditMachine, s, event)[0];
      const reasons = explainCreditBlocked(s, event);
      const wasRefused = next === s;
      if (wasRefused !== reasons.length > 0 || reasons.some((r) => !CREDIT_BLOCK_REASONS.includes(r)))
        disagreements.push(`${event.type} in ${creditStateKey(s)} at ${event.now}: refused=${wasRefused} reasons=${reasons.join(",")}`);
      if (wasRefused) continue;
      edges.push({ fromKey: key(s), toKey: key(next), event: event.type, from: creditStateKey(s), to: creditStateKey(next) });
      if (!nodes.has(key(next))) {
        nodes.set(key(next), next);
        queue.push(next);
      }
    }
  }
  return { nodes, edges, disagreements, tried };
}

function leaves(): string[] {
  const out: string[] = [];
  const walk = (node: AnyStateNode) => {
    const children: AnyStateNode[] = Object.values(node.states);
    if (children.length === 0 && node.path.length > 0) out.push(node.path.join("."));
    children.forEach(walk);
  };
  walk(creditMachine.root);
  return out;
}

describe("exploration (BFS from draft)", () => {
  const { nodes, edges, disagreements, tried } = explore();

  it("explainCreditBlocked agrees with the machine on every event tried", () => {
    expect(tried).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  });

  it("reaches every state", () => {
    const reached = new Set([...nodes.values()].map(creditStateKey));
    expect([...reached].sort()).toEqual(leaves().sort());
    expect(leaves()).toHaveLength(10);
  });

  it("takes every event type somewhere", () => {
    expect([...new Set(edges.map((e) => e.event))].sort()).toEqual([...CREDIT_EVENT_TYPES].sort());
  });

  it("has no dead ends: every reached state can reach a terminal state", () => {
    const terminal = new Set<string>(CREDIT_TERMINAL_STATES);
    const canFinish = new Set([...nodes].filter(([, s]) => terminal.has(creditStateKey(s))).map(([k]) => k));
    let grew = true;
    while (grew) {
      grew = false;
      for (const e of edges) {
        if (canFinish.has(e.toKey) && !canFinish.has(e.fromKey)) {
          canFinish.add(e.fromKey);
          grew = true;
        }
      }
    }
    expect([...nodes].filter(([k]) => !canFinish.has(k)).map(([, s]) => creditStateKey(s))).toEqual([]);
    // Terminal states have no way out.
    for (const s of nodes.values()) {
      if (terminal.has(creditStateKey(s))) expect(creditHandledEvents(s)).toEqual([]);
    }
  });

  it("applyListing is emitted exactly on the way into published.listed from decided or removed", () => {
    for (const s of nodes.values()) {
      for (const event of eventsFor()) {
        const r = applyCreditEvent(s, event);
        if (!r.ok) continue;
        const applies = r.effects.some((x) => x.type === "applyListing");
        const lifts = r.effects.some((x) => x.type === "liftListing");
        const fromKey = creditStateKey(s);
        const toKey = creditStateKey(r.snapshot);
        expect(applies, `${fromKey} -${event.type}-> ${toKey}`).toBe(!fromKey.startsWith("published") && toKey.startsWith("published"));
        expect(lifts, `${fromKey} -${event.type}-> ${toKey}`).toBe(fromKey.startsWith("published") && toKey.startsWith("removed"));
      }
    }
  });
});

describe("input schemas", () => {
  const valid = {
    subjectName: "某某化工有限公司",
    creditCode: "91510100MA61234567",
    subjectType: "enterprise",
    listType: "serious2023",
    conditionKey: "c2023_concealed_accident",
    facts: "瞒报事故",
    legalBasis: "《安全生产严重失信主体名单管理办法》第七条",
    penaltyDecisionNo: "成应急罚〔2026〕12号",
    authority: "成都市应急管理局",
  };

  it("a 2023 record requires the penalty decision number (field error); a 2017 record does not", () => {
    const missing = creditDraftSchema.safeParse({ ...valid, creditCode: "914403001922038216", penaltyDecisionNo: "  " });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues.map((i) => [i.path.join("."), parseMsg(i.message).key])).toEqual([["penaltyDecisionNo", "credit.errors.penaltyDecisionNoRequired"]]);
    const absent = creditDraftSchema.safeParse({ ...valid, creditCode: "914403001922038216", penaltyDecisionNo: undefined });
    expect(absent.error?.issues.map((i) => i.path.join("."))).toEqual(["penaltyDecisionNo"]);
    const old = creditDraftSchema.safeParse({
      ...valid,
      creditCode: "914403001922038216",
      listType: "dishonest2017",
      conditionKey: "c2017_other",
      penaltyDecisionNo: "",
    });
    expect(old.success).toBe(true);
    expect(creditDraftSchema.safeParse({ ...valid, creditCode: "914403001922038216" }).success).toBe(true);
  });

  it("reports the credit code's problem by position", () => {
    const r = creditDraftSchema.safeParse({ ...valid, creditCode: "91510100MA6123456I" });
    expect(r.success).toBe(false);
    const issue = r.error?.issues.find((i) => i.path[0] === "creditCode");
    expect(parseMsg(issue?.message ?? "")).toEqual({ key: "errors.creditCode.character", params: { position: "18", character: "I" } });
  });

  it("requires a condition of the chosen list type", () => {
    const r = creditDraftSchema.safeParse({ ...valid, creditCode: "914403001922038216", conditionKey: "c2017_other" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["conditionKey"]);
  });

  it("a person needs a name and an ID number of the right shape", () => {
    const r = creditDraftSchema.safeParse({ ...valid, creditCode: "914403001922038216", subjectType: "person", responsibleIdNumber: "12345" });
    expect(r.error?.issues.map((i) => i.path.join(".")).sort()).toEqual(["responsibleIdNumber", "responsibleName"]);
    const ok = creditDraftSchema.safeParse({
      ...valid,
      creditCode: "914403001922038216",
      subjectType: "person",
      responsibleName: "张三",
      responsibleIdNumber: "51010419800101123x",
    });
    expect(ok.success && ok.data.responsibleIdNumber).toBe("51010419800101123X");
  });

  it("reads the record-page form", () => {
    expect(creditEventFromForm({ intent: "REFUSE_REPAIR", reasons: "ok", other: "x" })).toEqual({ type: "REFUSE_REPAIR", reasons: "ok" });
    expect(creditEventFromForm({ intent: "GRANT_REPAIR", reasons: "ok", other: "x", penaltyCarriedOut: "on", penaltyCarriedOutEvidence: "凭证" })).toEqual({
      type: "GRANT_REPAIR",
      reasons: "ok",
      penaltyCarriedOut: true,
      penaltyCarriedOutEvidence: "凭证",
      harmRemedied: false,
      noNewConduct: false,
    });
    // Early removal: every condition ticked, each with evidence, or a field error names what is missing.
    const grant = (extra: Record<string, unknown>) => creditEventInputSchema.safeParse({ type: "GRANT_REPAIR", reasons: "ok", ...extra });
    expect(grant({}).error?.issues.map((i) => [i.path.join("."), parseMsg(i.message).key])).toEqual([
      ["penaltyCarriedOut", "credit.errors.repairConditionUnticked"],
      ["harmRemedied", "credit.errors.repairConditionUnticked"],
      ["noNewConduct", "credit.errors.repairConditionUnticked"],
    ]);
    const ticked = { penaltyCarriedOut: true, penaltyCarriedOutEvidence: "a", harmRemedied: true, harmRemediedEvidence: "b", noNewConduct: true, noNewConductEvidence: "c" };
    expect(grant({ ...ticked, noNewConductEvidence: "" }).error?.issues.map((i) => i.path.join("."))).toEqual(["noNewConductEvidence"]);
    expect(grant(ticked).success).toBe(true);
    expect(creditEventInputSchema.safeParse({ type: "EXPIRE" }).success).toBe(false);
    expect(creditEventInputSchema.safeParse({ type: "SEND_NOTICE", defenceDeadline: "2026-13-45" }).success).toBe(false);
  });
});

describe("credit workflow diagram", () => {
  it("docs/credit-workflow.mmd is generated from the machine and up to date (npx tsx scripts/export-workflow-diagram.ts)", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { toMermaid } = await import("~/workflows/grading.machine");
    const diagram = toMermaid(creditMachine);
    expect(diagram).toContain("published_repairRequested --> removed_repaired : GRANT_REPAIR");
    expect(diagram).toContain("removed_repaired --> published_listed : RESTORE");
    expect(readFileSync(path.resolve(import.meta.dirname, "../../docs/credit-workflow.mmd"), "utf8")).toBe(diagram);
  });
});
