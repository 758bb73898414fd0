// P2 (HARD, silent log loss): an Alloy configuration that collects only what is on its own node must run on every node.
// - The alloy chart 1.11.1 runs Alloy as `controller.type` ('daemonset' by default; 'deployment' or 'statefulset' run
//   `controller.replicas` pods wherever the scheduler puts them: values.yaml "Number of pods to deploy. Ignored when
//   controller.type is 'daemonset'"), and sets K8S_NODE_NAME from the pod's spec.nodeName (templates/containers/_agent.yaml).
// - A config is per node when it:
//   - discovers pods through a `discovery.kubernetes` field selector on `spec.nodeName=` (Alloy reference,
//     discovery.kubernetes `selectors`: the API server returns only the pods bound to that node; the program's config
//     does this with sys.env("K8S_NODE_NAME"), components/alloy/config.ts buildAlloyConfig);
//   - tails files under /var/log, which with the chart's hostPath mount (alloy.mounts.varlog) are the kubelet's log
//     files of the node the pod runs on (Kubernetes docs, "Logging architecture": /var/log/pods on each node);
//   - reads the node's systemd journal (loki.source.journal: the journal of the host whose files it reads).
// With a Deployment or StatefulSet the nodes without an Alloy pod are never read: their pods' logs never reach Loki and
// nothing reports an error (every Alloy pod is healthy). L7 (alloy-reads-host-logs) checks the mount itself.
import { stripComments } from "../../lib/alloy";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

/** What makes a config per node, with how messages describe it. */
const PER_NODE: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  {
    pattern: /"\s*spec\.nodeName\s*=/,
    what: 'discovers only its own node\'s pods (a discovery.kubernetes field selector "spec.nodeName=...")',
  },
  { pattern: /"\/var\/log\//, what: "tails the node's log files under /var/log" },
  { pattern: /\bloki\.source\.journal\s+"/, what: "reads the node's systemd journal (loki.source.journal)" },
];

export const alloyPerNodeConfigRunsAsDaemonset = stackRule<object>(
  {
    name: "alloy-per-node-config-runs-as-daemonset",
    rule: "P2",
    description:
      "An Alloy config that collects from its own node only (spec.nodeName discovery, /var/log files, the journal) must run as a DaemonSet",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep controller.type: daemonset (the chart default) for the log-collecting Alloy; run cluster-wide collection that needs a " +
      "Deployment or StatefulSet in a second Alloy release whose config discovers pods of every node.",
    url: "https://grafana.com/docs/alloy/latest/reference/components/discovery/discovery.kubernetes/ (selectors); alloy chart values.yaml controller.type",
    tags: ["alloy", "loki", "kubernetes"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      const content = release.values.at("alloy.configMap.content").string();
      const typeNode = release.values.at("controller.type");
      const type = typeNode.string();
      if (isUnknown(content)) {
        ctx.inconclusive(content);
        continue;
      }
      if (isUnknown(type)) {
        ctx.inconclusive(type);
        continue;
      }
      // alloy chart values.yaml controller.type: 'daemonset'.
      if (!content || type === undefined || type === "" || type === "daemonset") continue;
      const text = stripComments(content);
      const reasons = PER_NODE.filter((p) => p.pattern.test(text)).map((p) => p.what);
      if (reasons.length === 0) continue;
      const replicas = release.values.at("controller.replicas").number();
      const count =
        isUnknown(replicas) || replicas === undefined ? "1 (chart default controller.replicas)" : String(replicas);
      ctx.violation(
        `${typeNode.where}=${type} runs ${count} Alloy pod(s) wherever the scheduler places them, but its config (values.alloy.configMap.content) ` +
          `${reasons.join(" and ")}: each pod collects only from the node it landed on, so the pods on every node without an Alloy pod ` +
          `never have their logs collected, silently (every Alloy pod stays healthy). Fix: set controller.type: daemonset (the chart default), ` +
          `which runs one Alloy pod per node.`,
        release.resource.urn,
      );
    }
  },
);
