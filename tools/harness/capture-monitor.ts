/**
 * Replaces an SDK MockMonitor's registration methods so that every registration is recorded the way the engine
 * would hold it. Runs inside the program's child process only.
 *
 * What the engine stores as a custom resource's state (its outputs, what AnalyzeStack receives), per scenario
 * (pulumi/pulumi v3.259.0, the newest tag read; the cited code is unchanged on master):
 * - update: the provider's Create answer: the inputs overlaid with what the provider computes (the mocks).
 * - first preview of a new stack: nothing exists. A provider whose configuration holds an unknown value is never
 *   configured (pkg/resource/plugin/provider_plugin.go, `Configure`: "If any are unknown, do not configure the
 *   underlying plugin", every input but `version`); its `Check` returns the inputs unchanged and its `Create` with
 *   `Preview` returns `CreateResponse{}` unless PULUMI_LEGACY_PROVIDER_PREVIEW is set; `CreateStep.Apply`
 *   (pkg/resource/deploy/step.go) stores `resp.Properties` as the outputs: none, and no ID. A configured provider
 *   previews a create by echoing its inputs with the values it computes unknown (pulumi-kubernetes v4.32.0
 *   provider.go `Create`: inputs echoed when the kind's CRD is not installed yet or an input is unknown;
 *   helm_release.go `Create` via `checkpointRelease`: inputs echoed, `status` unknown; the AWS and random bridged
 *   providers: the planned state, computed attributes unknown).
 *   Helm values keep their nulls in every scenario: pulumi-kubernetes v4.30.0 (#4293) made `allowNullValues` a no-op
 *   ("null values in Helm chart values are preserved by default", helm_release.go `Check`), and we pin 4.34.2.
 * - preview of an existing stack: every resource exists with the state an update of these inputs left, so its
 *   outputs and ID are known and every provider is configured. (A change to a value the provider computes would
 *   make that value unknown again; the scenario does not model changes, only a stack that exists.)
 *
 * Why replace rather than wrap: the stock MockMonitor computes URNs differently from the engine, hands the program
 * known outputs and IDs during preview, and does not keep the request's parent, dependencies or provider. The
 * replacements keep everything else the MockMonitor relies on (its `resources` map, used by the
 * `pulumi:pulumi:getResource` invoke, and its transform callbacks).
 */
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { MockMonitor, Mocks } from "@pulumi/pulumi/runtime/mocks";
import type {
  ReadResourceRequest,
  RegisterResourceOutputsRequest,
  RegisterResourceRequest,
} from "@pulumi/pulumi/proto/resource_pb";
import type { CapturedResource, CapturedResourceOptions } from "./capture-types";
import {
  defaultProviderInputs,
  defaultProviderUrn,
  engineUrn,
  isProviderType,
  packageOf,
  providerIdFor,
  providerUrnOf,
  ROOT_STACK_TYPE,
} from "./engine-identity";
import { parseGoDurationSeconds } from "./go-duration";
import { annotateSecrets, containsUnknown, UNKNOWN, type WireProperties } from "./wire";

/** The SDK internals the monitor needs, loaded from the program's own copy of @pulumi/pulumi. */
export interface SdkInternals {
  serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
  deserializeProperties(struct: Struct | undefined): Record<string, unknown>;
  structFromJavaScript(value: Record<string, unknown>): Struct;
  newRegisterResourceResponse(urn: string, id: string, state: Struct): unknown;
  newReadResourceResponse(urn: string, state: Struct): unknown;
}

export interface MonitorSettings {
  project: string;
  stack: string;
  preview: boolean;
  /** With `preview`: every resource already exists (see the module comment). */
  existingStack: boolean;
  config: Record<string, string>;
  secretKeys: string[];
}

type Callback = (err: unknown, response: unknown) => void;

/** Keeps registrations in the order the SDK sent them, which is the order the engine analyzes them. */
export class RegistrationRecorder {
  private readonly slots: (CapturedResource | undefined)[] = [];
  private readonly slotByUrn = new Map<string, number>();
  private readonly defaultProviderRefs = new Map<string, string>();

  constructor(private readonly settings: MonitorSettings) {}

  /** Claims a position when the request arrives, before the (asynchronous) mock answers. */
  reserve(): number {
    this.slots.push(undefined);
    return this.slots.length - 1;
  }

  fill(slot: number, resource: CapturedResource): void {
    this.slots[slot] = resource;
    this.slotByUrn.set(resource.urn, slot);
  }

  setOutputs(urn: string, outputs: WireProperties): void {
    const slot = this.slotByUrn.get(urn);
    const resource = slot === undefined ? undefined : this.slots[slot];
    if (!resource) {
      throw new Error(`registerOutputs for ${urn}, which was never registered`);
    }
    resource.outputs = outputs;
  }

  /**
   * The provider reference the engine would use for a resource that names none: its package's default provider,
   * registered (and so analyzed) just before the first resource that needs it.
   */
  defaultProviderRef(type: string, version: string | undefined): string {
    const { project, stack, preview, config, secretKeys } = this.settings;
    const pkg = packageOf(type);
    const key = `${pkg}@${version ?? ""}`;
    const existing = this.defaultProviderRefs.get(key);
    if (existing) {
      return existing;
    }
    const urn = defaultProviderUrn(stack, project, pkg, version);
    const inputs = defaultProviderInputs(config, secretKeys, pkg, version);
    // A provider the engine has not created yet has the unknown ID during preview (providers.UnknownID).
    const id = preview && !this.settings.existingStack ? undefined : providerIdFor(urn);
    this.fill(this.reserve(), {
      urn,
      type: `pulumi:providers:${pkg}`,
      name: urn.split("::")[3],
      custom: true,
      remote: false,
      read: false,
      synthesized: true,
      dependencies: [],
      propertyDependencies: {},
      id,
      inputs,
      outputs: { ...inputs },
      options: emptyOptions(),
      packageVersion: version,
    });
    const ref = `${urn}::${id ?? UNKNOWN}`;
    this.defaultProviderRefs.set(key, ref);
    return ref;
  }

  /**
   * Whether the engine would have configured the provider a reference names: not when any of its inputs but
   * `version` holds an unknown value (provider_plugin.go, `Configure`).
   */
  providerConfigured(reference: string): boolean {
    const slot = this.slotByUrn.get(providerUrnOf(reference));
    const provider = slot === undefined ? undefined : this.slots[slot];
    if (!provider) return true;
    return !Object.entries(provider.inputs).some(([key, value]) => key !== "version" && containsUnknown(value));
  }

  resources(): CapturedResource[] {
    return this.slots.filter((resource): resource is CapturedResource => resource !== undefined);
  }

  /** Registrations made by the program itself (not the root stack, not default providers). */
  programRegistrationCount(): number {
    return this.resources().filter((r) => r.type !== ROOT_STACK_TYPE && !r.synthesized).length;
  }
}

function emptyOptions(): CapturedResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    customTimeouts: { create: 0, update: 0, delete: 0, read: 0 },
    aliases: [],
  };
}

function toWire(struct: Struct | undefined): WireProperties {
  return (struct?.toJavaScript() ?? {}) as WireProperties;
}

function propertyDependenciesOf(req: RegisterResourceRequest): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    result[key] = deps.getUrnsList();
  });
  return result;
}

function optionsOf(req: RegisterResourceRequest): CapturedResourceOptions {
  const timeouts = req.getCustomtimeouts();
  const seconds = (text: string | undefined): number => (text ? parseGoDurationSeconds(text) : 0);
  const deleteBeforeReplaceDefined = req.getDeletebeforereplacedefined() || req.getDeletebeforereplace();
  return {
    protect: req.getProtect() ?? false,
    ignoreChanges: req.getIgnorechangesList(),
    deleteBeforeReplace: deleteBeforeReplaceDefined ? req.getDeletebeforereplace() : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    customTimeouts: {
      create: seconds(timeouts?.getCreate()),
      update: seconds(timeouts?.getUpdate()),
      delete: seconds(timeouts?.getDelete()),
      read: seconds(timeouts?.getRead()),
    },
    aliases: [
      ...req.getAliasurnsList(),
      ...req
        .getAliasesList()
        .filter((a) => a.hasUrn())
        .map((a) => a.getUrn()),
    ],
    ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
  };
}

/**
 * During preview a provider previews a create by echoing the inputs and marking every other output unknown; the
 * engine has no ID yet. `id`/`urn` are never part of a resource's state.
 */
export function previewState(inputs: WireProperties, mockState: WireProperties): WireProperties {
  const state: WireProperties = { ...inputs };
  for (const key of Object.keys(mockState)) {
    if (!(key in inputs) && key !== "id" && key !== "urn") {
      state[key] = UNKNOWN;
    }
  }
  return state;
}

function stripIdentity(state: WireProperties): WireProperties {
  const { id: _id, urn: _urn, ...rest } = state;
  return rest;
}

/** The patched methods use the monitor's own fields, which the SDK declares private or readonly. */
interface MonitorInternals {
  mocks: Mocks;
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  transformCallbacks: Map<string, unknown>;
}

/**
 * Replaces the registration methods of one MockMonitor (the one `setMocks` created for a stack), so that a stack's
 * registrations reach that stack's recorder only, even when several stacks are evaluated in one process.
 */
export function installCapturingMonitor(
  monitor: MockMonitor,
  sdk: SdkInternals,
  settings: MonitorSettings,
  recorder: RegistrationRecorder,
): void {
  const { project, stack, preview, existingStack } = settings;
  const creating = preview && !existingStack;
  const target = monitor as unknown as Record<string, unknown>;

  // Any remaining SDK use of newUrn must agree with the engine too.
  target.newUrn = (parent: string, type: string, name: string) =>
    engineUrn(stack, project, parent || undefined, type, name);

  target.registerResource = async function (this: MonitorInternals, req: RegisterResourceRequest, callback: Callback) {
    try {
      // Everything up to the first await runs as the request arrives, so that positions follow the SDK's order.
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent() || undefined;
      const custom = req.getCustom();
      const remote = req.getRemote();
      const urn = engineUrn(stack, project, parent, type, name);
      const inputs = toWire(req.getObject());
      const version = req.getVersion() || undefined;
      // The engine resolves a provider for custom (non-provider) and remote resources only (source_eval.go), and
      // registers a missing default provider before the resource that needs it.
      const needsProvider = (custom && !isProviderType(type)) || remote;
      const provider = needsProvider ? req.getProvider() || recorder.defaultProviderRef(type, version) : undefined;
      const slot = recorder.reserve();
      if (isProviderType(type) && version) {
        // The engine records the plugin version in a provider's inputs (source_eval.go, SetProviderVersion).
        inputs.version = version;
      }

      let id: string | undefined;
      let outputs: WireProperties = {};
      let responseState: WireProperties = inputs;
      // Local components and the root stack are not backed by a provider: the engine never calls one for them.
      if (custom || remote) {
        const transforms = req
          .getTransformsList()
          .map((cb) => this.transformCallbacks.get(cb.getToken()))
          .filter((transform) => transform !== undefined);
        const result = await this.mocks.newResource({
          type,
          name,
          inputs: sdk.deserializeProperties(req.getObject()),
          provider: req.getProvider(),
          custom,
          id: req.getImportid(),
          transforms: transforms as never,
        });
        const mockState = stripIdentity(
          (await sdk.serializeProperties(`${urn} state`, result.state ?? {})) as WireProperties,
        );
        if (remote) {
          outputs = mockState;
        } else if (creating && !req.getImportid() && provider && !recorder.providerConfigured(provider)) {
          // Create in preview through an unconfigured provider: `CreateResponse{}`, so no outputs and no ID.
          outputs = {};
        } else if (creating && !req.getImportid()) {
          outputs = previewState(inputs, mockState);
        } else {
          id = result.id || undefined;
          outputs = { ...inputs, ...mockState };
        }
        outputs = annotateSecrets(outputs, inputs, req.getAdditionalsecretoutputsList());
        // The engine answers with the resource's full state, secrets marked, which is what the program then sees.
        responseState = outputs;
      }

      this.resources.set(urn, { urn, id: id ?? null, state: responseState });
      recorder.fill(slot, {
        urn,
        type,
        name,
        custom,
        remote,
        read: false,
        synthesized: false,
        parent,
        dependencies: req.getDependenciesList(),
        propertyDependencies: propertyDependenciesOf(req),
        provider,
        id,
        inputs,
        outputs,
        options: optionsOf(req),
        packageVersion: version,
      });
      callback(null, sdk.newRegisterResourceResponse(urn, id ?? "", sdk.structFromJavaScript(responseState)));
    } catch (err) {
      callback(err, undefined);
    }
  };

  target.readResource = async function (this: MonitorInternals, req: ReadResourceRequest, callback: Callback) {
    try {
      const type = req.getType();
      const name = req.getName();
      const parent = req.getParent() || undefined;
      const urn = engineUrn(stack, project, parent, type, name);
      const inputs = toWire(req.getProperties());
      const version = req.getVersion() || undefined;
      const provider = req.getProvider() || recorder.defaultProviderRef(type, version);
      const slot = recorder.reserve();
      const result = await this.mocks.newResource({
        type,
        name,
        inputs: sdk.deserializeProperties(req.getProperties()),
        provider: req.getProvider(),
        custom: true,
        id: req.getId(),
      });
      // Reads happen for real during preview, so their state is known then too.
      const mockState = stripIdentity(
        (await sdk.serializeProperties(`${urn} state`, result.state ?? {})) as WireProperties,
      );
      const id = result.id || req.getId();
      const outputs = annotateSecrets({ ...inputs, ...mockState }, inputs, req.getAdditionalsecretoutputsList());
      this.resources.set(urn, { urn, id, state: outputs });
      recorder.fill(slot, {
        urn,
        type,
        name,
        custom: true,
        remote: false,
        read: true,
        synthesized: false,
        parent,
        dependencies: req.getDependenciesList(),
        propertyDependencies: {},
        provider,
        id,
        inputs,
        outputs,
        options: { ...emptyOptions(), additionalSecretOutputs: req.getAdditionalsecretoutputsList() },
        packageVersion: version,
      });
      callback(null, sdk.newReadResourceResponse(urn, sdk.structFromJavaScript(outputs)));
    } catch (err) {
      callback(err, undefined);
    }
  };

  const originalRegisterOutputs = target.registerResourceOutputs as (req: unknown, callback: Callback) => void;
  target.registerResourceOutputs = function (this: unknown, req: RegisterResourceOutputsRequest, callback: Callback) {
    try {
      recorder.setOutputs(req.getUrn(), toWire(req.getOutputs()));
    } catch (err) {
      callback(err, undefined);
      return;
    }
    originalRegisterOutputs.call(this, req, callback);
  };
}
