// L7: Alloy tails the kubelet's container log files under /var/log/pods on each node (Kubernetes docs, "Logging
// architecture"); the alloy chart mounts the host's /var/log only with alloy.mounts.varlog (alloy chart values.yaml:
// "Mount /var/log from the host into the container for log collection", default false). A config that reads
// /var/log without the mount finds no file: every pod's logs stop, silently.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown, known } from "../../lib/unknown";

export const alloyReadsHostLogs = stackRule<object>(
  {
    name: "alloy-reads-host-logs",
    rule: "L7",
    description: "An Alloy config that tails files under /var/log must mount the host's /var/log (alloy.mounts.varlog)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Keep alloy.mounts.varlog: true (or mount the host's /var/log through alloy.mounts.extra).",
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
