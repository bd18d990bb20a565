import { readFileSync } from "node:fs";
import path from "node:path";
import { transition, type AnyStateNode } from "xstate";
import { describe, expect, it } from "vitest";
import {
  BLOCK_REASONS,
  DEFAULT_REVIEWERS_REQUIRED,
  EVENT_ROLES,
  GRADING_EVENT_TYPES,
  GRADING_MACHINE_VERSION,
  GradingSnapshotError,
  GradingVersionMismatchError,
  activeStates,
  applyGradingEvent,
  editableStates,
  explainBlocked,
  finalStates,
  gradingEventSchema,
  gradingMachine,
  handledEvents,
  isEditable,
  isEnterpriseLocked,
  lockedStates,
  persistSnapshot,
  restoreSnapshot,
  startGrading,
  stateKeyOf,
  toMermaid,
  topStateOf,
  type BlockReason,
  type GradingEvent,
  type GradingEventOf,
  type GradingEventType,
  type GradingInput,
  type GradingSettings,
  type GradingSnapshot,
  type PendingEffect,
  type RenewalFacts,
  type WorkflowActor,
} from "~/workflows/grading.machine";
import { type WorkingCalendar } from "~/workflows/working-days";

// ---------------------------------------------------------------------------------------------
// Fixtures

/** Modelled on the 2026 holiday notice (see working-days.test.ts). */
// prettier-ignore
const CAL_2026: WorkingCalendar = {
  holidays: [
    "2026-01-01", "2026-01-02", "2026-01-03",
    "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
    "2026-04-04", "2026-04-05", "2026-04-06",
    "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
    "2026-06-19", "2026-06-20", "2026-06-21",
    "2026-09-25", "2026-09-26", "2026-09-27",
    "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
  ],
  extraWorkdays: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
};
const SETTINGS: GradingSettings = {
  acceptanceDays: 5,
  reviewDays: 40,
  publicNoticeDays: 5,
  calendar: CAL_2026,
};
const ORGANIZER_SETTINGS: GradingSettings = { ...SETTINGS, organizerEnabled: true };
const LEVELS = ["level1", "level2", "level3"];
const INPUT: GradingInput = { applicationId: "app-1", enterpriseId: "ent-1", settings: SETTINGS };

/** Monday 2026-03-02 10:00 in Shanghai. */
const NOW = "2026-03-02T02:00:00.000Z";
function cst(date: string, time = "10:00"): string {
  return new Date(`${date}T${time}:00+08:00`).toISOString();
}
function endOf(date: string): string {
  return new Date(`${date}T23:59:59.999+08:00`).toISOString();
}

/** Renewal facts of cert-1 (level3, window open on NOW) that meet every criterion. */
const ELIGIBLE: RenewalFacts = {
  certificateId: "cert-1",
  certificateLevel: "level3",
  certificateStatus: "active",
  windowOpensAt: "2026-02-01T00:00:00.000Z",
  validUntil: "2026-04-30T15:59:59.999Z",
  missingYearlyReports: [],
  openRevocationReviews: [],
  creditListed: null,
  selfScore: 72.5,
  levelMinScore: 60,
  vetoed: false,
  eligibleLevel: "level3",
  levels: LEVELS,
};

const A = {
  admin: { id: "u-admin", role: "enterprise_admin" },
  member: { id: "u-member", role: "enterprise_member" },
  regulator: { id: "u-reg", role: "regulator" },
  bodyAdmin: { id: "u-body", role: "review_body_admin" },
  tenantAdmin: { id: "u-tadmin", role: "tenant_admin" },
  v1: { id: "rev-1", role: "reviewer" },
  v2: { id: "rev-2", role: "reviewer" },
  v3: { id: "rev-3", role: "reviewer" },
  outsider: { id: "rev-x", role: "reviewer" },
  organizer: { id: "u-org", role: "organizer" },
  system: { id: null, role: "system" },
  public: { id: null, role: "public" },
} satisfies Record<string, WorkflowActor>;

type PlainType =
  | "WITHDRAW"
  | "ACCEPT"
  | "START_REVIEW"
  | "SUBMIT_RECTIFICATION"
  | "APPROVE"
  | "START_NOTICE"
  | "NOTICE_ENDED"
  | "CONSENT_LOWER_LEVEL"
  | "DECLINE_LOWER_LEVEL"
  | "CERTIFY"
  | "ORGANIZER_APPROVE_REPORT";
const DEFAULT_ACTOR: Record<PlainType, WorkflowActor> = {
  WITHDRAW: A.admin,
  ACCEPT: A.regulator,
  START_REVIEW: A.v1,
  SUBMIT_RECTIFICATION: A.admin,
  APPROVE: A.regulator,
  START_NOTICE: A.regulator,
  NOTICE_ENDED: A.system,
  CONSENT_LOWER_LEVEL: A.admin,
  DECLINE_LOWER_LEVEL: A.admin,
  CERTIFY: A.regulator,
  ORGANIZER_APPROVE_REPORT: A.organizer,
};
function plain(
  type: PlainType,
  actor: WorkflowActor = DEFAULT_ACTOR[type],
  now = NOW,
): GradingEvent {
  return { type, actor, now };
}

const ev = {
  submit: (o: Partial<GradingEventOf<"SUBMIT">> = {}): GradingEventOf<"SUBMIT"> => ({
    type: "SUBMIT",
    actor: A.admin,
    now: NOW,
    appliedLevel: "level3",
    levels: LEVELS,
    score: { selfScore: 72.5, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: "level3" },
    requiredEvidenceMissing: [],
    unansweredItemIds: [],
    creditListed: null,
    ...o,
  }),
  /** Applies for level2 with a level2 self-score, so the reviewers can recommend level3 (lower). */
  submitLevel2: (o: Partial<GradingEventOf<"SUBMIT">> = {}): GradingEventOf<"SUBMIT"> =>
    ev.submit({
      appliedLevel: "level2",
      score: { selfScore: 80, appliedLevelMinScore: 75, vetoed: false, eligibleLevel: "level2" },
      ...o,
    }),
  ret: (
    reason = "资料不全：缺少安全生产责任制文件",
    actor: WorkflowActor = A.regulator,
    now = NOW,
  ): GradingEvent => ({
    type: "RETURN",
    actor,
    now,
    reason,
  }),
  reject: (
    reason = "现场评审未达标",
    actor: WorkflowActor = A.regulator,
    now = NOW,
  ): GradingEvent => ({
    type: "REJECT",
    actor,
    now,
    reason,
  }),
  assignBody: (
    reviewBodyId = "body-1",
    o: Partial<GradingEventOf<"ASSIGN_REVIEW_BODY">> = {},
  ): GradingEvent => ({
    type: "ASSIGN_REVIEW_BODY",
    actor: A.regulator,
    now: NOW,
    reviewBodyId,
    reviewBodyActive: true,
    ...o,
  }),
  /** The body admin forms a panel; the first reviewer leads; the server vouches for everyone. */
  assign: (
    reviewerIds: string[] = ["rev-1", "rev-2"],
    o: Partial<GradingEventOf<"ASSIGN_REVIEWERS">> = {},
  ): GradingEvent => ({
    type: "ASSIGN_REVIEWERS",
    actor: A.bodyAdmin,
    now: NOW,
    reviewerIds,
    leadReviewerId: reviewerIds[0] ?? "",
    eligibleReviewerIds: reviewerIds,
    inactiveReviewerIds: [],
    enterpriseMemberIds: [],
    declaredConflictIds: [],
    minPanelSize: 2,
    panelRotation: false,
    previousLeadReviewerId: null,
    ...o,
  }),
  startReview: (o: Partial<GradingEventOf<"START_REVIEW">> = {}): GradingEvent => ({
    type: "START_REVIEW",
    actor: A.v1,
    now: NOW,
    ...o,
  }),
  rectify: (o: Partial<GradingEventOf<"REQUEST_RECTIFICATION">> = {}): GradingEvent => ({
    type: "REQUEST_RECTIFICATION",
    actor: A.v1,
    now: NOW,
    reason: "应急预案未演练",
    days: 10,
    itemIds: ["1.1.1"],
    deductedItemIds: ["1.1.1", "2.1.1"],
    requestedItemIds: [],
    reopenedItemIds: [],
    ...o,
  }),
  report: (
    recommendedLevel: string | null,
    o: Partial<GradingEventOf<"REPORT_REVIEW">> = {},
  ): GradingEvent => ({
    type: "REPORT_REVIEW",
    actor: A.v1,
    now: NOW,
    recommendedLevel,
    // A complete, confirmed sheet whose score gives the recommended level (Step 10 guards: own tests).
    sheet: {
      unscoredItemIds: [],
      naWithoutReasonItemIds: [],
      unconfirmedMemberIds: [],
      score: 80,
      scoreLevel: recommendedLevel,
    },
    ...o,
  }),
  objection: (
    reason = "该企业上月发生过未报告的事故",
    actor: WorkflowActor = A.public,
    now = NOW,
  ): GradingEvent => ({
    type: "OBJECTION",
    actor,
    now,
    reason,
  }),
  submitRect: (unansweredRectificationIds: string[]): GradingEvent => ({
    type: "SUBMIT_RECTIFICATION",
    actor: A.admin,
    now: NOW,
    unansweredRectificationIds,
  }),
  uphold: (reason = "经核实事故属实", actor: WorkflowActor = A.regulator, now = NOW): GradingEvent => ({
    type: "UPHOLD_OBJECTION",
    actor,
    now,
    reason,
  }),
  dismiss: (
    o: Partial<GradingEventOf<"DISMISS_OBJECTION">> = {},
  ): GradingEventOf<"DISMISS_OBJECTION"> => ({
    type: "DISMISS_OBJECTION",
    actor: A.regulator,
    now: NOW,
    reason: "经核实异议事项不属实",
    restartNotice: false,
    ...o,
  }),
  returnReport: (reason = "扣分依据不充分", actor: WorkflowActor = A.organizer): GradingEvent => ({
    type: "ORGANIZER_RETURN_REPORT",
    actor,
    now: NOW,
    reason,
  }),
  /** A renewal of certificate cert-1 at level3 (the server's fact from startRenewal). */
  submitRenewal: (o: Partial<GradingEventOf<"SUBMIT">> = {}): GradingEventOf<"SUBMIT"> =>
    ev.submit({ renewal: { certificateId: "cert-1", level: "level3" }, ...o }),
  confirm: (
    o: Partial<RenewalFacts> = {},
    actor: WorkflowActor = A.regulator,
  ): GradingEventOf<"CONFIRM_FAST_TRACK"> => ({
    type: "CONFIRM_FAST_TRACK",
    actor,
    now: NOW,
    eligibility: { ...ELIGIBLE, ...o },
  }),
  fullPath: (
    reason = "2025 年度自评报告未提交",
    actor: WorkflowActor = A.regulator,
  ): GradingEvent => ({ type: "SEND_FULL_PATH", actor, now: NOW, reason }),
  listed: (o: Partial<GradingEventOf<"CREDIT_LISTED">> = {}): GradingEvent => ({
    type: "CREDIT_LISTED",
    actor: A.system,
    now: NOW,
    recordId: "credit-1",
    name: "某某化工有限公司",
    ...o,
  }),
};

// ---------------------------------------------------------------------------------------------
// Drivers

function apply(snapshot: GradingSnapshot, event: GradingEvent): GradingSnapshot {
  const step = applyGradingEvent(snapshot, event);
  if (!step.ok)
    throw new Error(`${event.type} refused in ${stateKeyOf(snapshot)}: ${step.reasons.join(", ")}`);
  return step.snapshot;
}
function run(snapshot: GradingSnapshot, ...events: GradingEvent[]): GradingSnapshot {
  return events.reduce(apply, snapshot);
}
/** The event is refused: same snapshot object back, and exactly these reasons. */
function expectBlocked(
  snapshot: GradingSnapshot,
  event: GradingEvent,
  reasons: BlockReason[],
): void {
  const [next] = transition(gradingMachine, snapshot, event);
  expect(next).toBe(snapshot);
  expect([...explainBlocked(snapshot, event)].sort()).toEqual([...reasons].sort());
  const step = applyGradingEvent(snapshot, event);
  expect(step.ok).toBe(false);
}
function effectsOf(snapshot: GradingSnapshot): PendingEffect[] {
  return snapshot.context.pendingEffects;
}
function emails(snapshot: GradingSnapshot): Array<{ template: string; to: string }> {
  return effectsOf(snapshot).flatMap((e) =>
    e.type === "email"
      ? [
          {
            template: e.template,
            to: e.to.kind === "users" ? `users:${e.to.userIds.join(",")}` : e.to.kind,
          },
        ]
      : [],
  );
}
function effectTypes(snapshot: GradingSnapshot): string[] {
  return effectsOf(snapshot).map((e) => e.type);
}

const draft = (input: GradingInput = INPUT): GradingSnapshot => startGrading(input);
const submitted = (s = ev.submit()): GradingSnapshot => run(draft(), s);
const accepted = (s = ev.submit()): GradingSnapshot => run(submitted(s), plain("ACCEPT"));
const bodyAssigned = (s = ev.submit()): GradingSnapshot => run(accepted(s), ev.assignBody());
const reviewAssigned = (s = ev.submit()): GradingSnapshot => run(bodyAssigned(s), ev.assign());
const underReview = (s = ev.submit()): GradingSnapshot => run(reviewAssigned(s), ev.startReview());
const inRectification = (): GradingSnapshot => run(underReview(), ev.rectify());
const pendingApproval = (): GradingSnapshot => run(underReview(), ev.report("level3"));
const awaitingConsent = (): GradingSnapshot =>
  run(underReview(ev.submitLevel2()), ev.report("level3", { reason: "部分要素扣分较多" }));
const failedReview = (): GradingSnapshot =>
  run(underReview(), ev.report(null, { reason: "隐患排查治理不达标" }));
const approved = (): GradingSnapshot => run(pendingApproval(), plain("APPROVE"));
const noticeRunning = (): GradingSnapshot => run(approved(), plain("START_NOTICE"));
function noticeEnded(base = noticeRunning()): GradingSnapshot {
  const endsAt = base.context.deadlines.noticeEndsAt;
  if (endsAt === undefined) throw new Error("no noticeEndsAt");
  return run(base, plain("NOTICE_ENDED", A.system, endsAt));
}

// ---------------------------------------------------------------------------------------------

describe("grading machine: start and draft", () => {
  it("starts in draft.editing with the input in context", () => {
    const s = draft();
    expect(s.value).toEqual({ draft: "editing" });
    expect(s.context).toMatchObject({
      machineVersion: GRADING_MACHINE_VERSION,
      applicationId: "app-1",
      enterpriseId: "ent-1",
      appliedLevel: null,
      reviewersRequired: DEFAULT_REVIEWERS_REQUIRED,
      reviewers: [],
      conflictedReviewerIds: [],
      creditListed: null,
      deadlines: {},
      reportedLevel: null,
      consentToLowerLevel: false,
      pendingEffects: [],
      settings: SETTINGS,
    });
    expect(GRADING_MACHINE_VERSION).toBe(1);
    expect(DEFAULT_REVIEWERS_REQUIRED).toBe(2);
    expect(isEditable(s)).toBe(true);
    expect(isEnterpriseLocked(s)).toBe(false);
    expect(handledEvents(s)).toEqual(["SUBMIT", "WITHDRAW"]);
  });
});

describe("SUBMIT", () => {
  it("moves to submitted, stores the facts, sets acceptBy (5 working days) and describes lock + mail", () => {
    const s = submitted();
    expect(s.value).toBe("submitted");
    expect(s.context.appliedLevel).toBe("level3");
    expect(s.context.levels).toEqual(LEVELS);
    expect(s.context.scoreFacts).toEqual({
      selfScore: 72.5,
      appliedLevelMinScore: 60,
      vetoed: false,
      eligibleLevel: "level3",
    });
    expect(s.context.deadlines).toEqual({ acceptBy: endOf("2026-03-09") });
    expect(effectsOf(s)).toEqual([
      { type: "lockEnterprise", enterpriseId: "ent-1" },
      {
        type: "email",
        template: "application-submitted",
        to: { kind: "regulators" },
        applicationId: "app-1",
        data: {
          reason: null,
          appliedLevel: "level3",
          reportedLevel: null,
          deadlines: { acceptBy: endOf("2026-03-09") },
        },
      },
    ]);
    expect(isEditable(s)).toBe(false);
    expect(isEnterpriseLocked(s)).toBe(true);
  });

  it("computes acceptBy over the National Day holiday and its 调休 Saturday", () => {
    const s = run(draft(), ev.submit({ now: cst("2026-09-28") }));
    expect(s.context.deadlines.acceptBy).toBe(endOf("2026-10-10"));
  });

  it("takes the settings and reviewer count in force at submission", () => {
    const settings = { ...SETTINGS, acceptanceDays: 3 };
    const s = run(
      draft(),
      ev.submit({ settings, reviewersRequired: 3, conflictedReviewerIds: ["rev-9"] }),
    );
    expect(s.context.settings).toEqual(settings);
    expect(s.context.reviewersRequired).toBe(3);
    expect(s.context.conflictedReviewerIds).toEqual(["rev-9"]);
    expect(s.context.deadlines.acceptBy).toBe(endOf("2026-03-05"));
  });

  it("accepts a score exactly at the threshold and an eligible level better than applied", () => {
    expect(
      submitted(
        ev.submit({
          score: {
            selfScore: 60,
            appliedLevelMinScore: 60,
            vetoed: false,
            eligibleLevel: "level3",
          },
        }),
      ).value,
    ).toBe("submitted");
    expect(
      submitted(
        ev.submit({
          score: {
            selfScore: 91,
            appliedLevelMinScore: 60,
            vetoed: false,
            eligibleLevel: "level1",
          },
        }),
      ).value,
    ).toBe("submitted");
  });

  it("is refused with a reason code for every failed rule", () => {
    const d = draft();
    expectBlocked(d, ev.submit({ actor: A.member }), ["not-permitted"]);
    expectBlocked(d, ev.submit({ actor: A.regulator }), ["not-permitted"]);
    expectBlocked(
      d,
      ev.submit({
        score: { selfScore: 59.9, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: null },
      }),
      ["score-below-threshold"],
    );
    expectBlocked(
      d,
      ev.submit({
        score: { selfScore: null, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: null },
      }),
      ["score-below-threshold"],
    );
    expectBlocked(
      d,
      ev.submit({
        score: { selfScore: 85, appliedLevelMinScore: 60, vetoed: true, eligibleLevel: null },
      }),
      ["veto"],
    );
    // Score and veto fine, but a performance condition capped the level below the applied one.
    expectBlocked(
      d,
      ev.submit({
        score: { selfScore: 85, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: null },
      }),
      ["level-not-reached"],
    );
    expectBlocked(
      d,
      ev.submitLevel2({
        score: { selfScore: 80, appliedLevelMinScore: 75, vetoed: false, eligibleLevel: "level3" },
      }),
      ["level-not-reached"],
    );
    expectBlocked(d, ev.submit({ requiredEvidenceMissing: ["1.1.1"] }), ["evidence-missing"]);
    expectBlocked(d, ev.submit({ unansweredItemIds: ["1.1.2", "3.1.1"] }), [
      "assessment-incomplete",
    ]);
    expectBlocked(d, ev.submit({ creditListed: { recordId: "c1", name: "某公司" } }), [
      "credit-listed",
    ]);
    expectBlocked(d, ev.submit({ appliedLevel: "level9" }), ["unknown-level"]);
    expectBlocked(d, ev.submit({ now: "yesterday" }), ["invalid-time"]);
    expectBlocked(d, ev.submit({ settings: { ...SETTINGS, reviewDays: 0 } }), ["invalid-settings"]);
    expectBlocked(d, ev.submit({ reviewersRequired: 0 }), ["invalid-settings"]);
    expectBlocked(d, ev.submit({ calendar: { holidays: ["2026-02-30"] } }), ["invalid-calendar"]);
    expectBlocked(
      d,
      ev.submit({
        actor: A.member,
        score: { selfScore: 10, appliedLevelMinScore: 60, vetoed: true, eligibleLevel: null },
        requiredEvidenceMissing: ["1.1.1"],
        creditListed: { recordId: "c1", name: "x" },
      }),
      ["not-permitted", "score-below-threshold", "veto", "evidence-missing", "credit-listed"],
    );
  });

  it("is invalid in every state but draft", () => {
    expectBlocked(submitted(), ev.submit(), ["invalid-in-state"]);
    expectBlocked(underReview(), ev.submit(), ["invalid-in-state"]);
  });
});

describe("WITHDRAW", () => {
  it("from draft ends the application without effects", () => {
    const s = run(draft(), plain("WITHDRAW"));
    expect(s.value).toBe("withdrawn");
    expect(s.status).toBe("done");
    expect(effectsOf(s)).toEqual([]);
  });

  it("from submitted unlocks the enterprise and tells the regulator", () => {
    const s = run(submitted(), plain("WITHDRAW"));
    expect(s.value).toBe("withdrawn");
    expect(effectTypes(s)).toEqual(["unlockEnterprise", "email"]);
    expect(emails(s)).toEqual([{ template: "application-withdrawn", to: "regulators" }]);
    expect(s.context.deadlines).toEqual({});
  });

  it("is the enterprise admin's, and only before acceptance", () => {
    expectBlocked(submitted(), plain("WITHDRAW", A.regulator), ["not-permitted"]);
    expectBlocked(submitted(), plain("WITHDRAW", A.member), ["not-permitted"]);
    expectBlocked(accepted(), plain("WITHDRAW"), ["invalid-in-state"]);
    expectBlocked(underReview(), plain("WITHDRAW"), ["invalid-in-state"]);
  });
});

describe("ACCEPT", () => {
  it("moves to accepted, ends the acceptance deadline and mails the enterprise", () => {
    const s = accepted();
    expect(s.value).toBe("accepted");
    expect(s.context.deadlines).toEqual({});
    expect(emails(s)).toEqual([{ template: "application-accepted", to: "enterprise" }]);
    expect(isEnterpriseLocked(s)).toBe(true);
  });

  it("is the regulator's, in submitted only", () => {
    expectBlocked(submitted(), plain("ACCEPT", A.admin), ["not-permitted"]);
    expectBlocked(submitted(), plain("ACCEPT", A.tenantAdmin), ["not-permitted"]);
    expectBlocked(draft(), plain("ACCEPT"), ["invalid-in-state"]);
    expectBlocked(accepted(), plain("ACCEPT"), ["invalid-in-state"]);
  });
});

describe("RETURN and resubmission", () => {
  it("goes back to an editable draft, unlocks and mails the reason", () => {
    const s = run(submitted(), ev.ret("  缺少营业执照  "));
    expect(s.value).toEqual({ draft: "returned" });
    expect(isEditable(s)).toBe(true);
    expect(isEnterpriseLocked(s)).toBe(false);
    expect(effectTypes(s)).toEqual(["unlockEnterprise", "email"]);
    const mail = effectsOf(s)[1];
    expect(mail).toMatchObject({
      type: "email",
      template: "application-returned",
      to: { kind: "enterprise", enterpriseId: "ent-1" },
    });
    expect(mail?.type === "email" ? mail.data.reason : undefined).toBe("缺少营业执照");
    expect(s.context.deadlines).toEqual({});
  });

  it("keeps the same application through return → resubmit loops", () => {
    let s = submitted();
    for (let round = 0; round < 3; round += 1) {
      s = run(s, ev.ret());
      expect(s.context.applicationId).toBe("app-1");
      expect(s.context.enterpriseId).toBe("ent-1");
      expect(s.context.appliedLevel).toBe("level3"); // still known while the enterprise edits
      s = run(s, ev.submit({ now: cst("2026-03-04") }));
      expect(s.value).toBe("submitted");
      expect(s.context.deadlines.acceptBy).toBe(endOf("2026-03-11"));
      expect(effectTypes(s)).toEqual(["lockEnterprise", "email"]);
    }
    // …and can be accepted and carried on as usual.
    expect(run(s, plain("ACCEPT")).value).toBe("accepted");
  });

  it("needs a non-empty reason from the regulator", () => {
    expectBlocked(submitted(), ev.ret(""), ["reason-required"]);
    expectBlocked(submitted(), ev.ret(" \n\t "), ["reason-required"]);
    expectBlocked(submitted(), ev.ret("理由", A.admin), ["not-permitted"]);
    expectBlocked(submitted(), ev.ret("", A.v1), ["not-permitted", "reason-required"]);
    expectBlocked(accepted(), ev.ret(), ["invalid-in-state"]);
  });
});

describe("REJECT", () => {
  it.each([
    ["submitted", submitted],
    ["reviewReported.pendingApproval", pendingApproval],
    ["reviewReported.pendingApproval (failed review)", failedReview],
    ["reviewReported.awaitingConsent", awaitingConsent],
    ["approved", approved],
  ])("ends the application from %s, unlocking and mailing the reason", (_name, make) => {
    const s = run(make(), ev.reject("  现场评审不达标 "));
    expect(s.value).toBe("rejected");
    expect(s.status).toBe("done");
    expect(effectTypes(s)).toEqual(["unlockEnterprise", "email"]);
    const mail = effectsOf(s)[1];
    expect(mail?.type === "email" ? [mail.template, mail.data.reason] : null).toEqual([
      "application-rejected",
      "现场评审不达标",
    ]);
  });

  it("needs the regulator and a reason, and is not possible during review or notice", () => {
    expectBlocked(pendingApproval(), ev.reject(""), ["reason-required"]);
    expectBlocked(pendingApproval(), ev.reject("x", A.v1), ["not-permitted"]);
    expectBlocked(accepted(), ev.reject(), ["invalid-in-state"]);
    expectBlocked(underReview(), ev.reject(), ["invalid-in-state"]);
    expectBlocked(noticeRunning(), ev.reject(), ["invalid-in-state"]);
  });
});

describe("ASSIGN_REVIEW_BODY", () => {
  it("assigns the accepted application to a review body and mails its admins", () => {
    const s = bodyAssigned();
    expect(s.value).toBe("reviewBodyAssigned");
    expect(s.context.reviewBodyId).toBe("body-1");
    expect(s.context.reviewers).toEqual([]);
    expect(emails(s)).toEqual([{ template: "review-body-assigned", to: "reviewBodyAdmins" }]);
    expect(isEnterpriseLocked(s)).toBe(true);
  });

  it("is the regulator's, for an active body of the tenant", () => {
    expectBlocked(accepted(), ev.assignBody("body-1", { actor: A.bodyAdmin }), ["not-permitted"]);
    expectBlocked(accepted(), ev.assignBody("body-1", { reviewBodyActive: false }), [
      "review-body-not-eligible",
    ]);
    expectBlocked(accepted(), ev.assignBody(""), ["review-body-not-eligible"]);
    expectBlocked(submitted(), ev.assignBody(), ["invalid-in-state"]);
    expectBlocked(underReview(), ev.assignBody("body-2"), ["invalid-in-state"]);
  });

  it("another body dissolves the panel and tells only its members", () => {
    const s = run(reviewAssigned(), ev.assignBody("body-2"));
    expect(s.value).toBe("reviewBodyAssigned");
    expect(s.context).toMatchObject({ reviewBodyId: "body-2", reviewers: [], leadReviewerId: null });
    expect(emails(s)).toEqual([
      { template: "panel-member-removed", to: "users:rev-1,rev-2" },
      { template: "review-body-assigned", to: "reviewBodyAdmins" },
    ]);
    // The same body again would dissolve its own panel silently: refused.
    expectBlocked(reviewAssigned(), ev.assignBody("body-1"), ["review-body-unchanged"]);
    expect(run(bodyAssigned(), ev.assignBody("body-1")).value).toBe("reviewBodyAssigned");
  });
});

describe("ASSIGN_REVIEWERS", () => {
  it("forms the panel with its lead and mails the members", () => {
    const s = reviewAssigned();
    expect(s.value).toBe("reviewAssigned");
    expect(s.context.reviewers).toEqual(["rev-1", "rev-2"]);
    expect(s.context.leadReviewerId).toBe("rev-1");
    expect(s.context.reviewBodyId).toBe("body-1");
    expect(emails(s)).toEqual([{ template: "reviewers-assigned", to: "users:rev-1,rev-2" }]);
  });

  it("re-forming the panel mails only those whose assignment or role changed", () => {
    const s = run(reviewAssigned(), ev.assign(["rev-1", "rev-3"]));
    expect(s.value).toBe("reviewAssigned");
    expect(s.context.reviewers).toEqual(["rev-1", "rev-3"]);
    expect(emails(s)).toEqual([
      { template: "reviewers-assigned", to: "users:rev-3" },
      { template: "panel-member-removed", to: "users:rev-2" },
    ]);
    // Same members, new lead: the two whose role changed hear of it, nobody else.
    const swapped = run(
      reviewAssigned(),
      ev.assign(["rev-1", "rev-2", "rev-3"]),
      ev.assign(["rev-1", "rev-2", "rev-3"], { leadReviewerId: "rev-2" }),
    );
    expect(emails(swapped)).toEqual([{ template: "reviewers-assigned", to: "users:rev-1,rev-2" }]);
    // Nothing changed: no mail at all.
    expect(emails(run(reviewAssigned(), ev.assign()))).toEqual([]);
  });

  it("refuses each rule with its own reason", () => {
    const b = bodyAssigned();
    expectBlocked(b, ev.assign(["rev-1"]), ["not-enough-reviewers"]);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { minPanelSize: 3 }), ["not-enough-reviewers"]);
    expect(run(b, ev.assign(["rev-1"], { minPanelSize: 1 })).context.reviewersRequired).toBe(1);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { leadReviewerId: "rev-9" }), ["lead-not-member"]);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { leadReviewerId: "" }), ["lead-not-member"]);
    expectBlocked(b, ev.assign(["rev-1", "emp-9"], { eligibleReviewerIds: ["rev-1"] }), [
      "reviewer-not-eligible",
    ]);
    expectBlocked(
      b,
      ev.assign(["rev-1", "rev-2"], { eligibleReviewerIds: ["rev-1"], inactiveReviewerIds: ["rev-2"] }),
      ["reviewer-inactive"],
    );
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { enterpriseMemberIds: ["rev-2"] }), [
      "reviewer-employee",
    ]);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { declaredConflictIds: ["rev-1"] }), [
      "reviewer-conflict",
    ]);
    const rotation = { panelRotation: true, previousLeadReviewerId: "rev-1" };
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], rotation), ["lead-rotation"]);
    expect(run(b, ev.assign(["rev-2", "rev-1"], rotation)).context.leadReviewerId).toBe("rev-2");
    expect(run(b, ev.assign(["rev-1", "rev-2"], { ...rotation, panelRotation: false })).value).toBe(
      "reviewAssigned",
    );
    expectBlocked(b, ev.assign([]), ["invalid-reviewers", "lead-not-member"]);
    expectBlocked(b, ev.assign(["rev-1", "rev-1"]), ["invalid-reviewers"]);
    expectBlocked(b, ev.assign(["rev-1", " "]), ["invalid-reviewers"]);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { actor: A.regulator }), ["not-permitted"]);
    expectBlocked(b, ev.assign(["rev-1", "rev-2"], { actor: A.v1 }), ["not-permitted"]);
    expectBlocked(accepted(), ev.assign(), ["invalid-in-state"]);
    expectBlocked(submitted(), ev.assign(), ["invalid-in-state"]);
    expectBlocked(underReview(), ev.assign(), ["invalid-in-state"]);
  });
});

describe("START_REVIEW", () => {
  it("is started by an assigned reviewer and sets reviewBy (40 working days)", () => {
    const s = underReview();
    expect(s.value).toEqual({ underReview: "reviewing" });
    // 40 working days after Monday 2026-03-02, skipping Qingming (04-06).
    expect(s.context.deadlines).toEqual({ reviewBy: endOf("2026-04-28") });
    expect(emails(s)).toEqual([{ template: "review-started", to: "enterprise" }]);
    expect(isEnterpriseLocked(s)).toBe(true);
    expect(run(reviewAssigned(), ev.startReview({ actor: A.v2 })).value).toEqual({
      underReview: "reviewing",
    });
  });

  it("needs the configured number of non-conflicted reviewers", () => {
    // A panel smaller than required is refused when it is formed.
    expectBlocked(bodyAssigned(), ev.assign(["rev-1"]), ["not-enough-reviewers"]);
    const oneRequired = run(bodyAssigned(), ev.assign(["rev-1"], { minPanelSize: 1 }));
    expect(run(oneRequired, ev.startReview()).value).toEqual({ underReview: "reviewing" });
    const three = bodyAssigned();
    expectBlocked(three, ev.assign(undefined, { minPanelSize: 3 }), ["not-enough-reviewers"]);
    expect(
      run(three, ev.assign(["rev-1", "rev-2", "rev-3"], { minPanelSize: 3 }), ev.startReview()).value,
    ).toEqual({ underReview: "reviewing" });
    // A member who became conflicted after the assignment leaves the panel short at the start.
    expectBlocked(reviewAssigned(), ev.startReview({ conflictedReviewerIds: ["rev-2"] }), [
      "reviewer-conflict",
      "not-enough-reviewers",
    ]);
  });

  it("re-checks conflicts of interest with the server's current list", () => {
    const s = reviewAssigned();
    expectBlocked(s, ev.startReview({ conflictedReviewerIds: ["rev-2"] }), [
      "reviewer-conflict",
      "not-enough-reviewers",
    ]);
    expectBlocked(s, ev.startReview({ conflictedReviewerIds: ["rev-1"] }), [
      "reviewer-conflict",
      "not-enough-reviewers",
    ]);
  });

  it("is refused to unassigned reviewers and other roles", () => {
    expectBlocked(reviewAssigned(), ev.startReview({ actor: A.outsider }), ["not-assigned"]);
    expectBlocked(reviewAssigned(), ev.startReview({ actor: { id: null, role: "reviewer" } }), [
      "not-assigned",
    ]);
    expectBlocked(reviewAssigned(), ev.startReview({ actor: A.regulator }), ["not-permitted"]);
    expectBlocked(accepted(), ev.startReview(), ["invalid-in-state"]);
  });
});

describe("rectification", () => {
  it("REQUEST_RECTIFICATION sets rectifyBy and mails the enterprise", () => {
    const s = run(underReview(), ev.rectify({ now: cst("2026-03-03") }));
    expect(s.value).toEqual({ underReview: "rectification" });
    expect(s.context.deadlines).toEqual({
      reviewBy: endOf("2026-04-28"),
      rectifyBy: endOf("2026-03-17"),
    });
    expect(s.context.rectificationStartedAt).toBe(cst("2026-03-03"));
    expect(emails(s)).toEqual([{ template: "rectification-requested", to: "enterprise" }]);
    expect(effectsOf(s)[0]).toMatchObject({ data: { reason: "应急预案未演练" } });
  });

  it("SUBMIT_RECTIFICATION returns to reviewing and pushes reviewBy back by the working days spent", () => {
    const s = run(
      underReview(),
      ev.rectify({ now: cst("2026-03-03") }),
      plain("SUBMIT_RECTIFICATION", A.admin, cst("2026-03-10")),
    );
    expect(s.value).toEqual({ underReview: "reviewing" });
    // 03-04..03-10 = 5 working days; 5 working days after 04-28 skip Labour Day (05-01..05-05).
    expect(s.context.deadlines).toEqual({ reviewBy: endOf("2026-05-08") });
    expect(s.context.rectificationWorkingDays).toBe(5);
    expect(s.context.rectificationStartedAt).toBeNull();
    expect(emails(s)).toEqual([{ template: "rectification-submitted", to: "users:rev-1,rev-2" }]);
    // A second round adds up.
    const again = run(
      s,
      ev.rectify({ now: cst("2026-03-16") }),
      plain("SUBMIT_RECTIFICATION", A.admin, cst("2026-03-18")),
    );
    expect(again.context.rectificationWorkingDays).toBe(7);
    // Two more working days after 05-08 (Fri): Saturday 05-09 is a 调休 workday, then Monday.
    expect(again.context.deadlines.reviewBy).toBe(endOf("2026-05-11"));
  });

  it("a same-day rectification does not move reviewBy", () => {
    const s = run(
      underReview(),
      ev.rectify(),
      plain("SUBMIT_RECTIFICATION", A.admin, cst("2026-03-02", "17:00")),
    );
    expect(s.context.deadlines.reviewBy).toBe(endOf("2026-04-28"));
  });

  it("guards: assigned reviewer, reason, a sane number of days; the enterprise submits", () => {
    const s = underReview();
    expectBlocked(s, ev.rectify({ reason: "  " }), ["reason-required"]);
    expectBlocked(s, ev.rectify({ days: 0 }), ["invalid-days"]);
    expectBlocked(s, ev.rectify({ days: 2.5 }), ["invalid-days"]);
    expectBlocked(s, ev.rectify({ days: 251 }), ["invalid-days"]);
    expectBlocked(s, ev.rectify({ actor: A.outsider }), ["not-assigned"]);
    expectBlocked(s, ev.rectify({ actor: A.admin }), ["not-permitted"]);
    expectBlocked(s, plain("SUBMIT_RECTIFICATION"), ["invalid-in-state"]);
    expectBlocked(inRectification(), plain("SUBMIT_RECTIFICATION", A.v1), ["not-permitted"]);
    expectBlocked(inRectification(), plain("SUBMIT_RECTIFICATION", A.member), ["not-permitted"]);
    expectBlocked(inRectification(), ev.rectify(), ["invalid-in-state"]);
    const conflicted = run(bodyAssigned(), ev.assign(["rev-1", "rev-2"], { minPanelSize: 1 }));
    const started = run(conflicted, ev.startReview({ conflictedReviewerIds: [] }));
    expect(run(started, ev.rectify()).value).toEqual({ underReview: "rectification" });
  });
});

describe("rectification per item (machine guards on the server's facts)", () => {
  it("asks for deducted items not asked for yet, or again for re-opened ones", () => {
    const s = underReview();
    expectBlocked(s, ev.rectify({ itemIds: [] }), ["rectification-items-required"]);
    expectBlocked(s, ev.rectify({ itemIds: ["9.9.9"] }), ["rectification-item-invalid"]);
    expectBlocked(s, ev.rectify({ itemIds: ["1.1.1", "1.1.1"] }), ["rectification-item-invalid"]);
    expectBlocked(s, ev.rectify({ requestedItemIds: ["1.1.1"] }), ["rectification-item-invalid"]);
    expect(run(s, ev.rectify({ itemIds: ["1.1.1", "2.1.1"] })).value).toEqual({
      underReview: "rectification",
    });
    expect(run(s, ev.rectify({ itemIds: [], reopenedItemIds: ["1.1.1"] })).value).toEqual({
      underReview: "rectification",
    });
  });

  it("SUBMIT_RECTIFICATION only when every item is answered", () => {
    const s = inRectification();
    expectBlocked(
      s,
      ev.submitRect(["1.1.1"]),
      ["rectification-unanswered"],
    );
    expect(
      run(s, ev.submitRect([])).value,
    ).toEqual({ underReview: "reviewing" });
  });

  it("REPORT_REVIEW only when every item is accepted or left open with a reason", () => {
    const s = run(inRectification(), plain("SUBMIT_RECTIFICATION"));
    expectBlocked(s, ev.report("level3", { unresolvedRectificationIds: ["1.1.1"] }), [
      "rectification-unresolved",
    ]);
    expect(stateKeyOf(run(s, ev.report("level3", { unresolvedRectificationIds: [] })))).toBe(
      "reviewReported.pendingApproval",
    );
  });
});

describe("organizing unit (settings.organizerEnabled)", () => {
  const orgSubmitted = (): GradingSnapshot =>
    run(draft(), ev.submit({ settings: ORGANIZER_SETTINGS }));
  const orgUnderReview = (submit = ev.submit({ settings: ORGANIZER_SETTINGS })): GradingSnapshot =>
    run(
      draft(),
      submit,
      plain("ACCEPT", A.organizer),
      ev.assignBody("body-1", { actor: A.organizer }),
      ev.assign(),
      ev.startReview(),
    );
  const orgChecking = (): GradingSnapshot => run(orgUnderReview(), ev.report("level3"));

  it("on: the organizer accepts or returns, and is told of new applications; the regulator may not", () => {
    const s = orgSubmitted();
    expect(emails(s)).toEqual([{ template: "application-submitted", to: "organizers" }]);
    expectBlocked(s, plain("ACCEPT"), ["organizer-decides"]);
    expectBlocked(s, ev.ret("资料不全"), ["organizer-decides"]);
    expect(stateKeyOf(run(s, plain("ACCEPT", A.organizer)))).toBe("accepted");
    expect(stateKeyOf(run(s, ev.ret("资料不全", A.organizer)))).toBe("draft.returned");
    expectBlocked(s, ev.ret("", A.organizer), ["reason-required"]);
    // The authority keeps its own decisions.
    expect(stateKeyOf(run(s, ev.reject()))).toBe("rejected");
    expectBlocked(s, ev.reject("不予受理", A.organizer), ["not-permitted"]);
  });

  it("off: today's flow, the organizer role cannot act", () => {
    const s = submitted();
    expect(emails(s)).toEqual([{ template: "application-submitted", to: "regulators" }]);
    expectBlocked(s, plain("ACCEPT", A.organizer), ["no-organizer"]);
    expectBlocked(s, ev.ret("资料不全", A.organizer), ["no-organizer"]);
    // The report goes straight to the authority.
    expect(stateKeyOf(pendingApproval())).toBe("reviewReported.pendingApproval");
    expect(handledEvents(pendingApproval())).not.toContain("ORGANIZER_APPROVE_REPORT");
  });

  it("on: the report goes to the organizer's check first; the authority cannot approve before it", () => {
    const s = orgChecking();
    expect(stateKeyOf(s)).toBe("reviewReported.organizerCheck");
    expect(emails(s)).toEqual([{ template: "review-reported", to: "organizers" }]);
    expectBlocked(s, plain("APPROVE"), ["invalid-in-state"]);
    expectBlocked(s, plain("ORGANIZER_APPROVE_REPORT", A.regulator), ["not-permitted"]);
    const passed = run(s, plain("ORGANIZER_APPROVE_REPORT"));
    expect(stateKeyOf(passed)).toBe("reviewReported.pendingApproval");
    expect(emails(passed)).toEqual([{ template: "report-checked", to: "regulators" }]);
    const done = run(noticeEnded(run(passed, plain("APPROVE"), plain("START_NOTICE"))), plain("CERTIFY"));
    expect(done.value).toBe("certified");
  });

  it("on: a lower recommended level asks the enterprise's consent after the organizer's check", () => {
    const s = run(
      orgUnderReview(ev.submitLevel2({ settings: ORGANIZER_SETTINGS })),
      ev.report("level3", { reason: "部分要素扣分较多" }),
    );
    expect(stateKeyOf(s)).toBe("reviewReported.organizerCheck");
    const passed = run(s, plain("ORGANIZER_APPROVE_REPORT"));
    expect(stateKeyOf(passed)).toBe("reviewReported.awaitingConsent");
    expect(emails(passed)).toEqual([
      { template: "report-checked", to: "regulators" },
      { template: "lower-level-consent-requested", to: "enterprise" },
    ]);
  });

  it("on: the organizer returns the report to the panel with a reason", () => {
    const s = orgChecking();
    expectBlocked(s, ev.returnReport(""), ["reason-required"]);
    const back = run(s, ev.returnReport());
    expect(stateKeyOf(back)).toBe("underReview.reviewing");
    expect(back.context.reportedLevel).toBeNull();
    expect(back.context.deadlines.reviewBy).toBe(endOf("2026-04-28"));
    expect(emails(back)).toEqual([{ template: "report-returned", to: "users:rev-1,rev-2" }]);
    expect(effectsOf(back)[0]).toMatchObject({ data: { reason: "扣分依据不充分" } });
    expect(stateKeyOf(run(back, ev.report("level3")))).toBe("reviewReported.organizerCheck");
  });

  it("the setting in force at submission decides; a stored pre-Step-10 snapshot runs as off", () => {
    const s = run(draft({ ...INPUT, settings: ORGANIZER_SETTINGS }), ev.submit({ settings: SETTINGS }));
    expectBlocked(s, plain("ACCEPT", A.organizer), ["no-organizer"]);
    const { organizerEnabled: _drop, ...old } = orgSubmitted().context.settings;
    const restored = restoreSnapshot({
      ...persistSnapshot(orgSubmitted()),
      context: { ...orgSubmitted().context, settings: old },
    });
    expect(stateKeyOf(run(restored, plain("ACCEPT")))).toBe("accepted");
  });
});

describe("REPORT_REVIEW", () => {
  it("at the applied level goes to pendingApproval and mails the regulator", () => {
    const s = pendingApproval();
    expect(s.value).toEqual({ reviewReported: "pendingApproval" });
    expect(s.context.reportedLevel).toBe("level3");
    expect(s.context.deadlines).toEqual({});
    expect(emails(s)).toEqual([{ template: "review-reported", to: "regulators" }]);
    expect(isEnterpriseLocked(s)).toBe(true);
  });

  it("at a lower level asks the applicant's consent", () => {
    const s = awaitingConsent();
    expect(s.value).toEqual({ reviewReported: "awaitingConsent" });
    expect(s.context.reportedLevel).toBe("level3");
    expect(s.context.appliedLevel).toBe("level2");
    expect(emails(s)).toEqual([
      { template: "review-reported", to: "regulators" },
      { template: "lower-level-consent-requested", to: "enterprise" },
    ]);
  });

  it("a failed review (no level) goes to the authority, which can only reject", () => {
    const s = failedReview();
    expect(s.value).toEqual({ reviewReported: "pendingApproval" });
    expect(s.context.reportedLevel).toBeNull();
    expectBlocked(s, plain("APPROVE"), ["review-failed"]);
  });

  it("needs a reason for a fail or a lower level, a known level not above the applied one", () => {
    const s = underReview();
    expectBlocked(s, ev.report(null), ["reason-required"]);
    expectBlocked(underReview(ev.submitLevel2()), ev.report("level3"), ["reason-required"]);
    expectBlocked(s, ev.report("level2", { reason: "很好" }), ["level-above-applied"]);
    expectBlocked(s, ev.report("level7", { reason: "x" }), ["unknown-level"]);
    expectBlocked(s, ev.report("level3", { actor: A.outsider }), ["not-assigned"]);
    expectBlocked(s, ev.report("level3", { actor: A.regulator }), ["not-permitted"]);
    expectBlocked(reviewAssigned(), ev.report("level3"), ["invalid-in-state"]);
  });

  it("is possible during rectification only after rectifyBy has passed", () => {
    const s = run(underReview(), ev.rectify({ now: cst("2026-03-03"), days: 2 }));
    expect(s.context.deadlines.rectifyBy).toBe(endOf("2026-03-05"));
    expectBlocked(s, ev.report(null, { reason: "未按期整改", now: endOf("2026-03-05") }), [
      "rectification-pending",
    ]);
    const late = run(s, ev.report(null, { reason: "未按期整改", now: cst("2026-03-06", "00:00") }));
    expect(late.value).toEqual({ reviewReported: "pendingApproval" });
    expect(late.context.rectificationStartedAt).toBeNull();
    expect(late.context.deadlines).toEqual({});
  });
});

describe("lower-level consent", () => {
  it("CONSENT_LOWER_LEVEL → pendingApproval; the path ends in certifiedLowerLevel with a lower-level certificate", () => {
    const consented = run(awaitingConsent(), plain("CONSENT_LOWER_LEVEL"));
    expect(consented.value).toEqual({ reviewReported: "pendingApproval" });
    expect(consented.context.consentToLowerLevel).toBe(true);
    expect(emails(consented)).toEqual([{ template: "lower-level-consented", to: "regulators" }]);
    const noticed = run(consented, plain("APPROVE"), plain("START_NOTICE"));
    const done = run(noticeEnded(noticed), plain("CERTIFY"));
    expect(done.value).toBe("certifiedLowerLevel");
    expect(done.status).toBe("done");
    expect(effectsOf(done)).toContainEqual({
      type: "certificate",
      applicationId: "app-1",
      enterpriseId: "ent-1",
      level: "level3",
      issuedAt: NOW,
    });
  });

  it("DECLINE_LOWER_LEVEL withdraws the application and unlocks the enterprise", () => {
    const s = run(awaitingConsent(), plain("DECLINE_LOWER_LEVEL"));
    expect(s.value).toBe("withdrawn");
    expect(effectTypes(s)).toEqual(["unlockEnterprise", "email"]);
    expect(emails(s)).toEqual([{ template: "lower-level-declined", to: "regulators" }]);
  });

  it("only the enterprise admin decides, and only when asked; no approval without consent", () => {
    expectBlocked(awaitingConsent(), plain("CONSENT_LOWER_LEVEL", A.regulator), ["not-permitted"]);
    expectBlocked(awaitingConsent(), plain("CONSENT_LOWER_LEVEL", A.member), ["not-permitted"]);
    expectBlocked(awaitingConsent(), plain("DECLINE_LOWER_LEVEL", A.v1), ["not-permitted"]);
    expectBlocked(awaitingConsent(), plain("APPROVE"), ["invalid-in-state"]);
    expectBlocked(pendingApproval(), plain("CONSENT_LOWER_LEVEL"), ["invalid-in-state"]);
    expectBlocked(pendingApproval(), plain("DECLINE_LOWER_LEVEL"), ["invalid-in-state"]);
  });
});

describe("APPROVE and START_NOTICE", () => {
  it("APPROVE moves to approved and mails the enterprise", () => {
    const s = approved();
    expect(s.value).toBe("approved");
    expect(emails(s)).toEqual([{ template: "application-approved", to: "enterprise" }]);
    expectBlocked(pendingApproval(), plain("APPROVE", A.v1), ["not-permitted"]);
    expectBlocked(underReview(), plain("APPROVE"), ["invalid-in-state"]);
  });

  it("START_NOTICE opens the public notice with noticeEndsAt (5 working days)", () => {
    const s = run(approved(), plain("START_NOTICE", A.regulator, cst("2026-09-28")));
    expect(s.value).toEqual({ publicNotice: "running" });
    expect(s.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-10-10") });
    expect(emails(s)).toEqual([{ template: "public-notice-started", to: "enterprise" }]);
    expectBlocked(approved(), plain("START_NOTICE", A.admin), ["not-permitted"]);
    expectBlocked(pendingApproval(), plain("START_NOTICE"), ["invalid-in-state"]);
  });
});

describe("NOTICE_ENDED", () => {
  it("is refused before noticeEndsAt and accepted from it on (system only)", () => {
    const s = noticeRunning();
    const endsAt = s.context.deadlines.noticeEndsAt ?? "";
    expect(endsAt).toBe(endOf("2026-03-09"));
    const justBefore = new Date(Date.parse(endsAt) - 1).toISOString();
    expectBlocked(s, plain("NOTICE_ENDED", A.system, justBefore), ["notice-not-ended"]);
    expectBlocked(s, plain("NOTICE_ENDED", A.regulator, endsAt), ["not-permitted"]);
    const ended = noticeEnded(s);
    expect(ended.value).toEqual({ publicNotice: "ended" });
    expect(ended.context.deadlines).toEqual({});
    expect(emails(ended)).toEqual([{ template: "public-notice-ended", to: "regulators" }]);
    const later = run(s, plain("NOTICE_ENDED", A.system, "2026-12-01T00:00:00.000Z"));
    expect(later.value).toEqual({ publicNotice: "ended" });
    expectBlocked(ended, plain("NOTICE_ENDED", A.system, "2026-12-01T00:00:00.000Z"), [
      "invalid-in-state",
    ]);
  });
});

describe("OBJECTION", () => {
  it("pauses the notice for verification, from anyone; the report stands meanwhile", () => {
    const s = run(noticeRunning(), ev.objection("  事故未上报  ", A.public, cst("2026-03-04")));
    expect(s.value).toEqual({ publicNotice: "verifyingObjection" });
    expect(s.context.reportedLevel).toBe("level3");
    expect(s.context.deadlines).toEqual({});
    // Notice started Mon 03-02: Tue 03-03 ran; the objection day (Wed) does not count.
    expect(s.context.noticeDaysElapsed).toBe(1);
    expect(emails(s)).toEqual([
      { template: "objection-received", to: "regulators" },
      { template: "objection-received", to: "enterprise" },
    ]);
    expect(effectsOf(s)[0]).toMatchObject({ data: { reason: "事故未上报" } });
    expect(isEnterpriseLocked(s)).toBe(true);
    for (const actor of [A.admin, A.member, A.v3, A.regulator, A.tenantAdmin]) {
      expect(run(noticeRunning(), ev.objection("理由", actor)).value).toEqual({
        publicNotice: "verifyingObjection",
      });
    }
  });

  it("a further objection during verification is recorded and mailed to the regulator", () => {
    const first = run(noticeRunning(), ev.objection());
    const second = run(first, ev.objection("另一异议", A.public, cst("2026-03-05")));
    expect(second.value).toEqual({ publicNotice: "verifyingObjection" });
    expect(second.context.noticeDaysElapsed).toBe(first.context.noticeDaysElapsed);
    expect(emails(second)).toEqual([{ template: "objection-received", to: "regulators" }]);
  });

  it("upheld: back to review, the report cleared, reviewBy restarted, reviewers and enterprise told", () => {
    const s = run(noticeRunning(), ev.objection(), ev.uphold("经核实属实", A.regulator, cst("2026-03-04")));
    expect(s.value).toEqual({ underReview: "reviewing" });
    expect(s.context.reportedLevel).toBeNull();
    expect(s.context.consentToLowerLevel).toBe(false);
    expect(s.context.noticeDaysElapsed).toBe(0);
    expect(s.context.deadlines).toEqual({ reviewBy: endOf("2026-04-30") });
    expect(emails(s)).toEqual([
      { template: "objection-upheld", to: "enterprise" },
      { template: "objection-upheld", to: "users:rev-1,rev-2" },
    ]);
    expect(effectsOf(s)[0]).toMatchObject({ data: { reason: "经核实属实" } });
  });

  it("dismissed: the notice continues with the working days already run (pause not counted)", () => {
    // 5-day notice from Mon 03-02; objection Thu 03-05 (Tue, Wed ran = 2); dismissed Tue 03-10.
    const s = run(
      noticeRunning(),
      ev.objection("理由", A.public, cst("2026-03-05")),
      ev.dismiss({ now: cst("2026-03-10") }),
    );
    expect(s.value).toEqual({ publicNotice: "running" });
    expect(s.context.noticeDaysElapsed).toBe(2);
    // 3 working days left after Tue 03-10: Wed, Thu, Fri.
    expect(s.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-13") });
    expect(emails(s)).toEqual([{ template: "objection-dismissed", to: "enterprise" }]);
    // A second objection adds the days run since the dismissal: Wed 03-11 ran → 3.
    const again = run(s, ev.objection("再次异议", A.public, cst("2026-03-12")));
    expect(again.context.noticeDaysElapsed).toBe(3);
    const resumed = run(again, ev.dismiss({ now: cst("2026-03-12", "16:00") }));
    expect(resumed.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-16") });
    expect(stateKeyOf(noticeEnded(resumed))).toBe("publicNotice.ended");
  });

  it("dismissed with a restart: the whole notice period runs again", () => {
    const s = run(
      noticeRunning(),
      ev.objection("理由", A.public, cst("2026-03-05")),
      ev.dismiss({ now: cst("2026-03-10"), restartNotice: true }),
    );
    expect(s.context.noticeDaysElapsed).toBe(0);
    expect(s.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-17") });
  });

  it("an objection on or after the last day leaves at least one working day after a dismissal", () => {
    const lastDay = run(
      noticeRunning(),
      ev.objection("理由", A.public, cst("2026-03-09")),
      ev.dismiss({ now: cst("2026-03-10") }),
    );
    expect(lastDay.context.noticeDaysElapsed).toBe(4);
    expect(lastDay.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-11") });
    // Raised after noticeEndsAt but before the scheduler ended the notice: all 5 days had run.
    const late = run(
      noticeRunning(),
      ev.objection("理由", A.public, cst("2026-03-10", "08:00")),
      ev.dismiss({ now: cst("2026-03-10", "16:00") }),
    );
    expect(late.context.noticeDaysElapsed).toBe(5);
    expect(late.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-11") });
  });

  it("verification is the regulator's, with a reason; the notice cannot end while it runs", () => {
    const verifying = run(noticeRunning(), ev.objection());
    expectBlocked(verifying, ev.uphold(""), ["reason-required"]);
    expectBlocked(verifying, ev.dismiss({ reason: " " }), ["reason-required"]);
    expectBlocked(verifying, ev.uphold("x", A.organizer), ["not-permitted"]);
    expectBlocked(verifying, ev.dismiss({ actor: A.admin }), ["not-permitted"]);
    expectBlocked(verifying, plain("NOTICE_ENDED", A.system, "2026-12-01T00:00:00.000Z"), [
      "invalid-in-state",
    ]);
    expectBlocked(verifying, plain("CERTIFY"), ["invalid-in-state"]);
    expectBlocked(noticeRunning(), ev.uphold(), ["invalid-in-state"]);
    expectBlocked(noticeRunning(), ev.dismiss(), ["invalid-in-state"]);
  });

  it("loops: objection upheld → review → report → approval → notice → certification", () => {
    let s = noticeRunning();
    for (let round = 0; round < 2; round += 1) {
      s = run(
        s,
        ev.objection(),
        ev.uphold(),
        ev.report("level3"),
        plain("APPROVE"),
        plain("START_NOTICE"),
      );
      expect(s.value).toEqual({ publicNotice: "running" });
    }
    const done = run(noticeEnded(s), plain("CERTIFY"));
    expect(done.value).toBe("certified");
    expect(done.context.applicationId).toBe("app-1");
  });

  it("needs a reason, is not the scheduler's, and only while the notice runs", () => {
    expectBlocked(noticeRunning(), ev.objection(""), ["reason-required"]);
    expectBlocked(noticeRunning(), ev.objection("x", A.system), ["not-permitted"]);
    expectBlocked(noticeEnded(), ev.objection(), ["invalid-in-state"]);
    expectBlocked(approved(), ev.objection(), ["invalid-in-state"]);
  });
});

describe("CERTIFY", () => {
  it("certifies at the applied level: certificate, unlock, mail", () => {
    const s = run(noticeEnded(), plain("CERTIFY", A.regulator, cst("2026-03-10")));
    expect(s.value).toBe("certified");
    expect(s.status).toBe("done");
    expect(effectsOf(s)).toEqual([
      {
        type: "certificate",
        applicationId: "app-1",
        enterpriseId: "ent-1",
        level: "level3",
        issuedAt: cst("2026-03-10"),
      },
      { type: "unlockEnterprise", enterpriseId: "ent-1" },
      expect.objectContaining({
        type: "email",
        template: "application-certified",
        to: { kind: "enterprise", enterpriseId: "ent-1" },
      }),
    ]);
    expect(isEnterpriseLocked(s)).toBe(false);
  });

  it("is the regulator's, after the notice ended", () => {
    expectBlocked(noticeEnded(), plain("CERTIFY", A.admin), ["not-permitted"]);
    expectBlocked(noticeEnded(), plain("CERTIFY", A.system), ["not-permitted"]);
    expectBlocked(noticeRunning(), plain("CERTIFY"), ["invalid-in-state"]);
    expectBlocked(approved(), plain("CERTIFY"), ["invalid-in-state"]);
  });
});

const renewalCheck = (s = ev.submitRenewal()): GradingSnapshot => run(draft(), s);

describe("fast-track renewal (复评/延期)", () => {
  it("a renewal at the certified level waits for the renewal check; another level goes the normal way", () => {
    const s = renewalCheck();
    expect(stateKeyOf(s)).toBe("renewalCheck");
    expect(s.context.renewal).toEqual({ certificateId: "cert-1", level: "level3", decision: "pending" });
    expect(s.context.deadlines.acceptBy).toBe(endOf("2026-03-09"));
    expect(emails(s)).toEqual([{ template: "application-submitted", to: "regulators" }]);
    expect(isEnterpriseLocked(s)).toBe(true);
    const other = run(draft(), ev.submitLevel2({ renewal: { certificateId: "cert-1", level: "level3" } }));
    expect(stateKeyOf(other)).toBe("submitted");
    expect(other.context.renewal).toBeNull();
    expect(stateKeyOf(submitted())).toBe("submitted");
  });

  it("CONFIRM_FAST_TRACK goes straight to the public notice at the certified level, then CERTIFY", () => {
    const s = run(renewalCheck(), ev.confirm());
    expect(stateKeyOf(s)).toBe("publicNotice.running");
    expect(s.context.reportedLevel).toBe("level3");
    expect(s.context.renewal?.decision).toBe("fastTrack");
    // Same notice period as the full path: 5 working days from Monday 2026-03-02.
    expect(s.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-09") });
    expect(emails(s)).toEqual([{ template: "renewal-fast-tracked", to: "enterprise" }]);
    const ended = run(s, plain("NOTICE_ENDED", A.system, cst("2026-03-10")));
    const certified = run(ended, plain("CERTIFY", A.regulator, cst("2026-03-11")));
    expect(stateKeyOf(certified)).toBe("certified");
    expect(effectsOf(certified)).toContainEqual({
      type: "certificate",
      applicationId: "app-1",
      enterpriseId: "ent-1",
      level: "level3",
      issuedAt: cst("2026-03-11"),
    });
  });

  it("refuses CONFIRM_FAST_TRACK with every unmet criterion as a reason", () => {
    expectBlocked(
      renewalCheck(),
      ev.confirm({
        missingYearlyReports: [2],
        openRevocationReviews: [1],
        creditListed: { recordId: "c-1", name: "某某" },
        selfScore: 55,
      }),
      [
        "renewal-yearly-reports-missing",
        "renewal-revocation-review",
        "renewal-credit-listed",
        "renewal-score-below-band",
      ],
    );
    expectBlocked(renewalCheck(), ev.confirm({ certificateStatus: "suspended" }), [
      "renewal-certificate-not-active",
    ]);
    expectBlocked(renewalCheck(), ev.confirm({ windowOpensAt: "2026-03-10T00:00:00.000Z" }), [
      "renewal-window-closed",
    ]);
    // Facts about another certificate are not this application's.
    expectBlocked(renewalCheck(), ev.confirm({ certificateId: "cert-2" }), ["invalid-payload"]);
    expectBlocked(renewalCheck(), ev.confirm({}, A.admin), ["not-permitted"]);
    expectBlocked(renewalCheck(), ev.confirm({}, A.organizer), ["no-organizer"]);
    expectBlocked(submitted(), ev.confirm(), ["invalid-in-state"]);
  });

  it("SEND_FULL_PATH needs a reason, mails it, and the normal acceptance follows", () => {
    expectBlocked(renewalCheck(), ev.fullPath("  "), ["reason-required"]);
    const s = run(renewalCheck(), ev.fullPath());
    expect(stateKeyOf(s)).toBe("submitted");
    expect(s.context.renewal?.decision).toBe("fullPath");
    expect(s.context.deadlines.acceptBy).toBe(endOf("2026-03-09"));
    const mails = effectsOf(s).filter((e) => e.type === "email");
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      template: "renewal-full-path",
      to: { kind: "enterprise" },
      data: { reason: "2025 年度自评报告未提交" },
    });
    expect(stateKeyOf(run(s, plain("ACCEPT")))).toBe("accepted");
    // Once on the full path the fast track is gone.
    expectBlocked(s, ev.confirm(), ["invalid-in-state"]);
  });

  it("with an organizing unit, the organizer checks the renewal (as for acceptance)", () => {
    const s = renewalCheck(ev.submitRenewal({ settings: ORGANIZER_SETTINGS }));
    expect(emails(s)).toEqual([{ template: "application-submitted", to: "organizers" }]);
    expectBlocked(s, ev.confirm(), ["organizer-decides"]);
    expect(stateKeyOf(run(s, ev.confirm({}, A.organizer)))).toBe("publicNotice.running");
  });

  it("an upheld objection to a fast-tracked renewal sends it down the full path from acceptance", () => {
    const verifying = run(renewalCheck(), ev.confirm(), ev.objection());
    const s = run(verifying, ev.uphold());
    expect(stateKeyOf(s)).toBe("accepted");
    expect(s.context.reportedLevel).toBeNull();
    expect(s.context.renewal?.decision).toBe("fullPath");
    expect(emails(s)).toEqual([{ template: "objection-upheld", to: "enterprise" }]);
    // A dismissed one lets the notice go on.
    expect(stateKeyOf(run(verifying, ev.dismiss()))).toBe("publicNotice.running");
  });

  it("a snapshot stored before renewals resumes with renewal = null", () => {
    const { renewal: _r, ...old } = submitted().context;
    expect(restoreSnapshot({ value: "submitted", context: old }).context.renewal).toBeNull();
  });
});

describe("CREDIT_LISTED", () => {
  const active: Array<[string, () => GradingSnapshot]> = [
    ["submitted", submitted],
    ["renewalCheck", () => renewalCheck()],
    ["accepted", accepted],
    ["reviewBodyAssigned", () => bodyAssigned()],
    ["reviewAssigned", () => reviewAssigned()],
    ["underReview.reviewing", () => underReview()],
    ["underReview.rectification", inRectification],
    ["reviewReported.pendingApproval", pendingApproval],
    ["reviewReported.awaitingConsent", awaitingConsent],
    ["approved", approved],
    ["publicNotice.running", noticeRunning],
    ["publicNotice.ended", () => noticeEnded()],
  ];

  it("covers every active state", () => {
    expect(new Set(active.map(([key]) => key.split(".")[0]))).toEqual(new Set(activeStates));
  });

  it.each(active)("stops a running application in %s", (key, make) => {
    const before = make();
    expect(stateKeyOf(before)).toBe(key);
    const s = run(before, ev.listed());
    expect(s.value).toBe("stopped");
    expect(s.status).toBe("done");
    expect(s.context.creditListed).toEqual({ recordId: "credit-1", name: "某某化工有限公司" });
    expect(s.context.deadlines).toEqual({});
    expect(effectTypes(s)[0]).toBe("unlockEnterprise");
    expect(emails(s)).toEqual(
      expect.arrayContaining([
        { template: "application-stopped", to: "enterprise" },
        { template: "application-stopped", to: "regulators" },
      ]),
    );
  });

  it("comes from the system only, with a record", () => {
    expectBlocked(underReview(), ev.listed({ actor: A.regulator }), ["not-permitted"]);
    expectBlocked(underReview(), ev.listed({ recordId: "" }), ["invalid-payload"]);
    // A draft is not running: SUBMIT checks the listing instead.
    expectBlocked(draft(), ev.listed(), ["invalid-in-state"]);
  });
});

describe("final states", () => {
  it.each([
    ["certified", () => run(noticeEnded(), plain("CERTIFY"))],
    ["rejected", () => run(submitted(), ev.reject())],
    ["withdrawn", () => run(draft(), plain("WITHDRAW"))],
    ["stopped", () => run(accepted(), ev.listed())],
  ])("%s refuses every event", (_name, make) => {
    const s = make();
    expect(s.status).toBe("done");
    expect(handledEvents(s)).toEqual([]);
    expectBlocked(s, ev.submit(), ["invalid-in-state"]);
    expectBlocked(s, ev.listed(), ["invalid-in-state"]);
    expectBlocked(s, ev.objection(), ["invalid-in-state"]);
  });
});

describe("event context", () => {
  it("pendingEffects holds only the latest transition's effects", () => {
    const s = run(submitted(), plain("ACCEPT"));
    expect(effectTypes(s)).toEqual(["email"]);
    expect(effectsOf(run(s, ev.assignBody(), ev.assign()))).toHaveLength(1);
  });

  it("an event carrying the tenant's new calendar replaces the old one for later deadlines", () => {
    const calendar = {
      holidays: [...CAL_2026.holidays, "2026-03-03"],
      extraWorkdays: CAL_2026.extraWorkdays,
    };
    const s = run(bodyAssigned(), ev.assign(), ev.startReview({ calendar }));
    expect(s.context.settings.calendar).toEqual(calendar);
    expect(s.context.deadlines.reviewBy).toBe(endOf("2026-04-29"));
    expectBlocked(
      bodyAssigned(),
      ev.assign(["rev-1", "rev-2"], { calendar: { holidays: ["2026-3-3"] } }),
      ["invalid-calendar"],
    );
  });

  it("applyGradingEvent reports effects or reasons", () => {
    const ok = applyGradingEvent(draft(), ev.submit());
    expect(ok.ok && ok.effects.map((e) => e.type)).toEqual(["lockEnterprise", "email"]);
    const refused = applyGradingEvent(draft(), ev.submit({ requiredEvidenceMissing: ["x"] }));
    expect(refused.ok ? null : refused.reasons).toEqual(["evidence-missing"]);
  });

  it("every event type has its roles, and the role table matches the brief", () => {
    expect(Object.keys(EVENT_ROLES).sort()).toEqual([...GRADING_EVENT_TYPES].sort());
    expect(EVENT_ROLES.SUBMIT).toEqual(["enterprise_admin"]);
    expect(EVENT_ROLES.CERTIFY).toEqual(["regulator"]);
    expect(EVENT_ROLES.NOTICE_ENDED).toEqual(["system"]);
    expect(EVENT_ROLES.OBJECTION).toContain("public");
    expect(EVENT_ROLES.OBJECTION).not.toContain("system");
  });
});

// ---------------------------------------------------------------------------------------------
// Exhaustive exploration

/** Representative events for a snapshot: each type, the right and some wrong actors, key variants. */
function eventsFor(s: GradingSnapshot): GradingEvent[] {
  const { deadlines, appliedLevel } = s.context;
  const afterRectify = deadlines.rectifyBy
    ? new Date(Date.parse(deadlines.rectifyBy) + 1).toISOString()
    : NOW;
  return [
    ev.submit(),
    ev.submitLevel2(),
    ev.submit({
      score: { selfScore: 10, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: null },
    }),
    ev.submit({ actor: A.member }),
    ev.submit({ settings: ORGANIZER_SETTINGS }),
    ev.submitRenewal(),
    ev.submitRenewal({ settings: ORGANIZER_SETTINGS }),
    ev.confirm(),
    ev.confirm({ missingYearlyReports: [2] }),
    ev.confirm({}, A.organizer),
    ev.confirm({}, A.admin),
    ev.fullPath(),
    ev.fullPath(""),
    ev.fullPath("不符合条件", A.organizer),
    plain("WITHDRAW"),
    plain("WITHDRAW", A.regulator),
    plain("ACCEPT"),
    plain("ACCEPT", A.admin),
    plain("ACCEPT", A.organizer),
    ev.ret(),
    ev.ret(""),
    ev.ret("材料不全", A.organizer),
    ev.assignBody(),
    ev.assignBody("body-2"),
    ev.assignBody("body-3", { reviewBodyActive: false }),
    ev.assign(),
    ev.assign(["rev-1"]),
    ev.assign(["rev-2", "rev-1"]),
    ev.assign(["rev-1", "rev-2"], { actor: A.regulator }),
    ev.startReview(),
    ev.startReview({ actor: A.outsider }),
    ev.rectify(),
    ev.rectify({ days: 0 }),
    ev.rectify({ itemIds: [] }),
    ev.rectify({ itemIds: [], reopenedItemIds: ["1.1.1"] }),
    plain("SUBMIT_RECTIFICATION"),
    ev.submitRect(["1.1.1"]),
    ev.report(appliedLevel, { now: afterRectify }),
    ev.report("level3", { reason: "较申请等级低", now: afterRectify }),
    ev.report(null, { reason: "不达标", now: afterRectify }),
    ev.report(appliedLevel),
    ev.report(appliedLevel, { unresolvedRectificationIds: ["1.1.1"], now: afterRectify }),
    plain("ORGANIZER_APPROVE_REPORT"),
    plain("ORGANIZER_APPROVE_REPORT", A.regulator),
    ev.returnReport(),
    ev.returnReport(""),
    plain("APPROVE"),
    plain("APPROVE", A.admin),
    ev.reject(),
    ev.reject("  "),
    plain("START_NOTICE"),
    ev.objection(),
    ev.objection("", A.public),
    ev.uphold(),
    ev.uphold(""),
    ev.dismiss(),
    ev.dismiss({ restartNotice: true }),
    ev.dismiss({ actor: A.admin }),
    plain("NOTICE_ENDED", A.system, deadlines.noticeEndsAt ?? NOW),
    plain("NOTICE_ENDED", A.system, NOW),
    plain("CONSENT_LOWER_LEVEL"),
    plain("CONSENT_LOWER_LEVEL", A.regulator),
    plain("DECLINE_LOWER_LEVEL"),
    plain("CERTIFY"),
    plain("CERTIFY", A.system),
    ev.listed(),
    ev.listed({ actor: A.public }),
  ];
}

type Edge = {
  from: string;
  to: string;
  event: GradingEventType;
  lockedBefore: boolean;
  lockedAfter: boolean;
  effects: PendingEffect[];
};

/** A node is a state value plus context (effects aside); times are fixed so the graph is finite. */
function nodeKey(s: GradingSnapshot): string {
  const { pendingEffects: _effects, ...rest } = s.context;
  return JSON.stringify([s.value, rest]);
}

type Explored = {
  nodes: Map<string, GradingSnapshot>;
  edges: Array<Edge & { fromKey: string; toKey: string }>;
  /** Events where the machine and explainBlocked disagree (must stay empty). */
  disagreements: string[];
  /** How many (snapshot, event) pairs were tried, refused ones included. */
  tried: number;
};

function explore(): Explored {
  const start = draft();
  const nodes = new Map<string, GradingSnapshot>([[nodeKey(start), start]]);
  const edges: Explored["edges"] = [];
  const disagreements: string[] = [];
  let tried = 0;
  const queue = [start];
  while (queue.length > 0) {
    const s = queue.shift();
    if (s === undefined) break;
    for (const event of eventsFor(s)) {
      tried += 1;
      const next: GradingSnapshot = transition(gradingMachine, s, event)[0];
      const reasons = explainBlocked(s, event);
      const refused = next === s;
      if (refused !== reasons.length > 0 || reasons.some((r) => !BLOCK_REASONS.includes(r))) {
        disagreements.push(
          `${event.type} in ${stateKeyOf(s)}: refused=${refused}, reasons=${reasons.join(",")}`,
        );
      }
      if (refused) continue;
      const key = nodeKey(next);
      edges.push({
        from: stateKeyOf(s),
        to: stateKeyOf(next),
        event: event.type,
        fromKey: nodeKey(s),
        toKey: key,
        lockedBefore: isEnterpriseLocked(s),
        lockedAfter: isEnterpriseLocked(next),
        effects: next.context.pendingEffects,
      });
      if (!nodes.has(key)) {
        nodes.set(key, next);
        queue.push(next);
      }
    }
  }
  return { nodes, edges, disagreements, tried };
}

/** Leaf state paths and transitions read from the machine definition. */
function definition(): {
  leaves: string[];
  transitions: Array<{ source: string; event: string; target: string }>;
} {
  const leaves: string[] = [];
  const transitions: Array<{ source: string; event: string; target: string }> = [];
  const walk = (node: AnyStateNode): void => {
    const children: AnyStateNode[] = Object.values(node.states);
    if (children.length === 0 && node.path.length > 0) leaves.push(node.path.join("."));
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        for (const target of def.target ?? [])
          transitions.push({ source: node.path.join("."), event, target: target.path.join(".") });
      }
    }
    children.forEach(walk);
  };
  walk(gradingMachine.root);
  return { leaves, transitions };
}

describe("exploration of the whole machine (BFS from draft)", () => {
  const { nodes, edges, disagreements, tried } = explore();
  const { leaves, transitions } = definition();
  const reached = new Set([...nodes.values()].map(stateKeyOf));

  it("explores a finite graph", () => {
    expect(nodes.size).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(nodes.size);
  });

  it("explainBlocked agrees with the machine on every event tried, allowed or refused", () => {
    expect(tried).toBeGreaterThan(1000);
    expect(disagreements).toEqual([]);
  });

  it("reaches every state of the machine from draft", () => {
    expect(leaves).toHaveLength(21);
    expect([...reached].sort()).toEqual([...leaves].sort());
  });

  it("takes every transition of the definition", () => {
    const prefixed = (leaf: string, of: string): boolean =>
      leaf === of || leaf.startsWith(`${of}.`);
    const missing = transitions.filter(
      (t) =>
        !edges.some(
          (e) => e.event === t.event && prefixed(e.from, t.source) && prefixed(e.to, t.target),
        ),
    );
    expect(missing).toEqual([]);
  });

  it("has no dead ends: every reached state can still reach a final state", () => {
    const canFinish = new Set(
      [...nodes].filter(([, s]) => s.status === "done").map(([key]) => key),
    );
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
    const stuck = [...nodes].filter(([key]) => !canFinish.has(key)).map(([, s]) => stateKeyOf(s));
    expect(stuck).toEqual([]);
    // …and final states are exactly the ones the machine marks done.
    const done = new Set(
      [...nodes.values()].filter((s) => s.status === "done").map((s) => topStateOf(s)),
    );
    expect([...done].sort()).toEqual([...finalStates].sort());
  });

  it("emits lockEnterprise / unlockEnterprise exactly when the lock state changes", () => {
    for (const e of edges) {
      const types = e.effects.map((x) => x.type);
      expect(types.includes("lockEnterprise"), `${e.from} -${e.event}-> ${e.to}`).toBe(
        !e.lockedBefore && e.lockedAfter,
      );
      expect(types.includes("unlockEnterprise"), `${e.from} -${e.event}-> ${e.to}`).toBe(
        e.lockedBefore && !e.lockedAfter,
      );
    }
  });

  it("only draft is editable; locked and final states partition the rest", () => {
    for (const s of nodes.values()) {
      const top = topStateOf(s);
      expect(isEditable(s)).toBe(top === "draft");
      expect(
        editableStates.includes(top) || lockedStates.includes(top) || finalStates.includes(top),
      ).toBe(true);
      expect(lockedStates.includes(top)).toBe(s.status === "active" && top !== "draft");
    }
  });

  it("every event used is valid for the event schema the server parses with", () => {
    for (const s of nodes.values()) {
      for (const event of eventsFor(s))
        expect(gradingEventSchema.safeParse(event).success).toBe(true);
    }
    expect(gradingEventSchema.safeParse({ type: "ACCEPT", actor: A.regulator }).success).toBe(
      false,
    );
    expect(
      gradingEventSchema.safeParse({ type: "ACCEPT", actor: { id: "x", role: "boss" }, now: NOW })
        .success,
    ).toBe(false);
    expect(
      gradingEventSchema.safeParse({ type: "DELETE", actor: A.regulator, now: NOW }).success,
    ).toBe(false);
  });

  it("round-trips every reached snapshot through JSON and restoreSnapshot", () => {
    for (const s of nodes.values()) {
      const stored: unknown = JSON.parse(JSON.stringify(persistSnapshot(s)));
      const restored = restoreSnapshot(stored);
      expect(restored.value).toEqual(s.value);
      expect(restored.context).toEqual(s.context);
      expect(restored.status).toBe(s.status);
      // The restored snapshot behaves the same.
      for (const event of eventsFor(s)) {
        const a = transition(gradingMachine, s, event)[0];
        const b = transition(gradingMachine, restored, event)[0];
        expect(b === restored).toBe(a === s);
        expect(b.value).toEqual(a.value);
        expect(b.context).toEqual(a.context);
      }
    }
    // Both organizer settings double the graph: ~1 s alone, several on a shared 2-core machine.
  }, 60_000);
});

describe("restoreSnapshot", () => {
  it("also takes XState's own persisted form", () => {
    const s = inRectification();
    const restored = restoreSnapshot(
      JSON.parse(JSON.stringify(gradingMachine.getPersistedSnapshot(s))),
    );
    expect(restored.value).toEqual({ underReview: "rectification" });
    expect(restored.context).toEqual(s.context);
  });

  it("resumes a notice stored before Step 10 (no notice counters): an objection then counts from 0", () => {
    const { noticeStartedAt: _a, noticeDaysElapsed: _b, ...old } = noticeRunning().context;
    const restored = restoreSnapshot({ value: { publicNotice: "running" }, context: old });
    expect(restored.context.noticeStartedAt).toBeNull();
    expect(restored.context.noticeDaysElapsed).toBe(0);
    const verifying = run(restored, ev.objection("理由", A.public, cst("2026-03-05")));
    expect(verifying.context.noticeDaysElapsed).toBe(0);
    const resumed = run(verifying, ev.dismiss({ now: cst("2026-03-05", "16:00") }));
    expect(resumed.context.deadlines).toEqual({ noticeEndsAt: endOf("2026-03-12") });
  });

  it("refuses another machine version with a typed error", () => {
    const stored = JSON.parse(JSON.stringify(persistSnapshot(submitted())));
    stored.context.machineVersion = 2;
    expect(() => restoreSnapshot(stored)).toThrow(GradingVersionMismatchError);
    try {
      restoreSnapshot(stored);
    } catch (error) {
      expect(error).toBeInstanceOf(GradingSnapshotError);
      expect(
        error instanceof GradingVersionMismatchError && [error.code, error.found, error.expected],
      ).toEqual(["version-mismatch", 2, 1]);
    }
    delete stored.context.machineVersion;
    expect(() => restoreSnapshot(stored)).toThrow(/machine version none/);
  });

  it("refuses what is not a snapshot of this machine", () => {
    const good = JSON.parse(JSON.stringify(persistSnapshot(submitted())));
    const expectInvalid = (json: unknown): void => {
      expect(() => restoreSnapshot(json)).toThrow(GradingSnapshotError);
      try {
        restoreSnapshot(json);
      } catch (error) {
        expect(error instanceof GradingSnapshotError && error.code).toBe("invalid-snapshot");
      }
    };
    expectInvalid(null);
    expectInvalid("submitted");
    expectInvalid({ ...good, value: "nowhere" });
    expectInvalid({ ...good, value: { underReview: "sleeping" } });
    expectInvalid({ ...good, context: { ...good.context, reviewers: "rev-1" } });
    expectInvalid({ ...good, context: { ...good.context, deadlines: { acceptBy: "soon" } } });
    expectInvalid({
      ...good,
      context: { ...good.context, pendingEffects: [{ type: "launchRocket" }] },
    });
  });
});

describe("stateKeyOf, topStateOf, handledEvents", () => {
  it("name the current state", () => {
    const s = inRectification();
    expect(stateKeyOf(s)).toBe("underReview.rectification");
    expect(topStateOf(s)).toBe("underReview");
    expect(handledEvents(s)).toEqual(["SUBMIT_RECTIFICATION", "REPORT_REVIEW", "CREDIT_LISTED"]);
    expect(stateKeyOf(submitted())).toBe("submitted");
  });
});

describe("toMermaid", () => {
  const diagram = toMermaid(gradingMachine);

  it("is generated from the definition: every state and transition appears", () => {
    expect(diagram.startsWith("stateDiagram-v2\n  [*] --> draft\n")).toBe(true);
    const { leaves, transitions } = definition();
    for (const leaf of leaves) expect(diagram).toContain(leaf.replace(".", "_"));
    for (const t of transitions) {
      expect(diagram).toMatch(
        new RegExp(
          `${t.source.replace(".", "_")} --> ${t.target.replace(".", "_")} : ${t.event}\\b`,
        ),
      );
    }
    for (const f of finalStates) expect(diagram).toContain(`${f} --> [*]`);
    expect(diagram).toContain(
      "publicNotice_ended --> certifiedLowerLevel : CERTIFY [allowedAtLowerLevel]",
    );
    expect(diagram).toContain("state underReview {");
  });

  it("docs/grading-workflow.mmd is up to date (npx tsx scripts/export-workflow-diagram.ts)", () => {
    const file = readFileSync(
      path.resolve(import.meta.dirname, "../../docs/grading-workflow.mmd"),
      "utf8",
    );
    expect(file).toBe(diagram);
  });
});

describe("explainBlocked", () => {
  it("uses only the documented reason codes", () => {
    expect(new Set(BLOCK_REASONS).size).toBe(BLOCK_REASONS.length);
    expect(explainBlocked(draft(), plain("CERTIFY"))).toEqual(["invalid-in-state"]);
    expect(explainBlocked(draft(), ev.submit())).toEqual([]);
  });
});
