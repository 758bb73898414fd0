// P9 (HARD, the Alloy pods never run): every volume the Alloy pod template mounts exists.
// - The alloy chart 1.11.1 pod always has volume `config` from the ConfigMap `alloy.config-map.name`
//   (templates/controllers/_pod.yaml, not optional), which is `alloy.configMap.name` or else the chart's fullname
//   (templates/_config.tpl); the chart renders that ConfigMap only while `alloy.configMap.create` (templates/configmap.yaml,
//   values.yaml default true; `configMap.name` "Used when create is false"). With create false and no name the pod mounts
//   a ConfigMap nobody creates: the kubelet cannot set the volume up (FailedMount, configmap not found), every pod stays
//   in ContainerCreating, and the program's generated config (alloy.configMap.content) is never delivered. A ConfigMap of
//   that name the stack declares (a kubernetes ConfigMap resource or the chart's extraObjects) is accepted.
// - The Alloy container mounts `config`, `varlog` / `dockercontainers` (alloy.mounts.*) and every `alloy.mounts.extra`
//   entry (templates/containers/_agent.yaml); the pod's volumes are `config`, `varlog` / `dockercontainers` and
//   `controller.volumes.extra` (templates/controllers/_pod.yaml), plus `controller.volumeClaimTemplates` for a StatefulSet
//   (templates/controllers/statefulset.yaml). Both lists are Helm values: an override of either list replaces the
//   program's whole list (the program mounts the hostPath volume alloy-data at alloy.storagePath, components/alloy/values.ts).
//   A volumeMount naming no volume fails the API server's validation of the pod template
//   (kubernetes pkg/apis/core/validation ValidateVolumeMounts: `volumeMounts[i].name: Not found`), so the DaemonSet is
//   refused and the alloy release fails.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { chartFullname } from "../../lib/chart-names";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

const CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap";

/** Names of the list's entries; undefined when the list or a name is unknown at preview. */
function names(list: PropNode, key = "name"): { names: string[]; nodes: PropNode[] } | undefined {
  const items = list.items();
  if (isUnknown(items)) return undefined;
  const nodes = items ?? [];
  const result: string[] = [];
  for (const item of nodes) {
    const name = item.at(key).string();
    if (isUnknown(name)) return undefined;
    if (typeof name === "string") result.push(name);
  }
  return { names: result, nodes };
}

export const alloyPodVolumesExist = stackRule<object>(
  {
    name: "alloy-pod-volumes-exist",
    rule: "P9",
    description:
      "Every volume the Alloy pod mounts exists: the config ConfigMap (created by the chart unless alloy.configMap.create is false, then alloy.configMap.name) and each alloy.mounts.extra name among controller.volumes.extra",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep alloy.configMap.create true, or name an existing ConfigMap in alloy.configMap.name; when overriding controller.volumes.extra or alloy.mounts.extra, repeat the stack's entries (alloy-data) in the list you set.",
    url: "https://github.com/grafana/alloy/tree/helm-chart/1.11.1/operations/helm/charts/alloy/templates (controllers/_pod.yaml, containers/_agent.yaml, configmap.yaml)",
    tags: ["alloy", "kubernetes", "rollout"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const v = release.values;
      const createNode = v.at("alloy.configMap.create");
      const create = createNode.boolean();
      const name = v.at("alloy.configMap.name").string();
      const fullname = chartFullname(release, "alloy");
      ctx.known([create, name, fullname] as const, (created, named, full) => {
        if (created !== false || named) return;
        const declared = stack
          .ofType(CONFIG_MAP_TYPE)
          .some(
            (r) =>
              r.props.at("metadata.name").raw() === full &&
              (r.props.at("metadata.namespace").raw() ?? "default") === release.namespace,
          );
        const extra = v.get("extraObjects").raw();
        const inExtra =
          Array.isArray(extra) &&
          extra.some(
            (o) =>
              o !== null &&
              typeof o === "object" &&
              (o as { kind?: unknown }).kind === "ConfigMap" &&
              (o as { metadata?: { name?: unknown } }).metadata?.name === full,
          );
        if (declared || inExtra) return;
        ctx.violation(
          `${createNode.where}=false and no alloy.configMap.name: the Alloy pods still mount volume "config" from ConfigMap "${full}" ` +
            `(the chart's fullname, templates/_config.tpl alloy.config-map.name), which the chart no longer renders and the stack does not declare. ` +
            `The kubelet cannot mount it (configmap "${full}" not found), every Alloy pod stays in ContainerCreating, and the program's config ` +
            `(alloy.configMap.content) is never delivered: no pod logs, events or OTLP reach Loki and Mimir. Fix: remove alloy.configMap.create: false ` +
            `(the chart creates the ConfigMap from alloy.configMap.content), or set alloy.configMap.name to a ConfigMap that exists in ${release.namespace}.`,
          release.resource.urn,
        );
      });

      const mountsNode = v.at("alloy.mounts.extra");
      const volumesNode = v.at("controller.volumes.extra");
      const mounts = names(mountsNode);
      const volumes = names(volumesNode);
      const type = v.at("controller.type").string();
      // A claim template is a PersistentVolumeClaim: its volume is named by metadata.name (statefulset.yaml toYaml).
      const claims = names(v.at("controller.volumeClaimTemplates"), "metadata.name");
      if (!mounts || !volumes || !claims || isUnknown(type)) {
        for (const n of [mountsNode, volumesNode, v.at("controller.type")])
          if (n.isUnknown) ctx.inconclusive(n.unknown());
        continue;
      }
      const varlog = v.at("alloy.mounts.varlog").boolean();
      const docker = v.at("alloy.mounts.dockercontainers").boolean();
      const available = new Set(["config", ...volumes.names]);
      if (varlog === true) available.add("varlog");
      if (docker === true) available.add("dockercontainers");
      // controller.volumeClaimTemplates: the StatefulSet controller adds a volume per claim (statefulset.yaml).
      if (type === "statefulset") for (const c of claims.names) available.add(c);
      const missing = mounts.names.filter((n) => !available.has(n));
      if (missing.length === 0) continue;
      const listed = volumes.names.length > 0 ? volumes.names.join(", ") : "none";
      ctx.violation(
        `${mountsNode.where} mounts ${missing.map((n) => `"${n}"`).join(", ")} into the Alloy container, but the pod has no such volume ` +
          `(controller.volumes.extra: ${listed}; the chart adds only config${varlog === true ? ", varlog" : ""}${docker === true ? ", dockercontainers" : ""}). ` +
          `A Helm list value replaces the whole list, so an override of controller.volumes.extra drops the stack's entries. The API server rejects the pod template ` +
          `(volumeMounts name Not found, ValidateVolumeMounts): the DaemonSet is refused, the alloy release fails and Alloy never runs with this config. ` +
          `Fix: list ${missing.map((n) => `"${n}"`).join(", ")} in controller.volumes.extra next to your own volumes (the stack's alloy-data is a hostPath at alloy.storagePath), or drop the mount.`,
        release.resource.urn,
      );
    }
  },
);
