import { deriveSettings, resolveConfig, Profile, Settings } from "../../settings";
import * as upstream from "../../settings/upstream";
import { bytesOf } from "../support/program";

export const PROJECT = "observability-stack";
export const PROFILES: Profile[] = ["dev", "staging", "prod"];
export const AZS = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
export const STORAGE_CLASS = "gp3";

/** Settings exactly as the program derives them for a profile, optionally with extra stack config (JSON per key). */
export function settingsFor(profile: Profile, extra: Record<string, unknown> = {}): Settings {
  const raw: Record<string, string> = { profile };
  for (const [k, v] of Object.entries(extra)) raw[k] = JSON.stringify(v);
  return deriveSettings(resolveConfig(PROJECT, raw));
}

/** "1792Mi" -> 1792; "2Gi" -> 2048: the program tests' quantity parser, in MiB. */
export function mebibytesOf(quantity: string): number {
  return bytesOf(quantity) / upstream.bytes.MiB;
}

/** Everything reachable in a JSON-able value, as text: for "is this secret anywhere in here" checks. */
export function serialized(value: unknown): string {
  return JSON.stringify(value);
}
