// `npm run check` end to end over the shipped stacks: exit code, report, JSON shape, artifacts, redaction and
// deterministic output. Two runs: --all --json, then --stack dev in text mode into another folder.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { createMocks } from "../../../tools/harness/mocks";
import { FAKE_ACCOUNT_ID } from "../../../tools/check/run";
import type { CheckReport } from "../../../tools/check/report";
import type { ResourceRecord } from "../../../tools/check/artifacts";
import type { PoliciesData } from "../../../tools/check/sections/policies";
import type { SettingsData } from "../../../tools/check/sections/settings";
import { filesUnder, REPO_ROOT, removeTempDirs, runCheckCli, tempDir, type CheckResult } from "./support";

const SHIPPED = fs
  .readdirSync(REPO_ROOT)
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();

function resourcesOf(out: string, stack: string): ResourceRecord[] {
  return JSON.parse(fs.readFileSync(path.join(out, stack, "resources.json"), "utf8")) as ResourceRecord[];
}

describe("npm run check (shipped stacks)", function () {
  this.timeout(300_000);
  let out: string;
  let all: CheckResult;
  let report: CheckReport;

  before(async () => {
    out = tempDir("out");
    all = await runCheckCli(["--all", "--json", "--out", out]);
    report = JSON.parse(all.stdout) as CheckReport;
  });
  after(removeTempDirs);

  it("exits 0 and summarises every stack in one line", () => {
    assert.equal(all.status, 0, all.stderr);
    assert.deepEqual(
      report.stacks.map((s) => s.stack),
      SHIPPED,
    );
    assert.equal(report.summary.exitCode, 0);
    assert.match(
      report.summary.line,
      new RegExp(`^check: ${SHIPPED.length} stacks — .*0 mandatory violations.*; exit 0$`),
    );
    for (const stack of SHIPPED) assert.match(report.summary.line, new RegExp(`${stack} passed`));
    // The text report lands next to the artifacts and ends with the same line (wrapped at 120 columns where longer).
    const text = fs.readFileSync(path.join(out, "report.txt"), "utf8");
    assert.ok(text.trimEnd().replace(/\n/g, " ").endsWith(report.summary.line), text.slice(-300));
  });

  it("shows progress on stderr, not in the report", () => {
    assert.match(all.stderr, /policy pack observability-stack .* ready: \d+ policies/);
    // The pack's JavaScript build, not ts-node's type-checked start (see tools/harness/pack-build.ts).
    assert.match(
      all.stderr,
      /ready: .* from its JavaScript build .*node_modules\/\.cache\/observability-policy-pack\//,
    );
    // Stacks share program processes (one on a 2-core machine; --jobs, default CPUs - 1, sets how many).
    const evaluated = [...all.stderr.matchAll(/evaluating the program under mocks for (.*), one process/g)].flatMap(
      (m) => m[1].split(", "),
    );
    assert.deepEqual(evaluated.sort(), SHIPPED);
    for (const stack of SHIPPED) assert.match(all.stderr, new RegExp(`${stack}: \\d+ resources registered`));
    // What the pack process used, its start and every stack's analysis (read from /proc, so Linux only).
    if (process.platform === "linux") {
      const used = /policy pack used (\d+\.\d) s of CPU \(its start included\)/.exec(all.stderr);
      assert.ok(used && Number(used[1]) > 0, all.stderr);
    }
  });

  it("says the program ran under mocks with a fake account, and names the pack", () => {
    assert.equal(report.mode, "update");
    assert.equal(report.mocks.accountId, FAKE_ACCOUNT_ID);
    assert.match(report.mocks.note, /mocks/);
    assert.equal(report.policyPack?.name, "observability-stack");
    assert.ok((report.policyPack?.policies ?? 0) > 20);
  });

  it("gives every policy a verdict, the passing ones included, with their descriptions", () => {
    for (const stack of report.stacks) {
      const policies = stack.sections.policies as PoliciesData;
      assert.equal(policies.verdicts.length, report.policyPack?.policies, stack.stack);
      assert.ok(policies.counts.passed > 0, `${stack.stack} has passing policies`);
      assert.equal(policies.mandatoryViolations, 0, stack.stack);
      for (const verdict of policies.verdicts) assert.ok(verdict.description.length > 10, verdict.name);
    }
  });

  it("has the JSON shape machines rely on", () => {
    for (const stack of report.stacks) {
      assert.deepEqual(Object.keys(stack).sort(), ["artifacts", "exitCode", "region", "sections", "stack", "status"]);
      for (const key of ["resources", "settings", "policies"])
        assert.ok(key in stack.sections, `${stack.stack} has ${key}`);
      const settings = stack.sections.settings as SettingsData;
      for (const table of [settings.retention, settings.replication, settings.kafkaSizes, settings.partitions]) {
        for (const row of table) assert.deepEqual(Object.keys(row).sort(), ["setting", "shown", "source", "value"]);
      }
      assert.ok(settings.workloads.length > 5, `${stack.stack} sizes its workloads`);
    }
  });

  it("writes every resource, sorted, with type, name, parent, dependencies and inputs", () => {
    for (const stack of SHIPPED) {
      const resources = resourcesOf(out, stack);
      const urns = resources.map((r) => r.urn);
      assert.deepEqual(urns, [...urns].sort(), `${stack} resources sorted by URN`);
      const counted = (report.stacks.find((s) => s.stack === stack)?.sections.resources as { total: number }).total;
      assert.equal(resources.length, counted + 1, `${stack}: every resource plus the root stack`);
      const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket");
      assert.ok(
        bucket?.parent?.includes("observability:buckets:Buckets"),
        `${stack}: a bucket's parent is its component`,
      );
      const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "mimir-release");
      assert.ok(release && release.dependencies.length > 0, `${stack}: the Mimir release waits for what it needs`);
    }
  });

  it("records the options that decide what a change may delete: every bucket, key and log group protected outside dev", () => {
    const STATEFUL = ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup"];
    for (const stack of SHIPPED) {
      const stateful = resourcesOf(out, stack).filter((r) => STATEFUL.includes(r.type));
      // Six buckets (five data, one access-log), four keys (two bucket keys, secrets, logs), the control-plane log group.
      assert.equal(stateful.length, 11, stack);
      for (const resource of stateful) {
        if (stack === "dev") assert.equal(resource.options?.protect, undefined, `${stack} ${resource.name}`);
        else assert.equal(resource.options?.protect, true, `${stack} ${resource.name}`);
      }
    }
  });

  it("writes the exact values each Helm release receives, with a helm template command", () => {
    for (const stack of SHIPPED) {
      const releases = resourcesOf(out, stack).filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
      const files = fs.readdirSync(path.join(out, stack, "values")).sort();
      assert.equal(files.length, releases.length, `${stack}: one values file per release`);
      for (const release of releases) {
        const inputs = release.inputs as { name: string; chart: string; values: unknown };
        const text = fs.readFileSync(path.join(out, stack, "values", `${inputs.name}.yaml`), "utf8");
        assert.match(
          text,
          new RegExp(`# Render: helm template ${inputs.name} ${inputs.chart} .* -f ${inputs.name}\\.yaml`),
        );
        assert.deepEqual(parse(text) ?? {}, inputs.values, `${stack}/${inputs.name}.yaml`);
      }
    }
  });

  it("never writes the passwords the stack generates", () => {
    for (const stack of SHIPPED) {
      const generators = resourcesOf(out, stack).filter((r) => r.type === "random:index/randomPassword:RandomPassword");
      assert.ok(generators.length >= 2, `${stack} generates passwords`);
      const stackRegion = report.stacks.find((s) => s.stack === stack)?.region as string;
      // The same mocks the check used produce the same values for the same resource.
      const secrets = generators.flatMap((r) => {
        const mocks = createMocks({ region: stackRegion, accountId: FAKE_ACCOUNT_ID, project: report.project, stack });
        const { state } = mocks.newResource({
          type: r.type,
          name: r.name,
          inputs: r.inputs as Record<string, unknown>,
          custom: true,
        });
        return [state.result as string, state.bcryptHash as string];
      });
      for (const secret of secrets)
        assert.ok(typeof secret === "string" && secret.length >= 20, "the mock generated a password");
      const artifacts = filesUnder(path.join(out, stack)).map((file) => [file, fs.readFileSync(file, "utf8")] as const);
      for (const [file, content] of [
        ...artifacts,
        ["stdout", all.stdout] as const,
        ["report.txt", fs.readFileSync(path.join(out, "report.txt"), "utf8")] as const,
        ["report.md", fs.readFileSync(path.join(out, "report.md"), "utf8")] as const,
      ]) {
        for (const secret of secrets) assert.ok(!content.includes(secret), `${file} contains a generated password`);
      }
      assert.match(
        fs.readFileSync(path.join(out, stack, "resources.json"), "utf8"),
        /"\[secret\]"/,
        `${stack}: secrets are shown redacted`,
      );
    }
  });

  describe("a second run of one stack, as text", () => {
    let dev: CheckResult;
    let devOut: string;

    before(async () => {
      devOut = tempDir("out-dev");
      dev = await runCheckCli(["--stack", "dev", "--out", devOut, "--jobs", "1"]);
    });

    it("prints the text report for that stack only, ending with the summary line", () => {
      assert.equal(dev.status, 0, dev.stderr);
      assert.match(dev.stdout, /^Stack dev: passed/m);
      assert.doesNotMatch(dev.stdout, /^Stack prod/m);
      assert.match(dev.stdout, /Resources per component\n-+\n/);
      assert.match(dev.stdout, /Retention chain\n/);
      assert.match(dev.stdout, /^\s+PASS\s+kafka-message-size-fits-mimir-batch/m);
      // dev runs in one replication zone: C4 advises, once, that losing an AZ stops it.
      assert.match(
        dev.stdout.trimEnd().split("\n").pop() as string,
        /^check: 1 stack — dev passed with 1 advisory finding; .*exit 0$/,
      );
      assert.deepEqual(fs.readdirSync(devOut).sort(), ["dev", "report.json", "report.md", "report.txt"]);
    });

    it("writes byte-identical artifacts (stable ordering, nothing run-specific)", () => {
      const relative = (root: string) =>
        filesUnder(path.join(root, "dev"))
          .map((f) => path.relative(root, f))
          .sort();
      assert.deepEqual(relative(devOut), relative(out));
      for (const file of relative(out)) {
        assert.equal(
          fs.readFileSync(path.join(devOut, file), "utf8"),
          fs.readFileSync(path.join(out, file), "utf8"),
          file,
        );
      }
    });
  });
});
