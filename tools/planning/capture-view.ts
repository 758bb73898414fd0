/**
 * The captured stack as the policy pack sees it at AnalyzeStack: every resource's outputs (secrets revealed, resource
 * references downgraded to URNs, as the engine sends them), with parents, dependencies and property dependencies.
 * The capacity model in policies/rules/capacity/ reads this view, so the report and the policies compute from
 * the same data.
 */
import type { PolicyResource } from "@pulumi/policy";
import { StackView } from "../../policies/lib/stack";
import type { CapturedResource, CapturedStack } from "../harness/capture-types";
import { downgradeResourceReferences, revealSecrets } from "../harness/wire";

function policyResource(resource: CapturedResource): PolicyResource {
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: downgradeResourceReferences(revealSecrets(resource.outputs)),
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
  const resources = captured.resources.map(policyResource);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  captured.resources.forEach((captured, i) => {
    const resource = resources[i];
    if (captured.parent && byUrn.has(captured.parent)) resource.parent = byUrn.get(captured.parent);
    resource.dependencies = captured.dependencies.map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
    for (const [key, urns] of Object.entries(captured.propertyDependencies)) {
      resource.propertyDependencies[key] = urns.map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
    }
  });
  return resources;
}

export function stackViewOf(captured: CapturedStack): StackView {
  return new StackView(policyResourcesOf(captured));
}
