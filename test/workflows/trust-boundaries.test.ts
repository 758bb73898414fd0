// The GitHub workflows' trust rules, read from the files themselves (GitHub, "Security hardening for GitHub
// Actions": pin third-party actions to a full commit SHA, least-privilege tokens, secrets only where needed;
// Pulumi, "Using OIDC with GitHub Actions"): pull-request code never meets a deploy secret or a credential outside
// an environment, deploys only run from main, and every update follows a preview reviewers can read.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const DIR = path.resolve(__dirname, "../../.github/workflows");
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = {
  steps?: Step[];
  env?: Record<string, string>;
  environment?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  secrets?: unknown;
  with?: Record<string, unknown>;
};
type Workflow = { on: Record<string, unknown>; env?: Record<string, string>; jobs: Record<string, Job> };

const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const text = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const workflow = (file: string) => parse(text(file)) as Workflow;
const mentionsSecret = (value: unknown) => /\bsecrets\./.test(JSON.stringify(value ?? ""));
const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);

describe("GitHub workflows: trust boundaries", () => {
  it("has the five workflows", () =>
    assert.deepEqual(FILES.sort(), [
      "checks.yml",
      "deploy.yml",
      "pr-comment.yml",
      "pull-request.yml",
      "pulumi-up.yml",
    ]));

  it("pins every third-party action to a full commit SHA, with its tag in a comment", () => {
    for (const file of FILES) {
      for (const line of text(file)
        .split("\n")
        .filter((l) => /^\s*(-\s+)?uses:\s/.test(l))) {
        const ref = line.replace(/^\s*(-\s+)?uses:\s*/, "");
        if (ref.startsWith("./")) continue;
        assert.match(ref, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()}`);
      }
    }
  });

  it("never runs pull-request code with the base repository's privileges (no pull_request_target; workflow_run runs none)", () => {
    for (const file of FILES) {
      const wf = workflow(file);
      assert.ok(!("pull_request_target" in wf.on), file);
      if (!("workflow_run" in wf.on)) continue;
      // A workflow_run job has the base repository's token: it may read artifacts as data, never check out or run code.
      for (const [name, job] of Object.entries(wf.jobs)) {
        for (const step of job.steps ?? []) {
          assert.ok(!/actions\/checkout@|setup-node/.test(step.uses ?? ""), `${file} ${name}: ${step.uses}`);
          assert.doesNotMatch(
            step.run ?? "",
            /\b(npm|npx|node|bash \S+\.sh|source|eval)\b|\$\(cat [^)]*\.sh/,
            `${file} ${name}`,
          );
        }
      }
    }
  });

  it("comments the check's summary on pull requests, forks included, without trusting the artifact's pull-request number", () => {
    const wf = workflow("pr-comment.yml");
    assert.deepEqual((wf.on.workflow_run as { workflows: string[] }).workflows, ["Pull request"]);
    const job = wf.jobs.comment as Job & { permissions?: Record<string, string> };
    assert.deepEqual(job.permissions, { actions: "read", "pull-requests": "write" });
    const script = (job.steps ?? []).map((s) => s.run ?? "").join("\n");
    assert.match(script, /\^\[0-9\]\+\$/, "the number must be digits");
    assert.match(
      script,
      /pulls\/\$number" --jq \.head\.sha/,
      "and that pull request's head must be the commit that was checked",
    );
    const check = workflow("checks.yml").jobs.check.steps ?? [];
    assert.ok(
      check.some((s) => /--baseline baseline/.test(s.run ?? "")),
      "pull requests are compared with main's artifacts",
    );
    assert.ok(check.some((s) => s.with?.name === "pr-comment"));
  });

  it("keeps secrets out of workflow- and job-level env, and never passes them all on (secrets: inherit)", () => {
    for (const file of FILES) {
      const wf = workflow(file);
      assert.ok(!mentionsSecret(wf.env), `${file}: workflow env`);
      for (const [name, job] of Object.entries(wf.jobs)) {
        assert.ok(!mentionsSecret(job.env), `${file} ${name}: job env`);
        assert.notEqual(job.secrets, "inherit", `${file} ${name}`);
      }
    }
  });

  it("uses no long-lived Pulumi access token: Pulumi Cloud tokens come from OIDC (pulumi/auth-actions)", () => {
    for (const file of FILES) assert.doesNotMatch(text(file), /secrets\.PULUMI_ACCESS_TOKEN/, file);
  });

  it("gives a credential or secret only to jobs in a GitHub environment, and only after npm ci has run", () => {
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const steps = job.steps ?? [];
        const credentialed = steps
          .map((s, i) => ({ s, i }))
          .filter(({ s }) => mentionsSecret(s) || /configure-aws-credentials|auth-actions/.test(s.uses ?? ""));
        if (credentialed.length === 0) continue;
        assert.ok(job.environment, `${file} ${name}: credentials outside an environment`);
        const install = steps.findIndex((s) => /npm ci/.test(s.run ?? ""));
        assert.ok(
          install >= 0 && credentialed.every(({ i }) => i > install),
          `${file} ${name}: a credential exists before npm ci`,
        );
      }
    }
  });

  it("checks out without leaving the GitHub token in .git/config", () => {
    for (const file of FILES) {
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        for (const step of (job.steps ?? []).filter((s) => /actions\/checkout@/.test(s.uses ?? ""))) {
          assert.equal(step.with?.["persist-credentials"], false, `${file} ${name}`);
        }
      }
    }
  });

  it("runs Node 22 or later (Node 20 is past its end of life)", () => {
    for (const file of FILES) {
      for (const match of text(file).matchAll(/node-version:\s*(\d+)/g))
        assert.ok(Number(match[1]) >= 22, `${file}: node ${match[1]}`);
    }
  });

  it("previews a pull request only after the offline checks, in the preview-<stack> environment", () => {
    const preview = workflow("pull-request.yml").jobs.preview;
    assert.ok(needsOf(preview).includes("checks"));
    assert.equal(preview.environment, "preview-${{ matrix.stack }}");
  });

  it("deploys from main only, also when started by hand", () => {
    const wf = workflow("deploy.yml");
    assert.ok("workflow_dispatch" in wf.on);
    assert.deepEqual((wf.on.push as { branches: string[] }).branches, ["main"]);
    for (const [name, job] of Object.entries(wf.jobs))
      assert.match(job.if ?? "", /github\.ref == 'refs\/heads\/main'/, name);
  });

  it("applies an update only after a preview of the same commit, behind the environment's reviewers", () => {
    const jobs = workflow("pulumi-up.yml").jobs;
    assert.deepEqual(needsOf(jobs.up), ["preview"]);
    assert.equal(jobs.up.environment, "${{ inputs.stack }}");
    assert.equal(jobs.preview.environment, "preview-${{ inputs.stack }}");
    const command = (job: Job) => job.steps?.find((s) => /pulumi\/actions@/.test(s.uses ?? ""))?.with?.command;
    assert.equal(command(jobs.preview), "preview");
    assert.equal(command(jobs.up), "up");
    const role = jobs.preview.steps?.find((s) => /configure-aws-credentials/.test(s.uses ?? ""))?.with?.[
      "role-to-assume"
    ];
    assert.equal(role, "${{ inputs.preview-role }}", "the preview assumes the read-only role, not the deploy role");
  });
});
