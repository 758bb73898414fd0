// The stack as the rules see it: every resource's outputs as navigable nodes, plus lookups of the
// resources the program registers (Helm releases by chart, Strimzi custom resources).
import { PolicyResource } from "@pulumi/policy";
import { PropNode } from "./node";
import { isUnknown, unwrapProxy } from "./unknown";
import { CHARTS, STRIMZI_API_VERSIONS, StrimziKind, strimziType, TYPES } from "./types";

export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: PropNode;
  readonly parentUrn?: string;
  /** The resource option `protect`: Pulumi refuses to delete or replace it. */
  readonly protect: boolean;
  readonly dependencyUrns: ReadonlyArray<string>;
  /** property name -> URNs of the resources that property was computed from */
  readonly propertyDependencyUrns: Readonly<Record<string, ReadonlyArray<string>>>;
}

export interface HelmRelease {
  readonly resource: StackResource;
  readonly releaseName: string;
  /** The chart's base name ("mimir-distributed"), "helm" when the chart is not known. */
  readonly chart: string;
  readonly namespace: string;
  /** Chart version as declared, when known. */
  readonly chartVersion?: string;
  /** The merged values the release receives (user overrides included; chart defaults are not). */
  readonly values: PropNode;
  readonly label: string;
}

export interface CustomResource {
  readonly resource: StackResource;
  readonly kind: StrimziKind;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: PropNode;
  readonly label: string;
}

function labelFor(type: string, name: string): string {
  return `${type.split(":").pop()} "${name}"`;
}

export function toStackResource(resource: PolicyResource): StackResource {
  const label = labelFor(resource.type, resource.name);
  const owner = { label, urn: resource.urn, proxiedProps: resource.props };
  const propertyDependencyUrns: Record<string, string[]> = {};
  for (const [key, deps] of Object.entries(resource.propertyDependencies ?? {})) {
    propertyDependencyUrns[key] = deps.map((dep) => dep.urn);
  }
  return {
    type: resource.type,
    name: resource.name,
    urn: resource.urn,
    props: PropNode.root(owner, unwrapProxy(resource.props)),
    parentUrn: resource.parent?.urn,
    protect: resource.opts?.protect === true,
    dependencyUrns: (resource.dependencies ?? []).map((dep) => dep.urn),
    propertyDependencyUrns,
  };
}

/** Reads a string prop that names things (release name, namespace); unknown or absent gives the fallback. */
function nameProp(node: PropNode, fallback: string): string {
  const value = node.isUnknown ? undefined : node.raw();
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** Chart names may be qualified ("grafana/mimir-distributed", "oci://registry/charts/loki"). */
function chartBaseName(chart: unknown): string | undefined {
  return typeof chart === "string" ? chart.split("/").pop() : undefined;
}

export class StackView {
  readonly resources: ReadonlyArray<StackResource>;
  private readonly byUrnMap: Map<string, StackResource>;

  /**
   * True for the view of a per-resource judgement (lib/policy.ts): only the analyzed resource and what tells the
   * environment, so what is missing from it is not known to be absent.
   */
  readonly partial: boolean;

  constructor(resources: ReadonlyArray<PolicyResource>, options: { partial?: boolean } = {}) {
    this.partial = options.partial ?? false;
    this.resources = resources.map(toStackResource);
    this.byUrnMap = new Map(this.resources.map((r) => [r.urn, r]));
  }

  ofType(type: string): StackResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  byUrn(urn: string): StackResource | undefined {
    return this.byUrnMap.get(urn);
  }

  /** Helm releases of one chart, or of every chart when none is given. */
  helmReleases(chart?: (typeof CHARTS)[keyof typeof CHARTS]): HelmRelease[] {
    return this.ofType(TYPES.helmRelease)
      .filter(
        (r) =>
          chart === undefined ||
          (!r.props.get("chart").isUnknown && chartBaseName(r.props.get("chart").raw()) === chart),
      )
      .map((resource) => {
        const releaseName = nameProp(resource.props.get("name"), resource.name);
        const chartName =
          chart ??
          chartBaseName(resource.props.get("chart").isUnknown ? undefined : resource.props.get("chart").raw()) ??
          "helm";
        const label = `${chartName} release "${releaseName}"`;
        const version = resource.props.get("version");
        const owner = { label, urn: resource.urn, proxiedProps: resource.props.owner.proxiedProps };
        return {
          resource,
          releaseName,
          chart: chartName,
          namespace: nameProp(resource.props.get("namespace"), "default"),
          chartVersion: version.isUnknown ? undefined : (version.raw() as string | undefined),
          values: PropNode.root(owner, resource.props.raw()).get("values"),
          label,
        };
      });
  }

  strimzi(kind: StrimziKind): CustomResource[] {
    const types = new Set(STRIMZI_API_VERSIONS.map((v) => strimziType(kind, v)));
    return this.resources
      .filter((r) => types.has(r.type))
      .map((resource) => {
        const metadata = resource.props.get("metadata");
        const name = nameProp(metadata.get("name"), resource.name);
        const namespaceNode = metadata.get("namespace");
        const namespace = namespaceNode.isUnknown ? undefined : (namespaceNode.raw() as string | undefined);
        const labelsRaw = metadata.get("labels").raw();
        const labels: Record<string, string> = {};
        if (labelsRaw && typeof labelsRaw === "object" && !isUnknown(labelsRaw)) {
          for (const [k, v] of Object.entries(labelsRaw)) {
            if (typeof v === "string") labels[k] = v;
          }
        }
        const label = `${kind} "${name}"${namespace ? ` (namespace ${namespace})` : ""}`;
        const owner = { label, urn: resource.urn, proxiedProps: resource.props.owner.proxiedProps };
        return {
          resource,
          kind,
          name,
          namespace,
          labels,
          spec: PropNode.root(owner, resource.props.raw()).get("spec"),
          label,
        };
      });
  }
}

// Label Strimzi uses to tie node pools, topics and users to their Kafka cluster (Strimzi docs, KafkaNodePool/KafkaTopic).
export const STRIMZI_CLUSTER_LABEL = "strimzi.io/cluster";
