import mongoose, { Schema, type Model } from "mongoose";

/** One row per scheduled job; `nextRunAt` is claimed with a compare-and-set so one instance runs it. */
export type JobScheduleDoc = {
  _id: string;
  nextRunAt: Date;
  lockedBy: string;
  lockedAt: Date | null;
  lastRunAt: Date | null;
  lastResult: string;
  lastError: string;
  runs: number;
};

const schema = new Schema<JobScheduleDoc>(
  {
    _id: { type: String, required: true },
    nextRunAt: { type: Date, required: true },
    lockedBy: { type: String, default: "" },
    lockedAt: { type: Date, default: null },
    lastRunAt: { type: Date, default: null },
    lastResult: { type: String, default: "" },
    lastError: { type: String, default: "" },
    runs: { type: Number, default: 0 },
  },
  { versionKey: false },
);

export const JobSchedule: Model<JobScheduleDoc> =
  mongoose.models.JobSchedule ?? mongoose.model<JobScheduleDoc>("JobSchedule", schema, "job_schedules");
