/** The project on disk: its stacks (one per Pulumi.<stack>.yaml) and the program's entry module. */
import * as fs from "fs";
import * as path from "path";
import { loadProject } from "../harness/capture";
import { UsageError } from "./options";

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/** Every stack that has a stack file, sorted by name. */
export function discoverStacks(projectDir: string): string[] {
  return fs
    .readdirSync(projectDir)
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** The stacks to check; a named stack must have its stack file. */
export function selectStacks(projectDir: string, wanted: string[] | "all"): string[] {
  const available = discoverStacks(projectDir);
  if (wanted === "all") {
    if (available.length === 0) throw new UsageError(`no Pulumi.<stack>.yaml in ${projectDir}`);
    return available;
  }
  const missing = wanted.filter((stack) => !available.includes(stack));
  if (missing.length > 0) {
    throw new UsageError(
      `no stack file for ${missing.map((s) => `"${s}"`).join(", ")} in ${projectDir} (expected Pulumi.${missing[0]}.yaml); ` +
        `stacks found: ${available.join(", ") || "none"}`,
    );
  }
  return wanted;
}

/**
 * The module the language host runs: Pulumi.yaml `main` (a file, or a folder holding index), else the project
 * folder's index (the Node language host requires the folder, so package.json `main`, then index.ts/index.js).
 */
export function resolveProgram(projectDir: string, explicit?: string): string {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new UsageError(`--program ${explicit} does not exist`);
    return explicit;
  }
  const project = loadProject(projectDir);
  const base = project.main ? path.resolve(projectDir, project.main) : projectDir;
  const candidates = [base, ...["index.ts", "index.js"].map((file) => path.join(base, file))];
  if (!project.main) {
    const packageMain = readPackageMain(projectDir);
    if (packageMain) candidates.unshift(path.resolve(projectDir, packageMain));
  }
  const found = candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
  if (!found)
    throw new UsageError(
      `no program entry found in ${base} (looked for ${candidates.map((c) => path.relative(projectDir, c) || ".").join(", ")})`,
    );
  return found;
}

function readPackageMain(projectDir: string): string | undefined {
  const file = path.join(projectDir, "package.json");
  if (!fs.existsSync(file)) return undefined;
  const main = (JSON.parse(fs.readFileSync(file, "utf8")) as { main?: unknown }).main;
  return typeof main === "string" ? main : undefined;
}
