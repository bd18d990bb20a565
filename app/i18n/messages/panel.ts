/** Review bodies (评审单位), experts (评审员) and review panels (评审组): Step 10. */
const zh = {
  // The workflow step and its refusals (BlockReason codes added for panels)
  "workflow.state.reviewBodyAssigned": "已委托评审单位（待组建评审组）",
  "workflow.event.ASSIGN_REVIEW_BODY": "委托评审单位",
  "workflow.action.ASSIGN_REVIEW_BODY": "委托评审单位",
  "workflow.block.review-body-not-eligible": "请选择本辖区内在用的评审单位",
  "workflow.block.review-body-unchanged": "该申请已由此评审单位组建评审组；如需调整，请由评审单位重新组建",
  "workflow.block.no-review-body": "请先委托评审单位，再组建评审组",
  "workflow.block.lead-not-member": "组长必须是评审组成员（每个评审组有且只有一名组长）",
  "workflow.block.reviewer-not-eligible": "有所选人员不是本评审单位在本辖区登记的评审专家",
  "workflow.block.reviewer-inactive": "有所选评审专家已停用",
  "workflow.block.reviewer-employee": "有所选评审专家是被评审企业的人员，需回避",
  "workflow.block.lead-rotation": "本辖区要求组长轮换：组长不能与该企业上一次评审的组长相同",
  "workflow.errors.reviewBodyRequired": "请选择评审单位",
  "workflow.errors.oneLead": "请为评审组指定一名组长（只能一名）",
  "workflow.form.reviewBody": "评审单位",
  "workflow.form.reviewBodyNone": "本辖区尚未登记在用的评审单位",
  "workflow.app.reviewBody": "评审单位",
  "workflow.app.reviewBodyNone": "尚未委托",
  "workflow.app.lead": "组长",
  "workflow.app.openPanel": "组建评审组",
  "panel.errors.certificateNo": "证书编号只能包含字母、数字和 - / ( )",
  "panel.errors.specialty": "专业领域不在行业列表中",
  "panel.errors.specialtyRequired": "请至少选择一个专业领域",
};

export const panel = {
  "zh-CN": zh,
  en: {
    "workflow.state.reviewBodyAssigned": "Review body assigned (panel to be formed)",
    "workflow.event.ASSIGN_REVIEW_BODY": "Review body assigned",
    "workflow.action.ASSIGN_REVIEW_BODY": "Assign a review body",
    "workflow.block.review-body-not-eligible": "Choose an active review body of this authority",
    "workflow.block.review-body-unchanged":
      "This review body already formed the panel; to change it, the review body re-forms the panel",
    "workflow.block.no-review-body": "Assign a review body before a panel is formed",
    "workflow.block.lead-not-member": "The lead must be a panel member (a panel has exactly one lead)",
    "workflow.block.reviewer-not-eligible":
      "Someone chosen is not an expert of this review body registered with this authority",
    "workflow.block.reviewer-inactive": "An expert chosen is deactivated",
    "workflow.block.reviewer-employee":
      "An expert chosen works for the graded enterprise and must stand aside",
    "workflow.block.lead-rotation":
      "Lead rotation is on: the lead must differ from the lead of the enterprise's previous review",
    "workflow.errors.reviewBodyRequired": "Choose a review body",
    "workflow.errors.oneLead": "Choose one lead for the panel (exactly one)",
    "workflow.form.reviewBody": "Review body",
    "workflow.form.reviewBodyNone": "No active review body is registered with this authority",
    "workflow.app.reviewBody": "Review body",
    "workflow.app.reviewBodyNone": "Not assigned yet",
    "workflow.app.lead": "Lead",
    "workflow.app.openPanel": "Form the panel",
    "panel.errors.certificateNo": "A certificate number may hold letters, digits and - / ( ) only",
    "panel.errors.specialty": "This specialty is not in the industry list",
    "panel.errors.specialtyRequired": "Choose at least one specialty",
  } satisfies Record<keyof typeof zh, string>,
};
