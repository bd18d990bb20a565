/** Step 10 (issue 14): complete submissions, the block after a rejection, review bodies and panels. */
const zh = {
  "workflow.block.assessment-incomplete": "自评尚未完成：还有适用的评审项未作答",
  "workflow.app.unansweredTitle": "以下 {count} 项尚未作答，全部作答（或注明不适用及理由）后方可提交：",
  "workflow.app.unansweredMore": "另有 {count} 项未作答，在自评汇总中查看全部",
  "workflow.errors.blockedAfterRejection":
    "本企业 {cycle} 年度的定级申请未予通过，{date} 前不能再次申请定级",
};

export const review = {
  "zh-CN": zh,
  en: {
    "workflow.block.assessment-incomplete":
      "The self-assessment is not complete: applicable items are still unanswered",
    "workflow.app.unansweredTitle":
      "These {count} items are unanswered; answer every one (or mark it not applicable with a reason) before submitting:",
    "workflow.app.unansweredMore": "{count} more unanswered items: see them all in the self-assessment summary",
    "workflow.errors.blockedAfterRejection":
      "This enterprise's application for {cycle} was rejected; it cannot apply again before {date}",
  } satisfies Record<keyof typeof zh, string>,
};
