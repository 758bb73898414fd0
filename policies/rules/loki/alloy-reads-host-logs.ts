// L7: Alloy tails the kubelet's container log files under /var/log/pods on each node (Kubernetes docs, "Logging
// architecture"); the alloy chart mounts the host's /var/log only with alloy.mounts.varlog (alloy chart values.yaml:
// "Mount /var/log from the host into the container for log collection", default false). A config that reads
// /var/log without the mount finds no file: every pod's logs stop, silently.
// Mounted, the files must also be readable by the Alloy process: the kubelet's container log files under
// /var/log/pods are created by the runtime owned by root:root with mode 0640 (containerd internal/cri/io
// container_io.go / pkg/cri/io: log files opened with 0640; containerd/containerd#8920 "fails for non-root since the
// logs files are created with user and group root"; kubernetes/kubernetes#124349 shows `-rw-r-----`). A process
// that is neither uid 0 nor in group 0 reads them only with CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE (capabilities(7)).
// The alloy chart (1.11.1) puts alloy.securityContext on the Alloy container (templates/containers/_agent.yaml) and
// controller.podSecurityContext on the pod (templates/controllers/_pod.yaml); both default to {} (the image's user,
// root). A container field overrides the pod's (Kubernetes API, SecurityContext vs PodSecurityContext). runAsNonRoot
// without a runAsUser either starts as the image's non-root user or is refused by the kubelet ("container has
// runAsNonRoot and image will run as root"): Alloy reads no log either way.
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown, known } from "../../lib/unknown";

/** The container's effective securityContext field: the container's, else the pod's. */
function field(container: PropNode, pod: PropNode, key: string): { raw: unknown; where: string } | undefined {
  for (const node of [container.get(key), pod.get(key)]) {
    const raw = known(node.raw());
    if (raw !== undefined && raw !== null) return { raw, where: `${node.where}=${JSON.stringify(raw)}` };
  }
  return undefined;
}

/** Why the Alloy container cannot read root-owned 0640 files, or undefined when it can (or it is not known). */
function cannotReadRootFiles(container: PropNode, pod: PropNode): string | undefined {
  const user = field(container, pod, "runAsUser");
  const nonRoot = field(container, pod, "runAsNonRoot");
  const nonRootUser =
    user !== undefined ? Number(user.raw) !== 0 : nonRoot !== undefined && nonRoot.raw === true ? true : false;
  if (!nonRootUser) return undefined;
  if (known(container.get("privileged").boolean()) === true) return undefined;
  const group = field(container, pod, "runAsGroup");
  const supplemental = (known(pod.get("supplementalGroups").raw()) ?? []) as unknown[];
  if ((group && Number(group.raw) === 0) || (Array.isArray(supplemental) && supplemental.some((g) => Number(g) === 0)))
    return undefined;
  const added = (known(container.get("capabilities").get("add").raw()) ?? []) as unknown[];
  const caps = Array.isArray(added) ? added.map((c) => String(c).toUpperCase().replace(/^CAP_/, "")) : [];
  if (caps.includes("DAC_READ_SEARCH") || caps.includes("DAC_OVERRIDE") || caps.includes("ALL")) return undefined;
  return [user?.where, nonRoot?.where, group?.where].filter(Boolean).join(", ");
}

export const alloyReadsHostLogs = stackRule<object>(
  {
    name: "alloy-reads-host-logs",
    rule: "L7",
    description:
      "An Alloy config that tails files under /var/log must mount the host's /var/log (alloy.mounts.varlog) and run as a user that can read the root-owned 0640 container log files (root, group 0, or CAP_DAC_READ_SEARCH)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep alloy.mounts.varlog: true (or mount the host's /var/log through alloy.mounts.extra), and run the Alloy container as root (the chart default) or add CAP_DAC_READ_SEARCH to alloy.securityContext.capabilities.",
    url: "https://github.com/grafana/alloy/blob/main/operations/helm/charts/alloy/values.yaml (alloy.mounts.varlog)",
    tags: ["alloy", "loki"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const content = release.values.at("alloy.configMap.content").string();
      if (isUnknown(content)) {
        ctx.inconclusive(content);
        continue;
      }
      if (!content || !/"\/var\/log\//.test(content)) continue;
      const container = release.values.at("alloy.securityContext");
      const who = cannotReadRootFiles(container, release.values.at("controller.podSecurityContext"));
      if (who !== undefined)
        ctx.violation(
          `${release.label} tails files under /var/log (values.alloy.configMap.content) as a non-root user (${who}) without ` +
            `CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE in ${container.where}.capabilities.add and outside group 0: the container log files under /var/log/pods ` +
            `are owned by root:root with mode 0640 (containerd; kubelet log layout), so every open fails with permission denied and no pod log reaches Loki (silent loss). ` +
            `Fix: run the Alloy container as root (leave alloy.securityContext.runAsUser unset, the chart default), or add DAC_READ_SEARCH to alloy.securityContext.capabilities.add.`,
          release.resource.urn,
        );
      const varlog = release.values.at("alloy.mounts.varlog");
      if (known(varlog.boolean()) === true) continue;
      const extra = known(release.values.at("alloy.mounts.extra").items()) ?? [];
      if (extra.some((m) => /^\/var\/log\/?$/.test(String(m.get("mountPath").raw() ?? "")))) continue;
      ctx.violation(
        `${release.label} tails files under /var/log (values.alloy.configMap.content), but ${varlog.where}=${String(varlog.raw() ?? "false (chart default)")}: ` +
          `the host's /var/log is not mounted, so Alloy finds no log file and every pod's logs stop reaching Loki, with no error. ` +
          `Fix: set alloy.mounts.varlog: true.`,
        release.resource.urn,
      );
    }
  },
);
