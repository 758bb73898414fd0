/**
 * Starts a CrossGuard policy pack the way the Pulumi engine does, up to the port it prints; analyzer.ts then dials it.
 *
 * The engine (pkg/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer; the Node language host's RunPlugin) runs
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine address> .` with the pack folder as working directory and reads
 * the port the pack prints on stdout. run-policy-pack registers ts-node *with type checking* for a TypeScript pack,
 * so a pack that does not type-check fails here exactly as under the CLI (unless the caller asks for the pack's
 * JavaScript build, see pack-build.ts and `javascriptBuild`). The engine address is dropped by run-policy-pack
 * (cmd/run-policy-pack/index.js shifts it off argv) and @pulumi/policy never dials the engine, so no Engine service
 * is needed; a placeholder address is passed to keep the command line identical.
 *
 * Kept apart from the gRPC client so that a caller can start the pack before it loads gRPC and the protocol's
 * messages (~0.1 s), which the pack does not need to start.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildJavaScriptPack, PackBuildUnsupported } from "./pack-build";
import { processCpuMs } from "./process-cpu";
import type { StackInfo } from "./policy-types";

/** Passed where the engine passes its host address; run-policy-pack discards it (see the module comment). */
const UNUSED_ENGINE_ADDRESS = "127.0.0.1:0";
const STDERR_LIMIT = 64 * 1024;

/** The pack failed: it did not start, exited, or an RPC failed. `stderr` is the pack's own output. */
export class PolicyPackError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(stderr.trim() ? `${message}\n--- policy pack stderr ---\n${stderr.trim()}` : message);
    this.name = "PolicyPackError";
  }
}

export interface StartPolicyPackOptions {
  /** Stack details the engine puts in the pack's environment (PULUMI_NODEJS_PROJECT, ..., PULUMI_CONFIG). */
  stack?: StackInfo;
  /**
   * Start run-policy-pack in the pack's JavaScript build (pack-build.ts) rather than in the pack folder, where it
   * would type-check the TypeScript with ts-node first (2.8 s against 0.7 s for this project's pack on a quiet 2-core
   * machine). Same pack code, same run-policy-pack; type checking is then `tsc`'s job. A pack that cannot be built
   * that way (see PackBuildUnsupported) starts from its folder, and `buildSkipped` on the client says why.
   */
  javascriptBuild?: boolean;
  /** Give up waiting for the port after this long (type-checking a large pack is slow). Default 120 s. */
  startTimeoutMs?: number;
}

/** A started pack that printed its port. */
export interface LaunchedPack {
  readonly packDir: string;
  /** Where run-policy-pack ran: the pack folder, or its JavaScript build. */
  readonly runDir: string;
  /** Why a JavaScript build was asked for but not used. */
  readonly buildSkipped?: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** From spawn to the port being printed. */
  readonly startupMs: number;
  /** Everything the pack wrote to stderr so far (truncated to the last 64 KiB). */
  stderr(): string;
  /** Lines the pack wrote to stdout after its port (policies' console.log). */
  stdout(): string;
  /** How the pack ended ("exited with code 1", "was killed by SIGTERM"), while it runs undefined. */
  exitDescription(): string | undefined;
  /** CPU the running pack has used so far; undefined once it has ended, or off Linux. */
  cpuMs(): number | undefined;
}

function runPolicyPackScript(packDir: string): string {
  // Resolved from the pack folder, as the engine does (locateModule in pulumi-language-nodejs), so a pack with its
  // own node_modules uses its own @pulumi/pulumi.
  try {
    return require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
  } catch {
    // The engine's message for this case (analyzer_plugin.go, errRunPolicyModuleNotFound).
    throw new PolicyPackError(
      `it looks like the policy pack's dependencies are not installed; try running npm install or yarn install in "${packDir}"`,
      "",
    );
  }
}

function checkPackFolder(packDir: string): void {
  const policyFile = path.join(packDir, "PulumiPolicy.yaml");
  if (!fs.existsSync(policyFile)) {
    // The engine refuses a folder without PulumiPolicy.yaml (workspace.LoadPolicyPack).
    throw new PolicyPackError(
      `failed to load Pulumi policy project located at "${packDir}": ${policyFile} does not exist`,
      "",
    );
  }
}

/**
 * The environment the engine gives a pack (analyzer_plugin.go constructEnv, and the Node language host's policy
 * proxy): stack identity and config, so `new pulumi.Config()` inside a policy would behave as under the CLI.
 */
function packEnvironment(stack: StackInfo | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A pack inherits nothing from the harness's own compiler hooks or engine connections.
  for (const key of ["TS_NODE_PROJECT", "TS_NODE_TRANSPILE_ONLY", "PULUMI_NODEJS_ENGINE", "PULUMI_NODEJS_MONITOR"]) {
    delete env[key];
  }
  if (stack) {
    env.PULUMI_NODEJS_PROJECT = env.PULUMI_PROJECT = stack.project;
    env.PULUMI_NODEJS_STACK = env.PULUMI_STACK = stack.stack;
    env.PULUMI_NODEJS_DRY_RUN = env.PULUMI_DRY_RUN = String(stack.dryRun);
    if (stack.organization) {
      env.PULUMI_NODEJS_ORGANIZATION = env.PULUMI_ORGANIZATION = stack.organization;
    }
    if (stack.config) {
      env.PULUMI_CONFIG = JSON.stringify(stack.config);
    }
  }
  return env;
}

export function launchPolicyPack(packDir: string, options: StartPolicyPackOptions = {}): Promise<LaunchedPack> {
  const dir = path.resolve(packDir);
  try {
    checkPackFolder(dir);
  } catch (err) {
    return Promise.reject(err);
  }
  let script: string;
  let runDir = dir;
  let buildSkipped: string | undefined;
  try {
    script = runPolicyPackScript(dir);
    if (options.javascriptBuild) {
      try {
        runDir = buildJavaScriptPack(dir);
      } catch (err) {
        // Also when the build cannot be written (a read-only node_modules, say): the pack still starts, just slower.
        buildSkipped =
          err instanceof PackBuildUnsupported
            ? err.message
            : `the build failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  } catch (err) {
    return Promise.reject(err);
  }
  const started = Date.now();
  const child = spawn(process.execPath, [script, UNUSED_ENGINE_ADDRESS, "."], {
    cwd: runDir,
    env: packEnvironment(options.stack),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_LIMIT);
  });
  // Read for the pack's whole life: the port first, then whatever its policies print.
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  let exited: string | undefined;
  child.on("exit", (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });
  const timeoutMs = options.startTimeoutMs ?? 120_000;

  return new Promise<LaunchedPack>((resolve, reject) => {
    const fail = (message: string): void => {
      cleanup();
      child.kill("SIGKILL");
      reject(new PolicyPackError(message, stderr));
    };
    const onData = (): void => {
      const newline = stdout.indexOf("\n");
      if (newline < 0) {
        return;
      }
      // The pack's first stdout line is its port and nothing else (@pulumi/policy server.js, serve).
      const firstLine = stdout.slice(0, newline).trim();
      if (!/^\d+$/.test(firstLine)) {
        fail(`policy pack at ${dir} printed "${firstLine}" where its port was expected`);
        return;
      }
      cleanup();
      const afterPort = newline + 1;
      resolve({
        packDir: dir,
        runDir,
        buildSkipped,
        child,
        port: Number(firstLine),
        startupMs: Date.now() - started,
        stderr: () => stderr,
        stdout: () => stdout.slice(afterPort),
        exitDescription: () => exited,
        cpuMs: () => (exited === undefined && child.pid !== undefined ? processCpuMs(child.pid) : undefined),
      });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(
        `policy pack at ${dir} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before printing its port`,
      );
    const onError = (err: Error): void => fail(`could not start the policy pack at ${dir}: ${err.message}`);
    const timer = setTimeout(
      () => fail(`policy pack at ${dir} did not print its port within ${timeoutMs} ms`),
      timeoutMs,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.off("exit", onExit);
      child.off("error", onError);
    };
    child.stdout.on("data", onData);
    child.on("exit", onExit);
    child.on("error", onError);
  });
}
