/**
 * Starts a CrossGuard policy pack the way the Pulumi engine does and talks to it over the Analyzer gRPC protocol.
 *
 * The engine (pkg/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer; the Node language host's RunPlugin) runs
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine address> .` with the pack folder as working directory, reads
 * the port the pack prints on stdout, and dials it. run-policy-pack registers ts-node *with type checking* for a
 * TypeScript pack, so a pack that does not type-check fails here exactly as under the CLI (unless the caller asks
 * for the pack's JavaScript build, see pack-build.ts and `javascriptBuild`). The engine address is
 * dropped by run-policy-pack (cmd/run-policy-pack/index.js shifts it off argv) and @pulumi/policy never dials the
 * engine, so no Engine service is needed; a placeholder address is passed to keep the command line identical.
 *
 * A pack that crashes, fails to build, or errors inside a policy raises PolicyPackError with the pack's stderr:
 * it is never mistaken for "no violations".
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import {
  analyzeRequest,
  analyzerInfoFromProto,
  configureRequest,
  diagnosticFromProto,
  notApplicableFromProto,
  remediationFromProto,
  stackResourceMessage,
} from "./analyzer-proto";
import { buildJavaScriptPack, PackBuildUnsupported } from "./pack-build";
import { parsePolicyPackConfig, reconcilePolicyPackConfig } from "./policy-config";
import type {
  AnalyzeResult,
  AnalyzerInfo,
  AnalyzerResourceInput,
  AnalyzerStackResourceInput,
  PolicyConfigEntry,
  PolicyPackUserConfig,
  RemediateResult,
  StackInfo,
} from "./policy-types";

export * from "./policy-types";
export {
  analyzeStackPolicies,
  configurePolicies,
  runPolicies,
  type AppliedRemediation,
  type ConfiguredPolicies,
  type PolicyRunOptions,
  type PolicyRunResult,
  type PolicyStack,
} from "./run-policies";

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

/** Config that fails the pack's schemas; the message lists every error as the engine prints them. */
export class PolicyConfigValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(["validating policy config", ...errors].join("\n"));
    this.name = "PolicyConfigValidationError";
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

export interface PolicyPackClient {
  readonly packDir: string;
  /** Where run-policy-pack ran: the pack folder, or its JavaScript build. */
  readonly runDir: string;
  /** Why a JavaScript build was asked for but not used. */
  readonly buildSkipped?: string;
  readonly pid: number;
  /** From spawn to the port being printed. */
  readonly startupMs: number;
  getAnalyzerInfo(): Promise<AnalyzerInfo>;
  /** ConfigureStack: stack identity, dry-run flag and tags (what `args.stackTags` reads). */
  configureStack(stack: StackInfo): Promise<void>;
  /**
   * The engine's Configure: fills schema defaults, applies `all`, validates, then sends every policy's level and
   * properties. Throws PolicyConfigValidationError (nothing is sent) when the result fails a schema.
   * Returns what was sent.
   */
  configure(userConfig?: PolicyPackUserConfig): Promise<Record<string, PolicyConfigEntry>>;
  remediate(resource: AnalyzerResourceInput): Promise<RemediateResult>;
  analyze(resource: AnalyzerResourceInput): Promise<AnalyzeResult>;
  analyzeStack(resources: AnalyzerStackResourceInput[]): Promise<AnalyzeResult>;
  /** Everything the pack wrote to stderr so far (truncated to the last 64 KiB). */
  stderr(): string;
  /** Lines the pack wrote to stdout after its port (policies' console.log). */
  stdout(): string;
  close(): Promise<void>;
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
    throw new PolicyPackError(`failed to load Pulumi policy project located at "${packDir}": ${policyFile} does not exist`, "");
  }
}

class GrpcPolicyPackClient implements PolicyPackClient {
  private info?: AnalyzerInfo;
  private exitDescription?: string;
  private stdoutText = "";

  constructor(
    readonly packDir: string,
    readonly runDir: string,
    readonly buildSkipped: string | undefined,
    private readonly child: ChildProcess,
    private readonly client: analyzerGrpc.AnalyzerClient,
    readonly startupMs: number,
    private readonly stderrText: () => string,
    initialStdout: string,
  ) {
    this.stdoutText = initialStdout;
    child.on("exit", (code, signal) => {
      this.exitDescription = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      this.stdoutText += chunk.toString();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stderr(): string {
    return this.stderrText();
  }

  stdout(): string {
    return this.stdoutText;
  }

  /** One RPC, with any failure turned into a PolicyPackError that says whether the pack is still alive. */
  private call<Req, Res>(
    name: string,
    invoke: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
    request: Req,
  ): Promise<Res> {
    if (this.exitDescription) {
      return Promise.reject(new PolicyPackError(`policy pack at ${this.packDir} ${this.exitDescription}; cannot call ${name}`, this.stderr()));
    }
    return new Promise<Res>((resolve, reject) => {
      invoke.call(this.client, request, (error, response) => {
        if (!error) {
          resolve(response);
          return;
        }
        // Give a dying process a moment to report its exit, so the error says what happened.
        setTimeout(() => {
          const state = this.exitDescription ? `the pack ${this.exitDescription}` : "the pack is still running";
          reject(new PolicyPackError(`${name} failed (${state}): ${error.details || error.message}`, this.stderr()));
        }, 50);
      });
    });
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    if (!this.info) {
      const response = await this.call<Empty, analyzerProto.AnalyzerInfo>(
        "GetAnalyzerInfo",
        this.client.getAnalyzerInfo,
        new Empty(),
      );
      this.info = analyzerInfoFromProto(response);
    }
    return this.info;
  }

  async configureStack(stack: StackInfo): Promise<void> {
    const request = new analyzerProto.AnalyzerStackConfigureRequest();
    request.setProject(stack.project);
    request.setStack(stack.stack);
    request.setOrganization(stack.organization ?? "");
    request.setDryRun(stack.dryRun);
    request.setConfigSecretKeysList(stack.configSecretKeys ?? []);
    for (const [key, value] of Object.entries(stack.config ?? {})) {
      request.getConfigMap().set(key, value);
    }
    for (const [key, value] of Object.entries(stack.tags ?? {})) {
      request.getTagsMap().set(key, value);
    }
    await this.call("ConfigureStack", this.client.configureStack, request);
  }

  async configure(userConfig: PolicyPackUserConfig = {}): Promise<Record<string, PolicyConfigEntry>> {
    const info = await this.getAnalyzerInfo();
    if (!info.supportsConfig) {
      if (Object.keys(userConfig).length > 0) {
        throw new Error(`policy pack "${info.name}" at "${this.packDir}" does not support config`);
      }
      return {};
    }
    const reconciled = reconcilePolicyPackConfig(info.policies, info.initialConfig, parsePolicyPackConfig(userConfig));
    if (reconciled.errors.length > 0) {
      // pkg/engine/update.go: "validating policy config: <pack> <version>  <error>", sorted.
      throw new PolicyConfigValidationError(
        reconciled.errors.map((error) => `validating policy config: ${info.name} ${info.version}  ${error}`).sort(),
      );
    }
    await this.call("Configure", this.client.configure, configureRequest(reconciled.config));
    return reconciled.config;
  }

  private severityLookup = (policyName: string) => this.info?.policies.find((p) => p.name === policyName)?.severity;

  async remediate(resource: AnalyzerResourceInput): Promise<RemediateResult> {
    await this.getAnalyzerInfo();
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.RemediateResponse>(
      `Remediate(${resource.urn})`,
      this.client.remediate,
      analyzeRequest(resource, true),
    );
    return {
      remediations: response.getRemediationsList().map(remediationFromProto),
      notApplicable: notApplicableFromProto(response.getNotApplicableList()),
    };
  }

  async analyze(resource: AnalyzerResourceInput): Promise<AnalyzeResult> {
    await this.getAnalyzerInfo();
    const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>(
      `Analyze(${resource.urn})`,
      this.client.analyze,
      analyzeRequest(resource, false),
    );
    return {
      diagnostics: response.getDiagnosticsList().map((d) => diagnosticFromProto(d, this.severityLookup)),
      notApplicable: notApplicableFromProto(response.getNotApplicableList()),
    };
  }

  async analyzeStack(resources: AnalyzerStackResourceInput[]): Promise<AnalyzeResult> {
    await this.getAnalyzerInfo();
    const request = new analyzerProto.AnalyzeStackRequest();
    request.setResourcesList(resources.map(stackResourceMessage));
    const response = await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(
      "AnalyzeStack",
      this.client.analyzeStack,
      request,
    );
    return {
      diagnostics: response.getDiagnosticsList().map((d) => diagnosticFromProto(d, this.severityLookup)),
      notApplicable: notApplicableFromProto(response.getNotApplicableList()),
    };
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.exitDescription || this.child.exitCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      this.child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      this.child.kill("SIGTERM");
    });
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

export function startPolicyPack(packDir: string, options: StartPolicyPackOptions = {}): Promise<PolicyPackClient> {
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
        buildSkipped = err instanceof PackBuildUnsupported ? err.message : `the build failed: ${err instanceof Error ? err.message : String(err)}`;
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
  const timeoutMs = options.startTimeoutMs ?? 120_000;

  return new Promise<PolicyPackClient>((resolve, reject) => {
    let stdoutBuffer = "";
    const fail = (message: string): void => {
      cleanup();
      child.kill("SIGKILL");
      reject(new PolicyPackError(message, stderr));
    };
    const onData = (chunk: Buffer): void => {
      stdoutBuffer += chunk.toString();
      const newline = stdoutBuffer.indexOf("\n");
      if (newline < 0) {
        return;
      }
      // The pack's first stdout line is its port and nothing else (@pulumi/policy server.js, serve).
      const firstLine = stdoutBuffer.slice(0, newline).trim();
      if (!/^\d+$/.test(firstLine)) {
        fail(`policy pack at ${dir} printed "${firstLine}" where its port was expected`);
        return;
      }
      cleanup();
      const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${firstLine}`, grpc.credentials.createInsecure(), {
        // The engine's limit for plugin messages (rpcutil.GrpcChannelOptions); AnalyzeStack carries every resource.
        "grpc.max_receive_message_length": 400 * 1024 * 1024,
        "grpc.max_send_message_length": 400 * 1024 * 1024,
      });
      const rest = stdoutBuffer.slice(newline + 1);
      resolve(new GrpcPolicyPackClient(dir, runDir, buildSkipped, child, client, Date.now() - started, () => stderr, rest));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`policy pack at ${dir} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before printing its port`);
    const onError = (err: Error): void => fail(`could not start the policy pack at ${dir}: ${err.message}`);
    const timer = setTimeout(() => fail(`policy pack at ${dir} did not print its port within ${timeoutMs} ms`), timeoutMs);
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
