/**
 * The captured stack as the policy pack judges it at AnalyzeStack: every resource's outputs (secrets revealed,
 * resource references downgraded to URNs, as the engine sends them), with parents, dependencies, property
 * dependencies and provider; a resource whose provider is not configured (the first preview of a new stack) is
 * read from the inputs its Analyze call received, as the pack does (policies/lib/analyzed.ts). The capacity model in
 * policies/rules/capacity/ reads this view, so the report and the policies compute from the same data.
 */
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { providerUnconfigured, StackView } from "../../policies/model";
import type { CapturedResource, CapturedStack } from "../harness/capture-types";
import { providerUrnOf } from "../harness/engine-identity";
import { downgradeResourceReferences, revealSecrets, type WireProperties } from "../harness/wire";

const engineView = (props: WireProperties) => downgradeResourceReferences(revealSecrets(props));

function providerOf(
  resource: CapturedResource,
  byUrn: Map<string, CapturedResource>,
): PolicyProviderResource | undefined {
  const provider = resource.provider ? byUrn.get(providerUrnOf(resource.provider)) : undefined;
  return (
    provider && { urn: provider.urn, type: provider.type, name: provider.name, props: engineView(provider.inputs) }
  );
}

function policyResource(resource: CapturedResource, provider: PolicyProviderResource | undefined): PolicyResource {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    provider,
    props: engineView(providerUnconfigured(provider) ? resource.inputs : resource.outputs),
    opts: {
      protect: resource.options.protect,
      ignoreChanges: resource.options.ignoreChanges,
      aliases: resource.options.aliases,
      additionalSecretOutputs: resource.options.additionalSecretOutputs,
      customTimeouts: {
        createSeconds: resource.options.customTimeouts.create,
        updateSeconds: resource.options.customTimeouts.update,
        deleteSeconds: resource.options.customTimeouts.delete,
      },
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

/** The resources as @pulumi/policy hands them to validateStack (parents and dependencies as resource objects). */
export function policyResourcesOf(captured: CapturedStack): PolicyResource[] {
  const capturedByUrn = new Map(captured.resources.map((r) => [r.urn, r]));
  const resources = captured.resources.map((r) => policyResource(r, providerOf(r, capturedByUrn)));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  captured.resources.forEach((captured, i) => {
    const resource = resources[i];
    if (captured.parent && byUrn.has(captured.parent)) resource.parent = byUrn.get(captured.parent);
    resource.dependencies = captured.dependencies
      .map((urn) => byUrn.get(urn))
      .filter((r): r is PolicyResource => r !== undefined);
    for (const [key, urns] of Object.entries(captured.propertyDependencies)) {
      resource.propertyDependencies[key] = urns
        .map((urn) => byUrn.get(urn))
        .filter((r): r is PolicyResource => r !== undefined);
    }
  });
  return resources;
}

export function stackViewOf(captured: CapturedStack): StackView {
  return new StackView(policyResourcesOf(captured));
}
