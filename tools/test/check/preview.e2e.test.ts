// `--preview` (the first preview of a new stack) and `--preview-existing` (a preview of a stack that exists).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { CheckReport } from "../../../tools/check/report";
import type { PoliciesData } from "../../../tools/check/sections/policies";
import { removeTempDirs, runCheckCli, tempDir, type CheckResult } from "./support";
import { UNKNOWABLE_IN_FIRST_PREVIEW } from "../../../test/support/first-preview";

/** Runs the check CLI once for the suite; the fields fill in before the tests run. */
function checkRun(args: string[]): { out: string; result: CheckResult; report: CheckReport } {
  const run = {} as { out: string; result: CheckResult; report: CheckReport };
  before(async () => {
    run.out = tempDir("out");
    run.result = await runCheckCli([...args, "--json", "--out", run.out]);
    run.report = JSON.parse(run.result.stdout) as CheckReport;
  });
  after(removeTempDirs);
  return run;
}

/** Exit 0, a preview, the scenario named in the report and on the summary line. */
function assertPassedAs(run: ReturnType<typeof checkRun>, scenario: string, stack: string): void {
  assert.equal(run.result.status, 0, `${run.result.stderr}\n${run.report.summary?.line}`);
  assert.equal(run.report.mode, "preview");
  assert.equal(run.report.scenario, scenario);
  assert.ok(
    run.report.summary.line.startsWith(`check: 1 stack (${scenario}) — ${stack} passed`),
    run.report.summary.line,
  );
}

describe("npm run check --preview (first preview of a new stack)", function () {
  this.timeout(300_000);
  const run = checkRun(["--stack", "prod", "--preview"]);

  it("runs as a new stack's preview and passes, every policy judging but those no first preview can", () => {
    assertPassedAs(run, "first preview of a new stack", "prod");
    const policies = run.report.stacks[0].sections.policies as PoliciesData;
    assert.equal(policies.preview, true);
    assert.deepEqual(
      policies.verdicts
        .filter((v) => v.verdict === "inconclusive" && !UNKNOWABLE_IN_FIRST_PREVIEW.has(v.name))
        .map((v) => v.name),
      [],
    );
  });

  it("reads the Kafka settings from the custom resources' inputs, as the pack does, not from their empty state", () => {
    const rows = (
      run.report.stacks[0].sections.settings as { kafkaSizes: { setting: string; value: unknown; source: string }[] }
    ).kafkaSizes;
    const topic = rows.find((r) => r.setting === "Kafka topic max.message.bytes")!;
    // The KafkaTopic's state is {} in this scenario: the value and its source come from the inputs Analyze received.
    assert.equal(topic.value, 16777216);
    assert.match(topic.source, /^KafkaTopic mimir-ingest spec\.config\["max\.message\.bytes"\]/);
    assert.ok(
      rows.every((r) => !/\(none\)/.test(r.source)),
      JSON.stringify(rows),
    );
  });

  it("shows values known only once the stack exists as [unknown]; names the program gives are known", () => {
    const resources = fs.readFileSync(path.join(run.out, "prod", "resources.json"), "utf8");
    assert.match(resources, /"\[unknown\]"/);
    const mimir = fs.readFileSync(path.join(run.out, "prod", "values", "mimir.yaml"), "utf8");
    assert.match(mimir, /bucket_name: prod-mimir-blocks-123456789012-eu-west-1/);
    assert.match(mimir, /existingSecret: mimir-gateway-htpasswd/);
    // The IRSA role's ARN is the IAM service's answer: known only once the role exists.
    assert.match(mimir, /eks\.amazonaws\.com\/role-arn: "\[unknown\]"/);
    assert.match(mimir, /# Values shown as "\[unknown\]" are known only during the update/);
  });
});

describe("npm run check --preview-existing (a preview of a stack that exists)", function () {
  this.timeout(300_000);
  const run = checkRun(["--stack", "dev", "--preview-existing"]);

  it("runs as a preview with every value known", () => {
    assertPassedAs(run, "preview of an existing stack", "dev");
    const resources = fs.readFileSync(path.join(run.out, "dev", "resources.json"), "utf8");
    assert.doesNotMatch(resources, /"\[unknown\]"/);
  });
});
