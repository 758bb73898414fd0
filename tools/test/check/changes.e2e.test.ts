// A pull request's view: `--baseline` against another run's artifacts, `--format markdown` for the comment. One known
// change (prod keeps metrics 120 days instead of 90) must show every derived setting it moves, old and new, the
// Helm value behind it, the resources it updates and the cost delta, and nothing else.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { aroundFirstDifference } from "../../../tools/check/changes";
import type { CheckReport } from "../../../tools/check/report";
import { PROGRAM, REPO_ROOT, removeTempDirs, runCheckCli, tempDir, tempProject, type CheckResult } from "./support";

const stackFile = (stack: string) => fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");

describe("npm run check --baseline: what a change does", function () {
  this.timeout(300_000);
  after(removeTempDirs);

  let markdown: CheckResult;
  let report: CheckReport;
  let baseline: string;
  before(async () => {
    baseline = tempDir("baseline");
    const base = await runCheckCli(["--stack", "prod", "--out", baseline, "--quiet"]);
    assert.equal(base.status, 0, base.stderr);
    const prod = stackFile("prod").replace(
      "  observability-stack:tenants:",
      "  observability-stack:retention:\n    metrics: 120d\n  observability-stack:tenants:",
    );
    const project = tempProject({ prod });
    const out = tempDir("out");
    markdown = await runCheckCli([
      "--project-dir",
      project,
      "--program",
      PROGRAM,
      "--out",
      out,
      "--baseline",
      baseline,
      "--format",
      "markdown",
      "--quiet",
    ]);
    report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")) as CheckReport;
  });

  it("lists every derived setting that moved with its old and new value, and no other", () => {
    const prod = report.changes!.find((c) => c.stack === "prod")!;
    assert.deepEqual(
      prod.settings.map((s) => [s.where, s.before, s.after]),
      [
        ["retention: Mimir blocks retention (all tenants)", "90d", "120d"],
        [
          "retention: S3 buckets-mimirBlocks expiration",
          "92 days on platform/; 92 days on team-payments/",
          "122 days on platform/; 122 days on team-payments/",
        ],
      ],
    );
    assert.deepEqual(
      prod.values.map((v) => v.where),
      ["mimir mimir.structuredConfig.limits.compactor_blocks_retention_period"],
    );
    assert.deepEqual(prod.resources, {
      added: [],
      removed: [],
      replaced: [],
      changed: ["BucketLifecycleConfiguration buckets-mimirBlocks", "Release mimir-release"],
    });
    assert.deepEqual(prod.findings, { appeared: [], cleared: [] });
    assert.deepEqual(prod.dataMoves, [], "a longer retention strands no stored data");
    assert.ok(prod.cost && prod.cost.after > prod.cost.before, "a longer retention stores more blocks");
  });

  it("calls out a change that strands stored data, which no policy can see: a Mimir storage prefix added", async () => {
    const prod = stackFile("prod").replace(
      "  observability-stack:tenants:",
      [
        "  observability-stack:overrides:",
        "    mimir:",
        "      mimir:",
        "        structuredConfig:",
        "          blocks_storage:",
        "            storage_prefix: blocks",
        "  observability-stack:tenants:",
      ].join("\n"),
    );
    const out = tempDir("prefix");
    const run = await runCheckCli([
      ...["--project-dir", tempProject({ prod }), "--program", PROGRAM, "--out", out, "--baseline", baseline],
      "--quiet",
    ]);
    assert.equal(run.status, 0, "the policies pass it: only the baseline knows the blocks were stored without one");
    const moved = (JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")) as CheckReport).changes!;
    assert.deepEqual(
      moved.find((c) => c.stack === "prod")!.dataMoves.map((m) => [m.where, m.before, m.after]),
      [["mimir mimir.structuredConfig.blocks_storage.storage_prefix", "(not set)", "blocks"]],
    );
    assert.match(
      fs.readFileSync(path.join(out, "report.txt"), "utf8"),
      /STRANDS STORED DATA mimir mimir\.structuredConfig\.blocks_storage\.storage_prefix: \(not set\) -> blocks\n {4}everything already written under the old location/,
    );
  });

  it("renders the summary and the change set as Markdown for the pull-request comment", () => {
    assert.equal(markdown.status, 0, markdown.stderr);
    const text = markdown.stdout;
    assert.ok(text.startsWith("<!-- observability-stack check -->\n"), "the marker the workflow finds its comment by");
    assert.match(text, /\| prod \| passed \| cost \$[\d,]+\/month/);
    assert.match(text, /#### What this change does\n\n\*\*prod\*\*\n- cost: \$[\d,]+ → \$[\d,]+\/month \(\+\$\d+\)/);
    assert.match(text, /\| retention: Mimir blocks retention \(all tenants\) \| 90d \| 120d \|/);
    assert.match(
      text,
      /\| retention: S3 buckets-mimirBlocks expiration \| 92 days on platform\/; 92 days on team-payments\/ \| 122 days on platform\/; 122 days on team-payments\/ \|/,
    );
    assert.match(text, /<summary>1 Helm value changed<\/summary>/);
  });
});

describe("aroundFirstDifference", () => {
  it("shows two long texts where they first differ, so an edit deep in a config file is visible", () => {
    const config = (batch: string) =>
      `${"// a long Alloy config\n".repeat(20)}loki.write "default" { batch_size = "${batch}" }`;
    const shown = aroundFirstDifference(config("1MiB"), config("4MiB"));
    assert.match(shown.before, /^….*batch_size = "1MiB"/s);
    assert.match(shown.after, /^….*batch_size = "4MiB"/s);
    assert.ok(shown.before.length <= 82 && shown.after.length <= 82);
    assert.deepEqual(aroundFirstDifference("90d", "120d"), { before: "90d", after: "120d" });
  });
});
