import type { AnyStateNode } from "xstate";
import { describe, expect, it } from "vitest";
import { isMessageKey, translate } from "~/i18n";
import {
  APPLICATION_QUEUES,
  FAIL_OPTION,
  EVENT_PERMISSIONS,
  applicationEventInputSchema,
  eventInputFromForm,
  objectionFormSchema,
  stateColumnOf,
} from "~/workflows/grading-input";
import {
  BLOCK_REASONS,
  EVENT_ROLES,
  GRADING_EVENT_TYPES,
  applyGradingEvent,
  finalStates,
  gradingMachine,
  lockedStates,
  startGrading,
} from "~/workflows/grading.machine";

const SETTINGS = {
  acceptanceDays: 5,
  reviewDays: 40,
  publicNoticeDays: 5,
  calendar: { holidays: [] },
};

function form(entries: Array<[string, string]>): FormData {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
}

describe("event input from the application page", () => {
  it("reads each event's own fields, and the empty level option as a fail", () => {
    expect(
      eventInputFromForm(
        form([
          ["intent", "RETURN"],
          ["reason", "缺签字页"],
          ["version", "3"],
        ]),
      ),
    ).toEqual({ type: "RETURN", reason: "缺签字页" });
    expect(
      eventInputFromForm(
        form([
          ["intent", "ASSIGN_REVIEWERS"],
          ["reviewerIds", "a"],
          ["reviewerIds", "b"],
        ]),
      ),
    ).toEqual({ type: "ASSIGN_REVIEWERS", reviewerIds: ["a", "b"] });
    expect(eventInputFromForm(form([["intent", "ASSIGN_REVIEWERS"]]))).toEqual({
      type: "ASSIGN_REVIEWERS",
      reviewerIds: [],
    });
    // One lead is a string; two leads stay a list, which the schema refuses (exactly one lead).
    const twoLeads = eventInputFromForm(
      form([
        ["intent", "ASSIGN_REVIEWERS"],
        ["reviewerIds", "a".repeat(24)],
        ["reviewerIds", "b".repeat(24)],
        ["leadReviewerId", "a".repeat(24)],
        ["leadReviewerId", "b".repeat(24)],
      ]),
    );
    expect(twoLeads.leadReviewerId).toEqual(["a".repeat(24), "b".repeat(24)]);
    expect(
      applicationEventInputSchema.safeParse(twoLeads).error?.issues.map((i) => i.message),
    ).toEqual(["workflow.errors.oneLead"]);
    expect(
      eventInputFromForm(
        form([
          ["intent", "ASSIGN_REVIEW_BODY"],
          ["reviewBodyId", "c".repeat(24)],
        ]),
      ),
    ).toEqual({ type: "ASSIGN_REVIEW_BODY", reviewBodyId: "c".repeat(24) });
    expect(
      eventInputFromForm(
        form([
          ["intent", "REPORT_REVIEW"],
          ["recommendedLevel", ""],
        ]),
      ),
    ).toEqual({ type: "REPORT_REVIEW", recommendedLevel: null });
    // The review sheet's form has a "choose…" placeholder, so its fail option has its own value.
    expect(
      eventInputFromForm(
        form([
          ["intent", "REPORT_REVIEW"],
          ["recommendedLevel", FAIL_OPTION],
        ]),
      ),
    ).toEqual({ type: "REPORT_REVIEW", recommendedLevel: null });
  });

  it("validates payloads with field messages (i18n keys)", () => {
    const blank = applicationEventInputSchema.safeParse({ type: "RETURN", reason: "  " });
    expect(blank.success).toBe(false);
    expect(blank.error?.issues[0]).toMatchObject({
      path: ["reason"],
      message: "errors.reasonRequired",
    });
    const days = applicationEventInputSchema.safeParse({
      type: "REQUEST_RECTIFICATION",
      reason: "x",
      days: "0",
    });
    expect(days.error?.issues[0]?.message).toBe("workflow.errors.days?max=250");
    expect(
      applicationEventInputSchema.safeParse({
        type: "REQUEST_RECTIFICATION",
        reason: "x",
        days: "10",
      }).data,
    ).toEqual({ type: "REQUEST_RECTIFICATION", reason: "x", days: 10, itemIds: [] });
    // Step 10: the picked items (checkboxes) and the dismissal's restart box.
    const form = new FormData();
    form.set("intent", "REQUEST_RECTIFICATION");
    form.set("reason", "x");
    form.set("days", "5");
    form.append("itemIds", "1.1.1");
    form.append("itemIds", "2.1.1");
    expect(applicationEventInputSchema.safeParse(eventInputFromForm(form)).data).toEqual({
      type: "REQUEST_RECTIFICATION",
      reason: "x",
      days: 5,
      itemIds: ["1.1.1", "2.1.1"],
    });
    const dismiss = new FormData();
    dismiss.set("intent", "DISMISS_OBJECTION");
    dismiss.set("reason", "不属实");
    expect(applicationEventInputSchema.safeParse(eventInputFromForm(dismiss)).data).toEqual({
      type: "DISMISS_OBJECTION",
      reason: "不属实",
      restartNotice: false,
    });
    dismiss.set("restartNotice", "true");
    expect(applicationEventInputSchema.safeParse(eventInputFromForm(dismiss)).data).toMatchObject({
      restartNotice: true,
    });
    expect(
      applicationEventInputSchema.safeParse({ type: "ASSIGN_REVIEWERS", reviewerIds: [] }).error
        ?.issues[0]?.message,
    ).toBe("workflow.errors.reviewersRequired");
    expect(applicationEventInputSchema.safeParse({ type: "NOPE" }).success).toBe(false);
    expect(
      objectionFormSchema.safeParse({
        applicationId: "0".repeat(24),
        name: "张三",
        contact: "138",
        statement: "异议",
      }).success,
    ).toBe(true);
  });

  it("names a permission for every event a member sends, and none for system events", () => {
    for (const type of GRADING_EVENT_TYPES) {
      const roles = EVENT_ROLES[type];
      if (roles.length === 1 && roles[0] === "system") expect(EVENT_PERMISSIONS[type]).toBeNull();
    }
    expect(EVENT_PERMISSIONS.OBJECTION).toBeNull();
    expect(EVENT_PERMISSIONS.ACCEPT).toBe("accept:application:any");
    expect(EVENT_PERMISSIONS.REPORT_REVIEW).toBe("review:assessment:assigned");
  });
});

describe("the state column", () => {
  it('stores every draft sub-state as "draft" and other states by their dotted key', () => {
    const start = startGrading({ applicationId: "a", enterpriseId: "e", settings: SETTINGS });
    expect(stateColumnOf(start)).toBe("draft");
    const now = "2026-03-02T02:00:00.000Z";
    const submitted = applyGradingEvent(start, {
      type: "SUBMIT",
      actor: { id: "u", role: "enterprise_admin" },
      now,
      appliedLevel: "qualified",
      levels: ["qualified"],
      score: { selfScore: 90, appliedLevelMinScore: 60, vetoed: false, eligibleLevel: "qualified" },
      requiredEvidenceMissing: [],
      unansweredItemIds: [],
      creditListed: null,
    });
    if (!submitted.ok) throw new Error(submitted.reasons.join());
    expect(stateColumnOf(submitted.snapshot)).toBe("submitted");
    const returned = applyGradingEvent(submitted.snapshot, {
      type: "RETURN",
      actor: { id: "r", role: "regulator" },
      now,
      reason: "缺材料",
    });
    if (!returned.ok) throw new Error(returned.reasons.join());
    expect(returned.snapshot.value).toEqual({ draft: "returned" });
    expect(stateColumnOf(returned.snapshot)).toBe("draft");
  });

  it("puts every non-draft state in exactly one regulator queue", () => {
    const queued = APPLICATION_QUEUES.flatMap((q) => [...q.states]);
    expect(new Set(queued).size).toBe(queued.length);
    for (const top of [...lockedStates, ...finalStates])
      expect(queued.some((s) => s === top || s.startsWith(`${top}.`))).toBe(true);
  });
});

describe("workflow texts", () => {
  it("translate every refusal reason, event and state, in both languages", () => {
    const states: string[] = [];
    const walk = (node: AnyStateNode) => {
      for (const child of Object.values<AnyStateNode>(node.states)) {
        states.push(child.path.join("."));
        walk(child);
      }
    };
    walk(gradingMachine.root);
    const keys = [
      ...BLOCK_REASONS.map((r) => `workflow.block.${r}`),
      ...GRADING_EVENT_TYPES.flatMap((t) => [`workflow.event.${t}`, `workflow.action.${t}`]),
      ...states.map((st) => `workflow.state.${st}`),
    ];
    for (const key of keys) {
      expect(isMessageKey(key), key).toBe(true);
      if (!isMessageKey(key)) continue;
      expect(translate("en", key)).not.toBe(translate("zh-CN", key));
    }
  });
});
