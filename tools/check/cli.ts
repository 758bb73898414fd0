/**
 * `npm run check`: what an environment will deploy and whether the policy pack accepts it, with no cloud account
 * and no Pulumi CLI. See USAGE in options.ts for flags and exit codes.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, UsageError, USAGE, type CheckOptions } from "./options";
import { EXIT, type ExitCode } from "./outcome";
import type { CheckReport, WrittenArtifacts } from "./report";
import { runCheck, type CheckRun } from "./run";

// The report and the artifacts (with the planning and YAML code they use) are loaded once the programs and the
// policy pack are running, not before: their ~75 ms would otherwise delay starting both (see check below).

export const REPORT_TEXT_FILE = "report.txt";
export const REPORT_JSON_FILE = "report.json";
export const REPORT_MARKDOWN_FILE = "report.md";

function progressReporter(quiet: boolean): (message: string) => void {
  const started = Date.now();
  return quiet
    ? () => undefined
    : (message) => process.stderr.write(`[check +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/** Writes each evaluated stack's artifacts (and removes stale ones of stacks that failed), then the reports. */
function writeArtifacts(
  options: CheckOptions,
  run: CheckRun,
  { stackArtifacts, removeStackArtifacts, writeStackArtifacts }: typeof import("./artifacts"),
): WrittenArtifacts[] {
  const written: WrittenArtifacts[] = [];
  for (const stack of run.stacks) {
    if (stack.captured && !stack.captured.error) {
      const artifacts = stackArtifacts(stack.captured);
      written.push({
        stack: stack.stack,
        artifacts,
        files: writeStackArtifacts(options.outDir, stack.stack, artifacts),
      });
    } else {
      removeStackArtifacts(options.outDir, stack.stack);
    }
  }
  return written;
}

export async function check(options: CheckOptions): Promise<{ report: CheckReport; text: string; markdown: string }> {
  const progress = progressReporter(options.quiet);
  const running = runCheck(options, progress);
  // Loaded while the programs and the pack run (runCheck has started them by now), so the report is quick to write.
  const reportModule = import("./report");
  const artifactsModule = import("./artifacts");
  const run = await running;
  const { buildReport, renderReport, shownPath } = await reportModule;
  fs.mkdirSync(options.outDir, { recursive: true });
  const written = writeArtifacts(options, run, await artifactsModule);
  const report = buildReport(run, written, shownPath(options.outDir));
  if (options.baselineDir) {
    const { compareWithBaseline } = await import("./changes");
    report.changes = compareWithBaseline(options.baselineDir, report, options.outDir);
  }
  const text = renderReport(report);
  const markdown = (await import("./markdown")).renderMarkdown(report);
  fs.writeFileSync(path.join(options.outDir, REPORT_TEXT_FILE), text);
  fs.writeFileSync(path.join(options.outDir, REPORT_JSON_FILE), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(options.outDir, REPORT_MARKDOWN_FILE), markdown);
  progress(`report and artifacts written to ${options.outDir}`);
  return { report, text, markdown };
}

export async function main(argv: string[]): Promise<ExitCode> {
  let options: CheckOptions | "help";
  try {
    options = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`check: ${err.message}\n\n${USAGE}\n`);
    return EXIT.invalidConfig;
  }
  if (options === "help") {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.clean;
  }
  try {
    if (options.baselineDir && !fs.existsSync(path.join(options.baselineDir, REPORT_JSON_FILE))) {
      throw new UsageError(
        `--baseline ${options.baselineDir}: no ${REPORT_JSON_FILE} there; give the --out folder of another check run`,
      );
    }
    const { report, text, markdown } = await check(options);
    process.stdout.write(
      options.format === "json"
        ? `${JSON.stringify(report, null, 2)}\n`
        : options.format === "markdown"
          ? markdown
          : text,
    );
    // The text report ends with the summary line; with --json, people watching stderr still get it.
    if (options.format !== "text") process.stderr.write(`${report.summary.line}\n`);
    return report.summary.exitCode;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`check: ${err.message}\n`);
      return EXIT.invalidConfig;
    }
    // Reading Pulumi.yaml failed, or the check itself is broken: never a clean result.
    process.stderr.write(`check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.broken;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = EXIT.broken;
    },
  );
}
