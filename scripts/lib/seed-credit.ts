/**
 * Demo credit-list records for tenant `chengdu` (Step 6): one in each interesting state, for
 * subjects that are NOT the demo enterprises other tests use, so nobody's e2e flow is blocked.
 * Two are published (the public registry has content); one is in its defence period; one was
 * removed at the end of its period (the regulator's archive); one is a draft.
 */
import type { Types } from "mongoose";
import { CreditRecord, type CreditHistoryEntry } from "../../models/credit-record";
import { syncCreditPublication } from "../../app/data/credit-publication.server";
import { addMonths, shanghaiDay } from "../../app/lib/certificate";
import { normalizeForSearch, type CreditListType, type CreditStatus } from "../../app/lib/credit";
import { computeCheckCharacter } from "../../app/lib/credit-code";

const DAY = 24 * 60 * 60 * 1000;
const code = (first17: string) => first17 + computeCheckCharacter(first17);

type DemoRecord = {
  subjectName: string;
  creditCode: string;
  subjectType: "enterprise" | "serviceBody" | "person";
  responsible: { name: string; idNumber: string };
  listType: CreditListType;
  conditionKey: string;
  facts: string;
  legalBasis: string;
  penaltyDecisionNo: string;
  state: string;
  /** Days before now that the notice went out / the listing started. */
  noticeDaysAgo: number | null;
  listedDaysAgo: number | null;
};

export const DEMO_CREDIT_RECORDS: DemoRecord[] = [
  {
    subjectName: "成都鑫达危险化学品储运有限公司",
    creditCode: code("91510112MA6DEMK01"),
    subjectType: "enterprise",
    responsible: { name: "刘某", idNumber: "510112197805061234" },
    listType: "serious2023",
    conditionKey: "c2023_concealed_accident",
    facts: "2026年4月发生一起造成2人受伤的生产安全事故，未按规定报告，事后组织人员隐瞒事故情况。",
    legalBasis: "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）第七条第（四）项",
    penaltyDecisionNo: "成应急罚〔2026〕31号",
    state: "published.listed",
    noticeDaysAgo: 75,
    listedDaysAgo: 60,
  },
  {
    subjectName: "四川安评检测技术服务有限公司",
    creditCode: code("91510104MA6DEMK02"),
    subjectType: "serviceBody",
    responsible: { name: "陈某", idNumber: "510104198202021111" },
    listType: "serious2023",
    conditionKey: "c2023_service_false_report",
    facts: "为多家企业出具与实际情况严重不符的安全评价报告。",
    legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（七）项",
    penaltyDecisionNo: "成应急罚〔2026〕18号",
    state: "published.listed",
    noticeDaysAgo: 200,
    listedDaysAgo: 180,
  },
  {
    subjectName: "成都市龙泉驿区宏昌建材厂",
    creditCode: code("92510112MA6DEMK03"),
    subjectType: "enterprise",
    responsible: { name: "王某", idNumber: "510112196911112222" },
    listType: "serious2023",
    conditionKey: "c2023_refused_penalty",
    facts: "拒不执行责令停产整顿的行政执法决定。",
    legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（八）项",
    penaltyDecisionNo: "成应急罚〔2026〕45号",
    state: "notified.awaiting",
    noticeDaysAgo: 2,
    listedDaysAgo: null,
  },
  {
    subjectName: "成都市金牛区顺通汽车修理厂",
    creditCode: code("92510106MA6DEMK04"),
    subjectType: "enterprise",
    responsible: { name: "赵某", idNumber: "510106197001013333" },
    listType: "dishonest2017",
    conditionKey: "c2017_hazard_unfixed",
    facts: "喷漆作业场所重大事故隐患经责令整改后拒不整改。",
    legalBasis: "《对安全生产领域失信行为开展联合惩戒的实施办法》（安监总办〔2017〕49号）",
    penaltyDecisionNo: "成安监罚〔2023〕7号",
    state: "removed.expired",
    noticeDaysAgo: 800,
    listedDaysAgo: 780,
  },
  {
    subjectName: "成都某某烟花爆竹经营部",
    creditCode: code("92510115MA6DEMK05"),
    subjectType: "enterprise",
    responsible: { name: "孙某", idNumber: "510115198506064444" },
    listType: "serious2023",
    conditionKey: "c2023_no_licence",
    facts: "未取得烟花爆竹经营（零售）许可证擅自经营。",
    legalBasis: "《安全生产严重失信主体名单管理办法》第七条第（六）项",
    penaltyDecisionNo: "",
    state: "draft",
    noticeDaysAgo: null,
    listedDaysAgo: null,
  },
];

function entry(at: Date, event: string, from: string, to: string, note = ""): CreditHistoryEntry {
  return { at, event, from, to, actor: { kind: "user", userId: null, name: "监管员" }, note };
}

export async function seedDemoCreditRecords(tenantId: Types.ObjectId, regulatorId: Types.ObjectId | null, now = new Date()) {
  for (const r of DEMO_CREDIT_RECORDS) {
    const noticeAt = r.noticeDaysAgo === null ? null : new Date(now.getTime() - r.noticeDaysAgo * DAY);
    const listedAt = r.listedDaysAgo === null ? null : new Date(now.getTime() - r.listedDaysAgo * DAY);
    const periodMonths = r.listType === "serious2023" ? 36 : 12;
    const endsAt = listedAt ? addMonths(listedAt, periodMonths) : null;
    const defenceDeadline = noticeAt ? new Date(noticeAt.getTime() + 7 * DAY) : null;
    const status = (r.state.split(".")[0] ?? "draft") as CreditStatus;
    const history: CreditHistoryEntry[] = [entry(new Date((noticeAt ?? now).getTime() - DAY), "CREATE", "", "draft")];
    if (noticeAt) history.push(entry(noticeAt, "SEND_NOTICE", "draft", "notified.awaiting"));
    if (listedAt && defenceDeadline) {
      history.push(entry(new Date(defenceDeadline.getTime() + 1), "DEFENCE_WINDOW_PASSED", "notified.awaiting", "notified.windowPassed"));
      history.push(entry(new Date(listedAt.getTime() - DAY), "DECIDE_LIST", "notified.windowPassed", "decided", "经审查，决定列入。"));
      history.push(entry(listedAt, "PUBLISH", "decided", "published.listed"));
    }
    if (status === "removed" && endsAt) history.push(entry(endsAt, "EXPIRE", "published.listed", "removed.expired"));
    const created = await CreditRecord.create({
      tenantId,
      subjectName: r.subjectName,
      creditCode: r.creditCode,
      subjectType: r.subjectType,
      responsiblePerson: r.responsible,
      listType: r.listType,
      conditionKey: r.conditionKey,
      facts: r.facts,
      legalBasis: r.legalBasis,
      penaltyDecisionNo: r.penaltyDecisionNo,
      authority: "成都市应急管理局",
      noticeAt,
      defenceDeadline,
      decidedAt: listedAt ? new Date(listedAt.getTime() - DAY) : null,
      decisionText: listedAt ? "经审查，决定列入。" : "",
      listedAt,
      endsAt,
      removedAt: status === "removed" ? endsAt : null,
      removalReason: status === "removed" ? "expired" : null,
      state: r.state,
      status,
      enterpriseId: null,
      search: { name: normalizeForSearch(r.subjectName), code: normalizeForSearch(r.creditCode) },
      listedYear: listedAt ? shanghaiDay(listedAt).year : null,
      history,
      effects: null,
      effectsPending: false,
      version: history.length - 1,
      createdBy: regulatorId,
    });
    // The public registry reads the read model only.
    await syncCreditPublication({ tenantId, recordId: created._id });
  }
}
