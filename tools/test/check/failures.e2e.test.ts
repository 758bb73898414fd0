// Exit codes a pipeline relies on: 1 for a mandatory violation, 2 for invalid configuration, 3 for a broken program
// or policy pack (never "no violations"). Stack files, programs and packs are written to temp folders.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { CheckReport } from "../../../tools/check/report";
import type { PoliciesData } from "../../../tools/check/sections/policies";
import type { SettingsData } from "../../../tools/check/sections/settings";
import {
  PROGRAM,
  removeTempDirs,
  runCheckCli,
  tempDir,
  tempPack,
  tempProject,
  tempWithNodeModules,
  type CheckResult,
} from "./support";

const DEV_WITH = (extra: string) => `config:\n  aws:region: eu-west-1\n  observability-stack:profile: dev\n${extra}`;

describe("npm run check: failures and their exit codes", function () {
  this.timeout(300_000);
  after(removeTempDirs);

  describe("a stack whose override conflicts with Mimir (Kafka topic max.message.bytes 1 MiB)", () => {
    let result: CheckResult;
    let report: CheckReport;
    let out: string;

    before(async () => {
      const project = tempProject({
        "small-messages": DEV_WITH(
          "  observability-stack:overrides:\n    kafkaTopic:\n      config:\n        max.message.bytes: 1048576\n",
        ),
      });
      out = tempDir("out");
      result = await runCheckCli(["--project-dir", project, "--program", PROGRAM, "--out", out, "--json"]);
      report = JSON.parse(result.stdout) as CheckReport;
    });

    it("exits 1 and names the violated policy and the value at fault", () => {
      assert.equal(result.status, 1, result.stderr);
      const policies = report.stacks[0].sections.policies as PoliciesData;
      const violated = policies.verdicts.filter((v) => v.verdict === "violated").map((v) => v.name);
      assert.deepEqual(violated, ["kafka-message-size-fits-mimir-batch"]);
      const finding = policies.verdicts[0].findings[0];
      assert.equal(finding.level, "mandatory");
      assert.equal(finding.resource, "KafkaTopic kafka-topic");
      assert.match(finding.message, /1048576/);
      assert.match(report.summary.line, /small-messages FAILED: 1 mandatory violation; .*exit 1$/);
      assert.match(
        fs.readFileSync(path.join(out, "report.txt"), "utf8"),
        /^\s+FAIL\s+kafka-message-size-fits-mimir-batch \[mandatory/m,
      );
    });

    it("shows the overridden value in the derived-settings table, where it was read", () => {
      const settings = report.stacks[0].sections.settings as SettingsData;
      const row = settings.kafkaSizes.find((r) => r.setting === "Kafka topic max.message.bytes");
      assert.equal(row?.value, 1048576);
      assert.match(row?.source ?? "", /^KafkaTopic mimir-ingest spec\.config\["max\.message\.bytes"\]/);
    });

    it("still writes the stack's artifacts for review", () => {
      assert.ok(fs.existsSync(path.join(out, "small-messages", "resources.json")));
      assert.ok(fs.existsSync(path.join(out, "small-messages", "values", "mimir.yaml")));
    });
  });

  describe("invalid configuration", () => {
    // A quick JavaScript pack: these runs never reach the policies, so the real pack's startup is not needed.
    let pack: string;
    before(() => {
      pack = tempPack("unused-pack", "");
    });

    it("exits 2 naming the key when the program rejects its configuration, and writes no artifacts", async () => {
      const project = tempProject({ typo: DEV_WITH("  observability-stack:retention:\n    metric: 30d\n") });
      const out = tempDir("out");
      const result = await runCheckCli([
        "--project-dir",
        project,
        "--program",
        PROGRAM,
        "--policy-pack",
        pack,
        "--out",
        out,
      ]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stdout, /Stack typo: INVALID CONFIGURATION/);
      assert.match(
        result.stdout.replace(/\n\s+/g, " "),
        /observability-stack:retention\.metric = "30d": unknown key \(did you mean metrics\?\); allowed here: prometheusLocal, metrics, logs, kafka/,
      );
      assert.match(result.stdout, /check: 1 stack — typo INVALID CONFIGURATION; .*exit 2$/m);
      assert.ok(!fs.existsSync(path.join(out, "typo")), "no artifacts for a stack that did not evaluate");
    });

    it("exits 2 naming the key when the stack file breaks the project's declared type", async () => {
      const project = tempProject({
        wrongtype: "config:\n  aws:region: eu-west-1\n  observability-stack:profile:\n    name: dev\n",
      });
      const result = await runCheckCli([
        "--project-dir",
        project,
        "--program",
        PROGRAM,
        "--policy-pack",
        pack,
        "--out",
        tempDir("out"),
      ]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stdout, /Stack 'wrongtype' with configuration key 'profile' must be of type 'string'/);
    });

    it("exits 2 for a --policy-pack-config the pack's schemas reject, naming the policy and the key", async () => {
      const config = path.join(tempDir("policy-config"), "policy.json");
      fs.writeFileSync(
        config,
        JSON.stringify({ "kafka-message-size-fits-mimir-batch": { requiredMaxMessageBytes: "big" } }),
      );
      const result = await runCheckCli(["--stack", "dev", "--policy-pack-config", config, "--out", tempDir("out")]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stdout, /kafka-message-size-fits-mimir-batch: requiredMaxMessageBytes/);
    });

    it("exits 2 before evaluating anything for a --policy-pack-config the engine cannot parse, naming the key and value", async () => {
      const config = path.join(tempDir("policy-config"), "policy.json");
      fs.writeFileSync(config, JSON.stringify({ "kafka-message-size-fits-mimir-batch": "loud" }));
      const result = await runCheckCli(["--stack", "dev", "--policy-pack-config", config, "--out", tempDir("out")]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(
        result.stderr,
        /parsing enforcement level for "kafka-message-size-fits-mimir-batch": "loud" is not a valid enforcement level/,
      );
      assert.doesNotMatch(result.stderr, /evaluating the program/);
    });

    it("exits 2 for a stack without a stack file, listing the stacks there are", async () => {
      const result = await runCheckCli(["--stack", "nosuchstack", "--out", tempDir("out")]);
      assert.equal(result.status, 2);
      assert.match(result.stderr, /no stack file for "nosuchstack" .*Pulumi\.nosuchstack\.yaml.*stacks found: .*dev/);
    });
  });

  describe("broken program or pack", () => {
    it("exits 3 when the program throws, with the error and where it was raised", async () => {
      const project = tempWithNodeModules("broken-program", {
        "Pulumi.yaml": "name: broken-program\nruntime: nodejs\n",
        "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n",
        "index.ts":
          'import * as pulumi from "@pulumi/pulumi";\n' +
          'export = async () => {\n  new pulumi.ComponentResource("test:broken:Thing", "thing");\n' +
          "  const zones: string[] | undefined = undefined;\n  return { first: (zones as unknown as string[])[0] };\n};\n",
      });
      const result = await runCheckCli([
        "--project-dir",
        project,
        "--policy-pack",
        tempPack("unused-pack", ""),
        "--out",
        tempDir("out"),
      ]);
      assert.equal(result.status, 3, result.stderr);
      assert.match(result.stdout, /Stack dev: BROKEN PROGRAM/);
      assert.match(
        result.stdout,
        /the program failed after registering 1 resources: TypeError: Cannot read properties of undefined/,
      );
      assert.match(result.stdout, /broken-program.*index\.ts/);
      assert.doesNotMatch(result.stdout, /0 mandatory violations; exit 0/);
    });

    it("exits 3 when a policy crashes while analyzing, naming the policy", async () => {
      const pack = tempPack("crashing-pack", 'throw new Error("policy bug: cannot read the stack");');
      const result = await runCheckCli(["--stack", "dev", "--policy-pack", pack, "--out", tempDir("out"), "--json"]);
      assert.equal(result.status, 3, result.stderr);
      const report = JSON.parse(result.stdout) as CheckReport;
      assert.equal(report.stacks[0].status, "broken");
      assert.equal(report.stacks[0].failure?.kind, "policy-pack");
      assert.match(
        report.stacks[0].failure?.message ?? "",
        /policy 'probe' from policy pack 'crashing-pack@v0\.0\.1'[\s\S]*policy bug: cannot read the stack/,
      );
      assert.equal(report.stacks[0].sections.policies, undefined, "no verdicts from a pack that crashed");
    });

    it("exits 3 when the pack does not start, with the pack's own error", async () => {
      const pack = tempWithNodeModules("no-version-pack", {
        "package.json": JSON.stringify({ name: "no-version" }),
        "PulumiPolicy.yaml": "runtime: nodejs\n",
        "index.js":
          'const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("no-version", { policies: [] });\n',
      });
      const result = await runCheckCli(["--stack", "dev", "--policy-pack", pack, "--out", tempDir("out")]);
      assert.equal(result.status, 3, result.stderr);
      assert.match(result.stdout, /Stack dev: BROKEN POLICY PACK/);
      assert.match(result.stdout, /Version must be defined in the package.json file/);
    });
  });
});
