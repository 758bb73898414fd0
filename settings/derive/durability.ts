// What may be deleted with the stack and what must survive any ordinary `pulumi up`: decided once, from the profile.
import type { Profile } from "../schema";

export interface DurabilitySettings {
  /**
   * Pulumi's `protect` on everything that holds data (buckets, KMS keys, the control-plane log group): outside dev a
   * change that would delete or replace one stops before it happens (README, "Retiring an environment"; the policy
   * pack's S10 checks it).
   */
  protectStatefulResources: boolean;
  /** dev buckets may be destroyed with their data; elsewhere `pulumi destroy` stops at a non-empty bucket. */
  forceDestroyBuckets: boolean;
  /**
   * How long S3 server access logs are kept: a year, long enough to investigate an incident found late. A choice of
   * ours (AWS Security Hub S3.9 asks for logging, not for a retention).
   */
  accessLogRetentionDays: number;
}

export function deriveDurability(profile: Profile): DurabilitySettings {
  const disposable = profile === "dev";
  return { protectStatefulResources: !disposable, forceDestroyBuckets: disposable, accessLogRetentionDays: 365 };
}
