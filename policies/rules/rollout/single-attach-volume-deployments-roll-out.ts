// U12: a Deployment whose pod mounts a single-attach volume must not surge a second pod during a rollout. Mandatory
// for ReadWriteOncePod (a second pod can never use the volume: the scheduler's VolumeRestrictions plugin keeps it
// Pending); advisory for ReadWriteOnce, where the stall depends on placement: the EBS volume keeps the new pod in its
// zone, and only a new pod on another node of that zone waits on the attachment (a zone with one node cannot stall).
// - Kubernetes docs, "Persistent Volumes", Access Modes: ReadWriteOnce "the volume can be mounted as read-write by a
//   single node" (pods on that same node may share it); ReadWriteOncePod by a single pod. EBS volumes (the stack's gp3
//   StorageClass, aws-ebs-csi-driver) attach to one instance at a time; a pod on another node waits in
//   ContainerCreating with "Multi-Attach error for volume ... Volume is already exclusively attached to one node and
//   can't be attached to another".
// - Kubernetes docs, "Deployments", Rolling Update Deployment: maxUnavailable (default 25%) is rounded down and maxSurge
//   (default 25%) rounded up, so one replica rolls with maxUnavailable 0 and maxSurge 1: the new pod is created first
//   and the old one is removed only when the new one is ready. When the scheduler puts the new pod on another node it
//   never attaches the volume, the old pod is never removed, and the Deployment exceeds progressDeadlineSeconds
//   (default 600): the Helm release's upgrade waits and fails. `strategy: Recreate` ("All existing Pods are killed
//   before new ones are created") or maxSurge 0 frees the volume first. With more than one replica the pods beyond the
//   first cannot run on other nodes at all.
// - grafana chart 12.11.1 (kube-prometheus-stack 88.5.3's grafana subchart, grafana-community/helm-charts tag
//   grafana-12.11.1): values.yaml deploymentStrategy {type: RollingUpdate}, replicas 1, persistence {enabled: false,
//   type: pvc, accessModes: [ReadWriteOnce]}; templates/deployment.yaml renders the Deployment when `not useStatefulSet`
//   and (`not persistence.enabled` or persistence.type pvc), with `strategy` from deploymentStrategy and `replicas` only
//   without autoscaling.enabled; templates/pvc.yaml renders the claim `<fullname>` with persistence.accessModes when
//   persistence.enabled, type pvc and no existingClaim; templates/_pod.tpl mounts it (or existingClaim) as `storage`.
//   The chart's values carry no guidance on the strategy; the grafana container keeps its SQLite database there.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { known } from "../../lib/unknown";
import { PropNode } from "../../lib/node";

const SINGLE_ATTACH = ["ReadWriteOnce", "ReadWriteOncePod"];

/** A Deployment rolling-update parameter as an absolute number (Kubernetes intstr: percent of replicas, rounded). */
function scaled(raw: unknown, fallback: string, replicas: number, roundUp: boolean): number {
  const value = raw === undefined || raw === null ? fallback : raw;
  if (typeof value === "number") return value;
  const text = String(value).trim();
  const percent = /^(\d+)%$/.exec(text);
  if (percent) {
    const exact = (Number(percent[1]) * replicas) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return /^\d+$/.test(text) ? Number(text) : 0;
}

interface Finding {
  readonly problem: string;
  readonly fix: string;
  /** ReadWriteOncePod: the second pod never starts, wherever it is scheduled. */
  readonly certain: boolean;
}

/** The grafana subchart's Deployment and its `storage` volume, as templates/deployment.yaml and pvc.yaml render them. */
function grafanaFinding(grafana: PropNode): Finding | undefined {
  const on = (node: PropNode, fallback: boolean) => known(node.boolean()) ?? fallback;
  if (!on(grafana.get("enabled"), true)) return undefined; // kube-prometheus-stack Chart.yaml condition
  const persistence = grafana.get("persistence");
  const type = known(persistence.get("type").string()) ?? "pvc";
  if (on(grafana.get("useStatefulSet"), false) || !on(persistence.get("enabled"), false) || type !== "pvc")
    return undefined;
  const existing = known(persistence.get("existingClaim").string());
  // An existing claim's access modes are the claim's own; the values do not say them.
  if (existing) return undefined;
  const modesNode = persistence.get("accessModes");
  const modes = (known(modesNode.items()) ?? []).map((m) => known(m.string()));
  const effective = modesNode.isPresent ? modes : ["ReadWriteOnce"];
  if (effective.includes("ReadWriteMany") || !effective.some((m) => m !== undefined && SINGLE_ATTACH.includes(m)))
    return undefined;
  const modesText = modesNode.isPresent
    ? `${modesNode.where}=${JSON.stringify(modes)}`
    : "persistence.accessModes=[ReadWriteOnce] (grafana chart 12.11.1 default)";
  const volume = `${persistence.get("enabled").where}=true (a ${effective.join("/")} claim, ${modesText})`;
  const certain = effective.includes("ReadWriteOncePod");
  const autoscaling = grafana.get("autoscaling", "enabled");
  if (on(autoscaling, false))
    return {
      problem: `${volume} on the Grafana Deployment with ${autoscaling.where}=true: the pods the autoscaler adds on other nodes cannot attach the volume (Multi-Attach error) and stay ContainerCreating`,
      fix: "turn grafana.autoscaling off with persistence, or keep Grafana's state in a database instead of the volume",
      certain,
    };
  const replicasNode = grafana.get("replicas");
  const replicas = known(replicasNode.number()) ?? 1; // grafana values.yaml replicas: 1
  const replicasText = replicasNode.isPresent ? `${replicasNode.where}=${replicas}` : "replicas=1 (chart default)";
  if (replicas > 1)
    return {
      problem: `${volume} on the Grafana Deployment with ${replicasText}: the replicas scheduled on other nodes cannot attach the volume (Multi-Attach error) and stay ContainerCreating`,
      fix: "run one Grafana replica with the volume (and grafana.deploymentStrategy.type: Recreate), or keep Grafana's state in a database instead",
      certain,
    };
  const strategy = grafana.get("deploymentStrategy");
  const strategyType = known(strategy.get("type").string()) ?? "RollingUpdate";
  if (strategyType !== "RollingUpdate" || replicas < 1) return undefined;
  const surgeNode = strategy.get("rollingUpdate", "maxSurge");
  const surge = scaled(known(surgeNode.raw()), "25%", replicas, true);
  if (surge < 1) return undefined;
  const strategyText = strategy.isPresent
    ? `${strategy.get("type").where}=${strategyType}${surgeNode.isPresent ? `, maxSurge ${String(surgeNode.raw())}` : ""}`
    : "deploymentStrategy.type=RollingUpdate (grafana chart 12.11.1 default; maxSurge 25% rounds up to 1, maxUnavailable 25% down to 0)";
  return {
    problem:
      `${volume} on the single-replica Grafana Deployment (${replicasText}) rolled out by ${strategyText}: each rollout (a Grafana ` +
      `upgrade or any config change) starts the new pod before removing the old one, and ` +
      (certain
        ? `a ReadWriteOncePod claim admits no second pod (the scheduler keeps it Pending)`
        : `when it lands on another node of the volume's zone it cannot attach the volume (Multi-Attach error, ContainerCreating)`) +
      ` while the old pod is never removed, so the Deployment exceeds its progress deadline and the kube-prometheus-stack ` +
      `release's upgrade fails`,
    fix: "set grafana.deploymentStrategy: {type: Recreate} (or rollingUpdate.maxSurge: 0 with maxUnavailable: 1), so the old pod releases the volume first",
    certain,
  };
}

export const singleAttachVolumeDeploymentsRollOut = stackRule<object>(
  {
    name: "single-attach-volume-deployments-roll-out",
    rule: "U12",
    description:
      "A Deployment whose pods mount a single-attach volume (Grafana persistence) should not surge a second pod: one replica with strategy Recreate (or maxSurge 0), else rollouts can stall on the volume attachment (certain with ReadWriteOncePod: mandatory; advisory with ReadWriteOnce)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "With grafana.persistence.enabled, set grafana.deploymentStrategy: {type: Recreate} and keep one replica without autoscaling (or use a StatefulSet: grafana.useStatefulSet).",
    url: "https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes ; https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment",
    tags: ["rollout", "grafana", "storage"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack)) {
      const finding = grafanaFinding(release.values.get("grafana"));
      if (!finding) continue;
      const message = `${finding.problem}. Fix: ${finding.fix}.`;
      if (finding.certain) ctx.violation(message, release.resource.urn);
      else ctx.advisory(message, release.resource.urn);
    }
  },
);
