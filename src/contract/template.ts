/** A synthesized CloudFormation template, as far as the local twin reads it (infra/twin-template.ts makes one). */
export interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
}
