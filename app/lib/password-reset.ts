/** Form schemas of the password-reset pages (shared by the browser and the actions). */
import { z } from "zod";
import { emailSchema, msg, passwordSchema } from "./validation";

export const forgotPasswordSchema = z.object({ email: emailSchema });

export const resetPasswordSchema = z
  .object({ password: passwordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, {
    path: ["confirmPassword"],
    error: msg("errors.password.mismatch"),
  });
