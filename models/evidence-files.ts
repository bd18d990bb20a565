/**
 * Evidence files live in a GridFS bucket (app/data/evidence.server.ts), not in a mongoose model.
 * Their indexes are declared here so that start-up creates them and the index-coverage check
 * (decision 011) knows them: GridFS's own two, plus ownership and upload date (orphan purge).
 */
export const EVIDENCE_BUCKET = "evidence";

export type GridFsIndex = { collection: string; keys: Record<string, 1 | -1>; unique?: boolean };

export const EVIDENCE_INDEXES: readonly GridFsIndex[] = [
  { collection: `${EVIDENCE_BUCKET}.chunks`, keys: { files_id: 1, n: 1 }, unique: true },
  { collection: `${EVIDENCE_BUCKET}.files`, keys: { filename: 1, uploadDate: 1 } },
  { collection: `${EVIDENCE_BUCKET}.files`, keys: { "metadata.tenantId": 1, "metadata.assessmentId": 1 } },
  { collection: `${EVIDENCE_BUCKET}.files`, keys: { uploadDate: 1 } },
];
