/** The command line of `npm run check`. */
import * as os from "os";
import * as path from "path";
import { parseArgs as nodeParseArgs } from "node:util";

export interface CheckOptions {
  /** Folder with Pulumi.yaml and the Pulumi.<stack>.yaml files. */
  projectDir: string;
  /** The program's entry; default: Pulumi.yaml `main`, else index.ts (or index.js) in the project folder. */
  program?: string;
  /** Named stacks, or every stack with a stack file. */
  stacks: string[] | "all";
  outDir: string;
  policyPackDir: string;
  policyPackConfigFile?: string;
  preview: boolean;
  /** With `preview`: preview a stack whose resources all exist, instead of the first preview of a new stack. */
  existingStack: boolean;
  json: boolean;
  /** What stdout gets: the text report (default), the JSON report (--json) or the summary and changes as Markdown. */
  format: "text" | "json" | "markdown";
  /** Artifacts of another run (e.g. main's): the report then says what changed against it. */
  baselineDir?: string;
  /** Program processes, each evaluating its share of the stacks one after another. */
  jobs: number;
  quiet: boolean;
}

/** A bad command line; reported with the usage text and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export const USAGE = `usage: npm run check -- [--stack NAME ... | --all] [--out DIR] [--policy-pack-config FILE] [--preview | --preview-existing] [--json | --format FORMAT] [--baseline DIR]

Evaluates the program for each stack under mocks (no cloud account, no Pulumi CLI), runs the policy pack the way
the engine runs it, prints a report and writes reviewable artifacts to DIR/<stack>/.

  --stack NAME                 check this stack (repeatable); Pulumi.NAME.yaml must exist
  --all                        check every stack with a Pulumi.<NAME>.yaml (the default)
  --out DIR                    artifacts folder (default: check-out)
  --policy-pack-config FILE    policy config, as for pulumi preview --policy-pack-config
  --preview                    evaluate as the first pulumi preview of a new stack: nothing exists yet, values
                               known only after the update are unknown, and the Kubernetes provider (its
                               kubeconfig unknown) is not configured, so its resources' state is empty
  --preview-existing           evaluate as pulumi preview of a stack whose resources all exist: every value known,
                               every provider configured
  --json                       print the report as JSON on stdout (progress stays on stderr)
  --format text|json|markdown  what stdout gets: the text report (default), JSON (as --json), or the summary and the
                               changes as Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY
  --baseline DIR               artifacts of another run (its --out folder, e.g. main's from CI): say, per stack,
                               which resources, derived settings, Helm values, findings and costs changed
  --project-dir DIR            folder with Pulumi.yaml and the stack files (default: the current folder)
  --program FILE               the program's entry (default: from Pulumi.yaml, else index.ts)
  --policy-pack DIR            the policy pack (default: policies/ of this repository)
  --jobs N                     program processes; each evaluates its share of the stacks one after another
                               (default: CPUs - 1, at least 1)
  --quiet                      no progress on stderr

Exit codes: 0 clean or advisory findings only; 1 a mandatory policy violation; 2 invalid configuration (stack
config, policy pack config or command line); 3 the program or the policy pack is broken.`;

/** One core is left to the policy pack, which starts and then analyzes while the programs run. */
export function defaultJobs(): number {
  return Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);
}

/** The flags, as node:util parseArgs reads them (strict: anything else is a usage error). */
const FLAGS = {
  help: { type: "boolean", short: "h" },
  stack: { type: "string", short: "s", multiple: true },
  all: { type: "boolean" },
  out: { type: "string" },
  "policy-pack-config": { type: "string" },
  preview: { type: "boolean" },
  "preview-existing": { type: "boolean" },
  json: { type: "boolean" },
  format: { type: "string" },
  baseline: { type: "string" },
  "project-dir": { type: "string" },
  program: { type: "string" },
  "policy-pack": { type: "string" },
  jobs: { type: "string" },
  quiet: { type: "boolean" },
} as const;

/** node:util parseArgs' errors (ERR_PARSE_ARGS_*) in this command's words. */
function usageErrorOf(error: unknown): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
  // "-s, --stack <value>" -> "--stack"; "--verbose" and positionals as given.
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return new UsageError(`${option} needs a value`);
  return new UsageError(`unknown argument ${JSON.stringify(option)}`);
}

export function parseArgs(argv: string[], cwd: string = process.cwd()): CheckOptions | "help" {
  let values: ReturnType<typeof nodeParseArgs<{ options: typeof FLAGS; args: string[]; strict: true }>>["values"];
  try {
    values = nodeParseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageErrorOf(error);
  }
  if (values.help) return "help";
  const format = values.format ?? (values.json ? "json" : "text");
  if (format !== "text" && format !== "json" && format !== "markdown") {
    throw new UsageError(`--format ${format}: expected text, json or markdown`);
  }
  if (values.jobs !== undefined && !/^[1-9]\d*$/.test(values.jobs)) {
    throw new UsageError(`--jobs ${values.jobs}: expected a positive integer`);
  }
  const named = values.stack ?? [];
  if (values.all && named.length > 0) {
    throw new UsageError("--stack and --all exclude each other");
  }
  for (const stack of named) {
    // The CLI's rule and words for stack names (pulumi/pulumi pkg/backend, ValidateStackName).
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
      throw new UsageError(
        `--stack ${JSON.stringify(stack)}: a stack name may only contain alphanumeric, hyphens, underscores, or periods`,
      );
    }
  }
  const resolve = (value: string | undefined) => (value === undefined ? undefined : path.resolve(cwd, value));
  return {
    projectDir: resolve(values["project-dir"]) ?? cwd,
    program: resolve(values.program),
    stacks: named.length > 0 ? [...new Set(named)] : "all",
    outDir: resolve(values.out) ?? path.resolve(cwd, "check-out"),
    policyPackDir: resolve(values["policy-pack"]) ?? path.join(REPO_ROOT, "policies"),
    policyPackConfigFile: resolve(values["policy-pack-config"]),
    preview: Boolean(values.preview || values["preview-existing"]),
    existingStack: Boolean(values["preview-existing"]),
    json: format === "json",
    format,
    baselineDir: resolve(values.baseline),
    jobs: values.jobs !== undefined ? Number(values.jobs) : defaultJobs(),
    quiet: Boolean(values.quiet),
  };
}
