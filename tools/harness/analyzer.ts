/**
 * Talks to a CrossGuard policy pack over the Analyzer gRPC protocol, as the Pulumi engine does; pack-launch.ts starts
 * the pack the way the engine does and reads the port it prints, and this module dials it.
 *
 * A pack that crashes, fails to build, or errors inside a policy raises PolicyPackError with the pack's stderr:
 * it is never mistaken for "no violations".
 */
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
import { launchPolicyPack, PolicyPackError, type LaunchedPack, type StartPolicyPackOptions } from "./pack-launch";
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
export { launchPolicyPack, PolicyPackError, type LaunchedPack, type StartPolicyPackOptions } from "./pack-launch";
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

/** Config that fails the pack's schemas; the message lists every error as the engine prints them. */
export class PolicyConfigValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(["validating policy config", ...errors].join("\n"));
    this.name = "PolicyConfigValidationError";
  }
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
  /** CPU the pack has used so far, its start included; undefined once it has ended, or off Linux. */
  cpuMs(): number | undefined;
  close(): Promise<void>;
}

class GrpcPolicyPackClient implements PolicyPackClient {
  private info?: AnalyzerInfo;
  readonly packDir: string;
  readonly runDir: string;
  readonly buildSkipped?: string;
  readonly startupMs: number;

  constructor(
    private readonly pack: LaunchedPack,
    private readonly client: analyzerGrpc.AnalyzerClient,
  ) {
    this.packDir = pack.packDir;
    this.runDir = pack.runDir;
    this.buildSkipped = pack.buildSkipped;
    this.startupMs = pack.startupMs;
  }

  private get exitDescription(): string | undefined {
    return this.pack.exitDescription();
  }

  get pid(): number {
    return this.pack.child.pid ?? -1;
  }

  stderr(): string {
    return this.pack.stderr();
  }

  stdout(): string {
    return this.pack.stdout();
  }

  cpuMs(): number | undefined {
    return this.pack.cpuMs();
  }

  /** One RPC, with any failure turned into a PolicyPackError that says whether the pack is still alive. */
  private call<Req, Res>(
    name: string,
    invoke: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
    request: Req,
  ): Promise<Res> {
    if (this.exitDescription) {
      return Promise.reject(
        new PolicyPackError(
          `policy pack at ${this.packDir} ${this.exitDescription}; cannot call ${name}`,
          this.stderr(),
        ),
      );
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
    const child = this.pack.child;
    if (this.exitDescription || child.exitCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill("SIGKILL"), 2000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}

/** Dials a launched pack, as the engine does once the pack has printed its port. */
export function connectPolicyPack(pack: LaunchedPack): PolicyPackClient {
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure(), {
    // The engine's limit for plugin messages (rpcutil.GrpcChannelOptions); AnalyzeStack carries every resource.
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  return new GrpcPolicyPackClient(pack, client);
}

/** Starts the pack as the engine does (pack-launch.ts) and dials it. */
export async function startPolicyPack(
  packDir: string,
  options: StartPolicyPackOptions = {},
): Promise<PolicyPackClient> {
  return connectPolicyPack(await launchPolicyPack(packDir, options));
}
