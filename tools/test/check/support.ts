// Runs `npm run check`'s entry point as a user does (a fresh process), against the repository or a temp project.
// Everything written goes to temp folders that are removed after the run; nothing is left in the repository.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const PROGRAM = path.join(REPO_ROOT, "index.ts");
const CHECK = path.join(REPO_ROOT, "tools", "check", "main.js");

export interface CheckResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCheckCli(args: string[], cwd: string = REPO_ROOT): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHECK, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `check-test-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A project folder with the repository's Pulumi.yaml and the given stack files (name -> YAML). */
export function tempProject(stacks: Record<string, string>): string {
  const dir = tempDir("project");
  fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [stack, yaml] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml);
  return dir;
}

/** A folder whose node_modules is the repository's, for programs and packs that must resolve the SDKs. */
export function tempWithNodeModules(prefix: string, files: Record<string, string>): string {
  const dir = tempDir(prefix);
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/**
 * A policy pack in JavaScript (so it starts without ts-node's type check, keeping the tests fast), with one stack
 * policy whose body is given.
 */
export function tempPack(name: string, validateStackBody: string): string {
  return tempWithNodeModules("pack", {
    "package.json": JSON.stringify({ name, version: "0.0.1" }),
    "PulumiPolicy.yaml": "runtime: nodejs\n",
    "index.js":
      `const { PolicyPack } = require("@pulumi/policy");\n` +
      `new PolicyPack(${JSON.stringify(name)}, { policies: [{ name: "probe", description: "Test policy", enforcementLevel: "mandatory",\n` +
      `  validateStack: (args, reportViolation) => { ${validateStackBody} } }] });\n`,
  });
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}
