// `--preview`: the program evaluated as `pulumi preview` does, where values known only after the update are unknown.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { CheckReport } from "../../../tools/check/report";
import type { PoliciesData } from "../../../tools/check/sections/policies";
import { removeTempDirs, runCheckCli, tempDir, type CheckResult } from "./support";

describe("npm run check --preview", function () {
  this.timeout(300_000);
  let out: string;
  let result: CheckResult;
  let report: CheckReport;

  before(async () => {
    out = tempDir("out");
    result = await runCheckCli(["--stack", "prod", "--preview", "--json", "--out", out]);
    report = JSON.parse(result.stdout) as CheckReport;
  });
  after(removeTempDirs);

  it("runs as a preview and passes: an unknown value never makes a mandatory violation", () => {
    assert.equal(result.status, 0, `${result.stderr}\n${report.summary?.line}`);
    assert.equal(report.mode, "preview");
    assert.match(report.summary.line, /^check: 1 stack \(preview\) — prod passed/);
    assert.equal((report.stacks[0].sections.policies as PoliciesData).preview, true);
  });

  it("marks the policies that could not decide until the update as inconclusive, with the SDK's reason", () => {
    const policies = report.stacks[0].sections.policies as PoliciesData;
    const inconclusive = policies.verdicts.filter((v) => v.verdict === "inconclusive");
    assert.ok(inconclusive.length > 0, "bucket names and role ARNs are unknown in a preview");
    for (const verdict of inconclusive) {
      assert.ok(verdict.findings.every((f) => f.level === "advisory" && /can't run .* during preview/.test(f.message)), verdict.name);
    }
  });

  it("shows unknown values as [unknown] in the artifacts", () => {
    const resources = fs.readFileSync(path.join(out, "prod", "resources.json"), "utf8");
    assert.match(resources, /"\[unknown\]"/);
    const mimir = fs.readFileSync(path.join(out, "prod", "values", "mimir.yaml"), "utf8");
    assert.match(mimir, /bucket_name: "\[unknown\]"/);
    assert.match(mimir, /# Values shown as "\[unknown\]" are known only during the update/);
  });
});
