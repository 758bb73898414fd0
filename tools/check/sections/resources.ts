/** Resources per component: which top-level component owns how many resources of which kinds. */
import type { ResourceRecord } from "../artifacts";
import { plural, table } from "../text";
import { section } from "./section";

export interface ComponentResources {
  /** The component's logical name, or "(top level)" for resources outside any component (default providers). */
  component: string;
  type: string;
  /** Resources under it, the component itself excluded. */
  count: number;
  /** Kind (last segment of the type token) -> count, sorted by kind. */
  kinds: Record<string, number>;
}

export interface ResourcesData {
  total: number;
  custom: number;
  components: ComponentResources[];
  /** Multi-language components whose children the engine would expand and mocks cannot show. */
  remote: string[];
}

const TOP_LEVEL_GROUP = "(top level)";

const PROVIDER_PREFIX = "pulumi:providers:";

/** "aws:ec2/subnet:Subnet" -> "Subnet"; "kubernetes:kafka.strimzi.io/v1:Kafka" -> "Kafka"; "pulumi:providers:aws" -> "provider aws". */
export function kindOf(type: string): string {
  if (type.startsWith(PROVIDER_PREFIX)) return `provider ${type.slice(PROVIDER_PREFIX.length)}`;
  return type.split(":").pop() ?? type;
}

/** Groups resources under the component directly below the root stack that contains them. */
export function resourcesPerComponent(resources: ResourceRecord[], rootStackUrn: string): ResourcesData {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const topLevel = (resource: ResourceRecord): ResourceRecord | undefined => {
    let current: ResourceRecord | undefined = resource;
    while (current && current.parent && current.parent !== rootStackUrn) {
      current = byUrn.get(current.parent);
    }
    return current && current.parent === rootStackUrn ? current : undefined;
  };
  const groups = new Map<string, ComponentResources>();
  const groupFor = (owner: ResourceRecord | undefined): ComponentResources => {
    // Custom resources directly under the stack, and what has no parent (the engine's default providers),
    // belong to no component.
    const component = owner && !owner.custom ? owner : undefined;
    const key = component?.urn ?? TOP_LEVEL_GROUP;
    let group = groups.get(key);
    if (!group) {
      group = {
        component: component?.name ?? TOP_LEVEL_GROUP,
        type: component?.type ?? "outside any component",
        count: 0,
        kinds: {},
      };
      groups.set(key, group);
    }
    return group;
  };
  for (const resource of resources) {
    if (resource.urn === rootStackUrn) continue;
    const owner = topLevel(resource);
    const group = groupFor(owner);
    if (owner === resource && !resource.custom) continue;
    group.count++;
    const kind = kindOf(resource.type);
    group.kinds[kind] = (group.kinds[kind] ?? 0) + 1;
  }
  const components = [...groups.values()]
    .map((g) => ({ ...g, kinds: Object.fromEntries(Object.entries(g.kinds).sort(([a], [b]) => a.localeCompare(b))) }))
    .sort((a, b) =>
      a.component === TOP_LEVEL_GROUP
        ? 1
        : b.component === TOP_LEVEL_GROUP
          ? -1
          : a.component.localeCompare(b.component),
    );
  return {
    total: resources.filter((r) => r.urn !== rootStackUrn).length,
    custom: resources.filter((r) => r.custom).length,
    components,
    remote: resources.filter((r) => r.remote).map((r) => r.urn),
  };
}

export function renderResources(data: ResourcesData): string {
  const rows = data.components.map((c) => [
    c.component,
    String(c.count),
    Object.entries(c.kinds)
      .map(([kind, n]) => (n > 1 ? `${kind} x${n}` : kind))
      .join(", "),
  ]);
  const lines = [
    `${plural(data.total, "resource")} (${data.custom} custom, ${data.total - data.custom} components), by top-level component:`,
    table(["component", "resources", "kinds"], rows),
  ];
  if (data.remote.length > 0) {
    lines.push(
      `  ${plural(data.remote.length, "remote component")} (children not visible under mocks): ${data.remote.join(", ")}`,
    );
  }
  return lines.join("\n");
}

export const resourcesSection = section<ResourcesData>({
  key: "resources",
  title: "Resources per component",
  build: (evidence) => resourcesPerComponent(evidence.artifacts.resources, evidence.captured.rootStackUrn),
  render: renderResources,
});
