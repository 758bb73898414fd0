/**
 * The environment the Node language host gives a program (sdk/nodejs/cmd/pulumi-language-nodejs/main.go): config
 * and secret keys as JSON, plus project, stack and dry-run flags the runtime reads at load time. Both the parent
 * (for a one-stack process, before it starts) and a shared child (before each stack) set it from here.
 */
import type { CaptureChildRequest } from "./capture-child";

/** Every variable `languageHostEnvironment` may set; the ones it leaves out must be cleared. */
export const LANGUAGE_HOST_VARIABLES = [
  "PULUMI_CONFIG",
  "PULUMI_CONFIG_SECRET_KEYS",
  "PULUMI_NODEJS_PROJECT",
  "PULUMI_NODEJS_STACK",
  "PULUMI_NODEJS_DRY_RUN",
  "PULUMI_NODEJS_ORGANIZATION",
] as const;

type LanguageHostVariable = (typeof LANGUAGE_HOST_VARIABLES)[number];

export function languageHostEnvironment(request: CaptureChildRequest): Partial<Record<LanguageHostVariable, string>> {
  return {
    PULUMI_CONFIG: JSON.stringify(request.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.secretKeys),
    PULUMI_NODEJS_PROJECT: request.project,
    PULUMI_NODEJS_STACK: request.stack,
    PULUMI_NODEJS_DRY_RUN: String(request.preview),
    ...(request.organization ? { PULUMI_NODEJS_ORGANIZATION: request.organization } : {}),
  };
}

/** Replaces whatever a previous stack left in `env` with this request's language host variables. */
export function setLanguageHostEnvironment(env: NodeJS.ProcessEnv, request: CaptureChildRequest | undefined): void {
  for (const key of LANGUAGE_HOST_VARIABLES) {
    delete env[key];
  }
  if (request) {
    Object.assign(env, languageHostEnvironment(request));
  }
}
