/**
 * Where the index-coverage check (decision 011) deliberately lets the filter stage do the work.
 * Keep this short: every entry is a field that is not selective enough to earn a position in an
 * index (a handful of values, or a search box), filtered while MongoDB walks an index that already
 * bounds the query by its selective fields and delivers the page order. docs/scale-out.md explains
 * the choice per collection. A new query whose *selective* fields no index serves still fails.
 */
import type { CollectionIndexes } from "./index-coverage";

type Policy = Pick<CollectionIndexes, "residual" | "wholeCollection" | "exemptCallers">;

const SEARCH_BOX = "search box: unanchored substring match, no index can bound it; filtered while paging in sort order";

export const INDEX_POLICY: Record<string, Policy> = {
  assessments: {
    residual: {
      cycle: "optional year filter on the queues; a tenant has 3–4 active cycles",
      submittedAt: "`submittedAt ≠ null` only hides drafts (the state already does)",
      "deadlines.acceptBy": "overdue filter: checked on the applications of one waiting state",
      "deadlines.reviewBy": "overdue filter: checked on the applications of one waiting state",
      "deadlines.rectifyBy": "overdue filter: checked on the applications of one waiting state",
      enterpriseId: "district filter on the queues ($in of the district's enterprises); the state bounds the scan",
      rubricKey: "re-score preview (rare admin action): a tenant has few rubrics, most applications match",
      rubricVersionId: "re-score preview (rare admin action): a tenant has few rubrics, most applications match",
    },
    exemptCallers: { fillApplicationRows: "one-off start-up fill of the list view, once per database (decision 027)" },
  },
  audit_events: {
    exemptCallers: { ensureAuditLogCurrent: "one-off background fill of the month buckets, once per database (decision 034)" },
  },
  certificates: {
    residual: {
      level: "three levels",
      status: "five statuses; most certificates are valid",
      validUntil: "expiring-soon filter on the certificate list, paged in issue order",
      blockedUntil: "one enterprise's revoked certificates (a handful)",
      "enterprise.districtCode": "optional list filter, paged in issue order",
      "enterprise.industry": "optional list filter, paged in issue order",
      "enterprise.name": SEARCH_BOX,
      "enterprise.creditCode": SEARCH_BOX,
      number: SEARCH_BOX,
    },
  },
  credit_publications: {
    residual: {
      conditionKey: "registry filter (9 + 8 conditions), paged in listing order",
      listedYear: "registry filter (a few years), paged in listing order",
      listType: "two list types",
    },
    exemptCallers: {
      reconcileCreditPublications: "explicit full repair (start-up / admin), reads ids only",
      buildAll: "the name index's build, once per database or on an explicit repair (decision 036)",
    },
  },
  credit_postings: {
    exemptCallers: { writeBuiltPostings: "the name index's build empties it, once per database or on an explicit repair (decision 036)" },
  },
  credit_posting_refs: {
    exemptCallers: { writeBuiltPostings: "the name index's build empties it, once per database or on an explicit repair (decision 036)" },
  },
  credit_records: {
    residual: {
      status: "a few statuses; one enterprise or code has a handful of records",
      state: "workflow state within one status",
    },
  },
  dashboard_snapshot_data: {
    residual: { createdAt: "at most a few data documents per tenant (old ones are deleted)" },
  },
  enterprises: {
    residual: {
      districtCode: "optional list filter, paged in name order",
      industry: "optional list filter (≈ 10 industries), paged in name order",
      sizeClass: "optional list filter (4 size classes), paged in name order",
      status: "two statuses",
      name: SEARCH_BOX,
      creditCode: SEARCH_BOX,
    },
  },
  "evidence.chunks": {
    residual: { _id: "stray-chunk purge: the files_id list already bounds the scan" },
  },
  "evidence.files": {
    residual: { uploadDate: "orphan purge walks _id order, bounded by an _id made from the cut-off time" },
  },
  invitations: {
    residual: {
      role: "a handful of roles",
      revokedAt: "pending invitations: not revoked …",
      usedAt: "… not used …",
      expiresAt: "… not expired; a tenant has few pending invitations per e-mail or page",
      enterpriseId: "an enterprise admin's view of the tenant's pending invitations",
    },
  },
  memberships: {
    residual: { role: "a handful of roles within one enterprise" },
    exemptCallers: { fillMemberAccess: "one-off start-up fill of the access documents (decision 010)" },
  },
  outbox_messages: {
    exemptCallers: { backfillLegacyMessages: "one-off migration of pre-worker messages, once per process" },
  },
  password_resets: {
    residual: { usedAt: "a user has at most a few reset tokens" },
  },
  rubric_versions: {
    residual: { status: "a tenant has a few dozen rubric versions" },
  },
  sessions: {
    residual: { expiresAt: "a user has a few sessions" },
  },
  tenants: {
    wholeCollection: "one tenant per city programme: platform jobs iterate all of them (tens)",
  },
};
