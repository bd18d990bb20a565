import type { z } from "zod";
import type { EmailContent, EmailContext } from "./layout";

/** One email: its data schema, sample data for the preview page, and its content per language. */
export type EmailTemplate<S extends z.ZodType = z.ZodType> = {
  schema: S;
  sample: z.input<S>;
  /** The worker attaches the application's certificate PDF, generated at send time. */
  attachCertificate?: boolean;
  /**
   * Data fields that grant access (links carrying a token): only the recipient's mailbox may hold
   * them; every admin page, preview and log shows them redacted (emails/redact.ts).
   */
  secrets?: ReadonlyArray<keyof z.output<S> & string>;
  content(data: z.output<S>, ctx: EmailContext): EmailContent;
};

/** The registry's erased form: `content` only ever receives data its own schema produced. */
export type AnyEmailTemplate = {
  schema: z.ZodType;
  sample: unknown;
  attachCertificate?: boolean;
  secrets: readonly string[];
  content(data: unknown, ctx: EmailContext): EmailContent;
};

export function defineEmail<S extends z.ZodType>(template: EmailTemplate<S>): AnyEmailTemplate {
  return {
    schema: template.schema,
    sample: template.sample,
    attachCertificate: template.attachCertificate,
    secrets: template.secrets ?? [],
    content: (data, ctx) => template.content(data as z.output<S>, ctx),
  };
}
