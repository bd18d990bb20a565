/**
 * Step 10 (issue 14 item 4) on the real database: the consolidated review sheet — split by the
 * lead, scored by each member in their part, saved by compare-and-set — and the machine's refusal
 * of REPORT_REVIEW until it is complete, confirmed and consistent with the score.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { Assessment } from "../../models/assessment";
import { AuditEvent } from "../../models/audit-event";
import { OutboxMessage } from "../../models/outbox-message";
import {
  assignSheetElements,
  confirmSheetPart,
  panelOf,
  saveReviewSheet,
  sheetOf,
} from "~/data/grading/review-sheet.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import type { Rubric } from "~/lib/rubric/schema";
import { loader as sheetLoader, action as sheetAction } from "~/routes/t.$slug.reviews.$id";
import { action as saveEndpoint } from "~/routes/t.$slug.reviews.$id.save";
import { cookieFor } from "../factories";
import { callAction, callLoader } from "../route-helpers";
import { completeReviewSheet } from "../review-sheet";
import { days, expectOk, gradingSetup, reload, send, underReview, type GradingSetup } from "../grading-fixtures";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

async function rubricOf(s: GradingSetup, rubricVersionId: Parameters<typeof getRubricVersion>[0]["id"]): Promise<Rubric> {
  const loaded = await getRubricVersion({ tenantId: s.tenant._id, id: rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  return loaded.rubric;
}

describe("the consolidated review sheet", () => {
  it("refuses the report while one item is unscored and lists it; then without a member's confirmation", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    const rubric = await rubricOf(s, app.rubricVersionId);
    const last = rubricItems(rubric).at(-1);
    if (!last) throw new Error("empty rubric");
    // Everything scored but the last item; both members try to confirm.
    await completeReviewSheet({
      tenantId: s.tenant._id,
      id: app._id,
      scorer: s.m.lead,
      members: [s.m.second],
      only: (item) => item.id !== last.id,
      now: days(2),
    });
    const leadConfirm = await confirmSheetPart({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: (await reload(s, app._id)).version });
    expect(leadConfirm).toMatchObject({ ok: false, status: 400, message: "reviewSheet.errors.partIncomplete", itemIds: [last.id] });

    const refused = await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(3));
    expect(refused).toMatchObject({ ok: false, status: 422, error: "blocked" });
    if (refused.ok || refused.error !== "blocked") throw new Error("expected blocked");
    expect(refused.reasons).toEqual(expect.arrayContaining(["review-incomplete", "members-not-confirmed"]));
    expect(refused.messages).toContain("workflow.block.review-incomplete");
    expect(refused.missing).toEqual({ unscored: [last.id], naWithoutReason: [], unconfirmed: [String(s.lead.user._id)] });
    expect((await reload(s, app._id)).state).toBe("underReview.reviewing");

    // The last item scored: only the lead's confirmation is missing now.
    const version = (await reload(s, app._id)).version;
    const saved = await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: version, changes: [{ itemId: last.id, answer: { choice: "full" } }] });
    expect(saved?.status).toBe(200);
    const unconfirmed = await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(3));
    expect(unconfirmed).toMatchObject({ ok: false, status: 422, reasons: ["members-not-confirmed"], missing: { unconfirmed: [String(s.lead.user._id)] } });

    expect(await confirmSheetPart({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: (await reload(s, app._id)).version })).toMatchObject({ ok: true });
    // The last confirmation of a complete sheet tells the lead.
    const complete = await OutboxMessage.find({ tenantId: s.tenant._id, template: "review-sheet-complete" }).lean();
    expect(complete.map((m) => m.to)).toEqual([s.lead.user.email]);
    // The second member files nothing: the lead reports.
    expect(await send(s, app._id, s.m.second, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(3))).toMatchObject({ ok: false, reasons: ["not-lead"] });
    await expectOk(await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: "qualified" }, days(3)));
    const doc = await reload(s, app._id);
    expect(doc.review?.report).toMatchObject({ recommendedLevel: "qualified", scoreLevel: "qualified", score: 100, reason: null });
    expect(await AuditEvent.countDocuments({ tenantId: s.tenant._id, action: "review.sheet.confirm" })).toBe(2);
  });

  it("a level other than the one the score gives needs a written reason, which is kept for the authority", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    await completeReviewSheet({ tenantId: s.tenant._id, id: app._id, scorer: s.m.lead, members: [s.m.lead, s.m.second], now: days(2) });
    // The score gives "qualified"; a fail without a reason is refused next to the reason field.
    const noReason = await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: null }, days(3));
    expect(noReason).toMatchObject({ ok: false, status: 400, fieldErrors: { reason: "workflow.block.level-differs-from-score" } });
    await expectOk(await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: null, reason: "现场发现重大隐患未整改" }, days(3)));
    const doc = await reload(s, app._id);
    expect(doc.review?.report).toMatchObject({ recommendedLevel: null, scoreLevel: "qualified", reason: "现场发现重大隐患未整改" });
    expect(doc.history.at(-1)).toMatchObject({ event: "REPORT_REVIEW", reason: "现场发现重大隐患未整改", details: { scoreLevel: "qualified" } });
  });

  it("members score only their part; a changed split or a changed score withdraws confirmations", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    const rubric = await rubricOf(s, app.rubricVersionId);
    const [e1, e2] = rubric.elements;
    if (!e1 || !e2) throw new Error("rubric too small");
    const e2Item = e2.subElements[0]?.items[0]?.id ?? "";
    const e1Item = e1.subElements[0]?.items[0]?.id ?? "";
    let version = (await reload(s, app._id)).version;

    // Only the lead splits.
    expect(await assignSheetElements({ tenantId: s.tenant._id, id: app._id, member: s.m.second, expectedVersion: version, assignments: [] })).toMatchObject({ status: 403 });
    expect(
      await assignSheetElements({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: version, assignments: [{ elementId: e2.id, userId: String(s.outsider.user._id) }] }),
    ).toMatchObject({ status: 400, message: "reviewSheet.errors.badAssignment" });
    const split = await assignSheetElements({
      tenantId: s.tenant._id,
      id: app._id,
      member: s.m.lead,
      expectedVersion: version,
      assignments: [{ elementId: e2.id, userId: String(s.second.user._id) }],
    });
    expect(split).toMatchObject({ ok: true, changedUsers: expect.arrayContaining([String(s.second.user._id), String(s.lead.user._id)]) });
    version = (await reload(s, app._id)).version;
    // Both people whose part changed are told, once each; the second member's mail names E2.
    const partMails = await OutboxMessage.find({ tenantId: s.tenant._id, template: "review-part-assigned" }).lean();
    expect(partMails.map((m) => m.to).sort()).toEqual([s.lead.user.email, s.second.user.email].sort());
    const secondMail = partMails.find((m) => m.to === s.second.user.email);
    expect((secondMail?.data as { elements: string[] }).elements).toEqual([expect.stringMatching(new RegExp(`^${e2.id} `))]);
    expect(await AuditEvent.countDocuments({ tenantId: s.tenant._id, action: "review.sheet.assign" })).toBe(1);

    // The second member may not score E1 (the lead's), may score E2.
    const foreign = await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.second, expectedVersion: version, changes: [{ itemId: e1Item, answer: { choice: "none" } }] });
    expect(foreign?.status).toBe(400);
    expect(foreign?.body).toMatchObject({ error: "invalid", itemErrors: { [e1Item]: { choice: "reviewSheet.errors.notYourPart" } } });
    const own = await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.second, expectedVersion: version, changes: [{ itemId: e2Item, answer: { choice: "none", note: "未见记录" } }] });
    expect(own?.status).toBe(200);
    // An outsider (not on the panel) gets nothing.
    expect(await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.outsider, expectedVersion: version + 1, changes: [] })).toBeNull();

    // Complete and confirm, then a change of the second member's score withdraws only theirs.
    await completeReviewSheet({
      tenantId: s.tenant._id,
      id: app._id,
      scorer: s.m.lead,
      members: [],
      only: (item) => !e2.subElements.some((sub) => sub.items.some((i) => i.id === item.id)),
    });
    await completeReviewSheet({
      tenantId: s.tenant._id,
      id: app._id,
      scorer: s.m.second,
      members: [s.m.lead, s.m.second],
      only: (item) => e2.subElements.some((sub) => sub.items.some((i) => i.id === item.id)),
    });
    let doc = await reload(s, app._id);
    expect(doc.review?.sheet?.confirmations.map((c) => c.userId).sort()).toEqual([String(s.lead.user._id), String(s.second.user._id)].sort());
    await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.second, expectedVersion: doc.version, changes: [{ itemId: e2Item, answer: { choice: "full" } }] });
    doc = await reload(s, app._id);
    expect(doc.review?.sheet?.confirmations.map((c) => c.userId)).toEqual([String(s.lead.user._id)]);
    // Giving E2 back to the lead withdraws both (both parts changed).
    await confirmSheetPart({ tenantId: s.tenant._id, id: app._id, member: s.m.second, expectedVersion: doc.version });
    doc = await reload(s, app._id);
    await assignSheetElements({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: doc.version, assignments: [] });
    expect((await reload(s, app._id)).review?.sheet?.confirmations).toEqual([]);
  });

  it("concurrent saves at one version: exactly one wins, the others get the conflict body with the current answers", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    const rubric = await rubricOf(s, app.rubricVersionId);
    const items = rubricItems(rubric).slice(0, 10);
    const version = (await reload(s, app._id)).version;
    const results = await Promise.all(
      items.map((item) =>
        saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: version, changes: [{ itemId: item.id, answer: { choice: "none" } }] }),
      ),
    );
    const statuses = results.map((r) => r?.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st === 409)).toHaveLength(9);
    const doc = await reload(s, app._id);
    expect(doc.version).toBe(version + 1);
    expect(doc.review?.sheet?.answers).toHaveLength(1);
    const winner = doc.review?.sheet?.answers[0]?.itemId;
    const loser = results.find((r) => r?.status === 409);
    expect(loser?.body).toMatchObject({ ok: false, error: "conflict", version: version + 1 });
    if (loser?.body.ok !== false || loser.body.error !== "conflict") throw new Error("expected conflict");
    // The loser's element answers come back, with the winner's item among them when in the same element.
    expect(loser.body.items).toHaveLength(1);
    expect(loser.body.items[0]?.changedByOthers).toBe(false);
    expect(loser.body.answers.every((a) => a.itemId === winner)).toBe(true);
    // A retry on the new version succeeds.
    const retry = await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: version + 1, changes: [{ itemId: items[9]?.id ?? "", answer: { choice: "none" } }] });
    expect(retry?.status).toBe(200);
  });

  it("reads the per-reviewer scores of applications reviewed before the consolidated sheet", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    const rubric = await rubricOf(s, app.rubricVersionId);
    const [a, b] = rubricItems(rubric);
    const lead = String(s.lead.user._id);
    const second = String(s.second.user._id);
    await Assessment.updateOne(
      { tenantId: s.tenant._id, _id: app._id },
      {
        $set: {
          review: {
            byReviewer: {
              [second]: [{ itemId: a?.id, choice: "none" }, { itemId: b?.id, choice: "full" }],
              [lead]: [{ itemId: a?.id, choice: "full" }],
            },
            summaries: {},
            rectifications: [],
            report: null,
          },
        },
      },
    );
    const doc = await reload(s, app._id);
    const sheet = sheetOf(doc.review, panelOf(doc));
    // Per item the lead's score first, else the next member's.
    expect(sheet.answers.map((x) => [x.itemId, x.choice]).sort()).toEqual([[a?.id, "full"], [b?.id, "full"]].sort());
    // The first save turns it into a stored sheet without losing anything.
    const saved = await saveReviewSheet({ tenantId: s.tenant._id, id: app._id, member: s.m.lead, expectedVersion: doc.version, changes: [] });
    expect(saved?.status).toBe(200);
    const after = await reload(s, app._id);
    expect(after.review?.sheet?.answers.map((x) => x.itemId)).toEqual([a?.id, b?.id]);
    expect(after.review?.byReviewer[second]).toHaveLength(2);
  });

  it("the page sends one element at a time; the endpoint saves in the wizard's format; the report form lists what is missing", async () => {
    const s = await gradingSetup();
    const app = await underReview(s);
    const rubric = await rubricOf(s, app.rubricVersionId);
    const [e1, e2] = rubric.elements;
    if (!e1 || !e2) throw new Error("rubric too small");
    const params = { slug: s.tenant.slug, id: String(app._id) };
    const url = `/t/${s.tenant.slug}/reviews/${String(app._id)}`;
    const cookie = await cookieFor(s.lead.user._id);

    const first = await callLoader(sheetLoader, `${url}?element=${e2.id}`, params, { cookie });
    expect(first.status).toBe(200);
    const page = (first.data as { page: { rubric: Rubric; elementId: string; canEditElement: boolean; nav: unknown[]; selfAnswers: Array<{ itemId: string }> } }).page;
    expect(page.elementId).toBe(e2.id);
    expect(page.rubric.elements.map((e) => e.id)).toEqual([e2.id]);
    expect(page.nav).toHaveLength(rubric.elements.length);
    expect(page.canEditElement).toBe(true);
    expect(page.selfAnswers.every((a) => a.itemId.startsWith(`${e2.id}.`))).toBe(true);
    // The whole page data stays small: one element's rubric, answers and evidence.
    expect(JSON.stringify(first.data).length).toBeLessThan(60_000);
    // Not on the panel: 404.
    expect((await callLoader(sheetLoader, url, params, { cookie: await cookieFor(s.outsider.user._id) })).status).toBe(404);

    const item = e2.subElements[0]?.items[0];
    if (!item) throw new Error("no item");
    const version = (await reload(s, app._id)).version;
    const bad = await callAction(saveEndpoint, `${url}/save`, params, {
      cookie,
      form: { intent: "save", version: String(version), changes: JSON.stringify([{ itemId: item.id, answer: { choice: "partial", deductions: [] } }]) },
    });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ ok: false, error: "invalid", itemErrors: { [item.id]: expect.any(Object) } });
    const ok = await callAction(saveEndpoint, `${url}/save`, params, {
      cookie,
      form: { intent: "save", version: String(version), changes: JSON.stringify([{ itemId: item.id, answer: { choice: "none", note: "现场未见记录" } }]) },
    });
    expect(ok.status).toBe(200);
    expect(ok.data).toMatchObject({ ok: true, version: version + 1, saved: [{ itemId: item.id, answer: { choice: "none" } }] });
    const stale = await callAction(saveEndpoint, `${url}/save`, params, {
      cookie: await cookieFor(s.lead.user._id),
      form: { intent: "save", version: String(version), changes: JSON.stringify([{ itemId: item.id, answer: { choice: "full" } }]) },
    });
    expect(stale.status).toBe(409);
    expect(stale.data).toMatchObject({ ok: false, error: "conflict", items: [{ itemId: item.id, changedByOthers: true, current: { choice: "none" } }] });

    // Reporting now: refused, with the missing items and members in the answer.
    const refused = await callAction(sheetAction, url, params, {
      cookie,
      form: { intent: "REPORT_REVIEW", version: String(version + 1), recommendedLevel: "qualified" },
    });
    // The incomplete score gives no level, so "qualified" also needs a reason (shown by the field).
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ errors: { reason: "workflow.block.level-differs-from-score" } });
    expect((refused.data as { reasons: string[] }).reasons).toEqual(expect.arrayContaining(["review-incomplete", "members-not-confirmed"]));
    const missing = (refused.data as { missing: { unscored: string[]; unconfirmed: string[] } }).missing;
    expect(missing.unscored).toHaveLength(rubricItems(rubric).length - 1);
    expect(missing.unconfirmed.sort()).toEqual([String(s.lead.user._id), String(s.second.user._id)].sort());
    // Confirming an incomplete part is refused with the count; the loader lists the gaps with their elements.
    const confirm = await callAction(sheetAction, url, params, { cookie, form: { intent: "confirmPart", version: String(version + 1) } });
    expect(confirm.status).toBe(400);
    expect(confirm.data).toMatchObject({ ok: false, message: "reviewSheet.errors.partIncomplete" });
    const after = await callLoader(sheetLoader, url, params, { cookie });
    const gaps = (after.data as { page: { gaps: { unscored: Array<{ itemId: string; elementId: string }> } } }).page.gaps;
    expect(gaps.unscored[0]).toEqual({ itemId: rubricItems(rubric)[0]?.id, elementId: e1.id });
  });

  it("a large element is split into pages at sub-element boundaries; a link to an item opens its page", async () => {
    const s = await gradingSetup({ medium: true });
    const app = await underReview(s, "level3");
    const rubric = await rubricOf(s, app.rubricVersionId);
    const largest = [...rubric.elements].sort((a, b) => b.subElements.flatMap((x) => x.items).length - a.subElements.flatMap((x) => x.items).length)[0];
    if (!largest) throw new Error("empty rubric");
    const items = largest.subElements.flatMap((x) => x.items);
    expect(items.length).toBeGreaterThan(20);
    const params = { slug: s.tenant.slug, id: String(app._id) };
    const url = `/t/${s.tenant.slug}/reviews/${String(app._id)}`;
    const cookie = await cookieFor(s.lead.user._id);
    type PageData = { page: { part: number; parts: number; rubric: Rubric; answers: unknown[] } };
    const first = await callLoader(sheetLoader, `${url}?element=${largest.id}`, params, { cookie });
    const p1 = (first.data as PageData).page;
    expect(p1.parts).toBeGreaterThan(1);
    expect(p1.part).toBe(1);
    const shown1 = p1.rubric.elements[0]?.subElements.flatMap((x) => x.items) ?? [];
    expect(shown1.length).toBeLessThanOrEqual(20);
    // Loader data of the largest page stays small (issue 13: 120 KB for the whole HTML).
    expect(JSON.stringify(first.data).length).toBeLessThan(45_000);
    const last = items.at(-1);
    const byItem = await callLoader(sheetLoader, `${url}?item=${last?.id ?? ""}`, params, { cookie });
    const p2 = (byItem.data as PageData).page;
    expect(p2.part).toBe(p1.parts);
    expect(p2.rubric.elements[0]?.subElements.flatMap((x) => x.items).map((i) => i.id)).toContain(last?.id);
    // Every item is on exactly one page.
    const seen: string[] = [];
    for (let part = 1; part <= p1.parts; part++) {
      const res = await callLoader(sheetLoader, `${url}?element=${largest.id}&part=${part}`, params, { cookie });
      seen.push(...((res.data as PageData).page.rubric.elements[0]?.subElements.flatMap((x) => x.items.map((i) => i.id)) ?? []));
    }
    expect(seen).toEqual(items.map((i) => i.id));
  });
});

