// The PodDisruptionBudgets and rolling-update strategies the stack's charts and Strimzi resources render, read from
// their values / specs with each chart's defaults, and how Kubernetes judges them.
import { LOKI_CHART_DEFAULTS, LokiRelease } from "../../lib/loki";
import { MimirRelease } from "../../lib/mimir";
import { PolicyInputError, PropNode } from "../../lib/node";
import { CustomResource, HelmRelease, STRIMZI_CLUSTER_LABEL, StackView } from "../../lib/stack";
import { known } from "../../lib/unknown";

/** An IntOrString budget or surge: an integer or a percentage ("50%"). */
export interface IntOrPercent {
  kind: "int" | "percent";
  value: number;
  text: string;
}

/** A field with where its value comes from (a values path, or the default that applies). */
export interface Field {
  value: IntOrPercent;
  where: string;
}

/** Pods a budget covers: the pod model's groups of one release / resource and component, or a known count. */
export type PodsRef = { ownerUrn: string; component: string } | { count: number; note: string };

export interface Budget {
  /** e.g. `mimir-distributed release "mimir"` */
  owner: string;
  urn: string;
  /** What the budget protects, e.g. "ingester" */
  component: string;
  /** The values / spec path that configures it, for the fix. */
  path: string;
  pods: PodsRef;
  maxUnavailable?: Field;
  minAvailable?: Field;
  /** Where the replicas are set, for the fix. */
  replicasPath?: string;
  /**
   * Set when the chart renders no budget for the component (U6 judges its absence like a budget that allows every
   * pod): the setting that leaves it out, and the values that give it one.
   */
  absent?: { why: string; fix: string };
}

export interface Strategy {
  owner: string;
  urn: string;
  component: string;
  kind: "Deployment" | "DaemonSet";
  /** The values path of the rollingUpdate block. */
  path: string;
  maxUnavailable: Field;
  maxSurge: Field;
}

/** An integer or percentage from a value; undefined when absent or null; a PolicyInputError when it is neither. */
export function intOrPercent(node: PropNode): IntOrPercent | undefined {
  const raw = known(node.raw());
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0)
    return { kind: "int", value: raw, text: String(raw) };
  if (typeof raw === "string") {
    const percent = /^(\d+)%$/.exec(raw.trim());
    if (percent) return { kind: "percent", value: Number(percent[1]), text: raw.trim() };
    if (/^\d+$/.test(raw.trim())) return { kind: "int", value: Number(raw), text: raw.trim() };
  }
  throw new PolicyInputError(
    `${node.where}=${JSON.stringify(raw)} is not a non-negative integer or a percentage such as 50%: the API server refuses it ` +
      `(Kubernetes apps/policy validation, ValidatePositiveIntOrPercent).`,
    node.owner.urn,
  );
}

function field(node: PropNode): Field | undefined {
  const value = intOrPercent(node);
  return value && { value, where: node.where };
}

const int = (value: number): IntOrPercent => ({ kind: "int", value, text: String(value) });

/** True for 0 and "0%". */
export function isZero(value: IntOrPercent): boolean {
  return value.value === 0;
}

/**
 * Evictions the budget allows with all `pods` healthy, as the disruption controller computes it
 * (kubernetes pkg/controller/disruption/disruption.go getExpectedPodCount: maxUnavailable and a percentage
 * minAvailable are scaled with GetScaledValueFromIntOrPercent(..., roundUp=true); disruptionsAllowed =
 * currentHealthy - desiredHealthy).
 */
export function allowedEvictions(budget: Budget, pods: number): number {
  const scaled = (v: IntOrPercent) => (v.kind === "int" ? v.value : Math.ceil((v.value * pods) / 100));
  if (budget.maxUnavailable) return pods - Math.max(0, pods - scaled(budget.maxUnavailable.value));
  if (budget.minAvailable) return Math.max(0, pods - scaled(budget.minAvailable.value));
  return pods;
}

// ---------------------------------------------------------------- mimir-distributed

/**
 * Components with a PodDisruptionBudget (names as the pod model, policies/rules/capacity/pods.ts, counts them).
 * mimir-distributed 6.0.x: every component's values carry `podDisruptionBudget: {maxUnavailable: 1}` and
 * templates/lib/pdb.tpl renders `toYaml .podDisruptionBudget` whenever it is set, selecting the component's pods in
 * every zone (values.yaml: "this will be applied across availability zones"; a 6.0.3 render shows one PDB per
 * component with maxUnavailable 1, the memcached caches included).
 */
const MIMIR_PDB_COMPONENTS = [
  "distributor",
  "ingester",
  "store_gateway",
  "querier",
  "query_frontend",
  "query_scheduler",
  "compactor",
  "ruler",
  "alertmanager",
  "overrides_exporter",
  "gateway",
  "chunks-cache",
  "index-cache",
  "metadata-cache",
  "results-cache",
];

export function mimirBudgets(mimir: MimirRelease): Budget[] {
  const release = mimir.release;
  const budgets: Budget[] = [];
  for (const component of MIMIR_PDB_COMPONENTS) {
    const node = release.values.get(component, "podDisruptionBudget");
    const raw = known(node.raw());
    // null, false or "" removes the chart's budget (Helm: a null value deletes the default key; the template's `if`).
    if (raw === null || raw === false || raw === "") continue;
    const maxNode = node.get("maxUnavailable");
    const maxRaw = known(maxNode.raw());
    const maxUnavailable =
      maxRaw === undefined
        ? { value: int(1), where: `${release.label} chart default ${component}.podDisruptionBudget.maxUnavailable` }
        : field(maxNode);
    budgets.push({
      owner: release.label,
      urn: release.resource.urn,
      component,
      path: `${component}.podDisruptionBudget`,
      pods: { ownerUrn: release.resource.urn, component },
      maxUnavailable,
      minAvailable: field(node.get("minAvailable")),
      replicasPath: `${component}.replicas`,
    });
  }
  return budgets;
}

// ---------------------------------------------------------------- loki

/**
 * loki 18.11.0 components with a templates/<component>/pdb.yaml, their pod-model name, default replicas and the
 * default of their legacy `<component>.maxUnavailable` (values.yaml: 1 for ingester, write, read, backend and
 * queryScheduler, null elsewhere). Compactor has no budget template.
 */
const LOKI_PDB_COMPONENTS: ReadonlyArray<{ key: string; pod: string; replicas: number; legacyMax?: number }> = [
  { key: "singleBinary", pod: "single-binary", replicas: LOKI_CHART_DEFAULTS.singleBinaryReplicas },
  { key: "write", pod: "write", replicas: LOKI_CHART_DEFAULTS.writeReplicas, legacyMax: 1 },
  { key: "read", pod: "read", replicas: 3, legacyMax: 1 },
  { key: "backend", pod: "backend", replicas: 3, legacyMax: 1 },
  { key: "ingester", pod: "ingester", replicas: LOKI_CHART_DEFAULTS.ingesterReplicas, legacyMax: 1 },
  { key: "distributor", pod: "distributor", replicas: 0 },
  { key: "querier", pod: "querier", replicas: 0 },
  { key: "queryFrontend", pod: "queryFrontend", replicas: 0 },
  { key: "queryScheduler", pod: "queryScheduler", replicas: 0, legacyMax: 1 },
  { key: "indexGateway", pod: "indexGateway", replicas: 0 },
  { key: "ruler", pod: "ruler", replicas: 0 },
  { key: "gateway", pod: "gateway", replicas: 1 },
];

/**
 * templates/_pdb.tpl `loki.pdb`: rendered when podDisruptionBudget.enabled (default true) and the component runs more
 * than one replica (`gt (int .component.replicas | default 1) 1`, or autoscaling.minReplicas); maxUnavailable is the
 * legacy `<component>.maxUnavailable` overridden by any non-null podDisruptionBudget key; nothing is rendered when
 * neither maxUnavailable nor minAvailable is set. The single binary merges the top-level podDisruptionBudget under
 * singleBinary.podDisruptionBudget (templates/monolithic/pdb.yaml).
 */
export function lokiBudgets(loki: LokiRelease): Budget[] {
  const release = loki.release;
  const values = release.values;
  const budgets: Budget[] = [];
  for (const c of LOKI_PDB_COMPONENTS) {
    const section = values.get(c.key);
    const pdbNodes =
      c.key === "singleBinary"
        ? [section.get("podDisruptionBudget"), values.get("podDisruptionBudget")]
        : [section.get("podDisruptionBudget")];
    const pick = (key: string): PropNode | undefined =>
      pdbNodes
        .map((n) => n.get(key))
        .find((n) => {
          const raw = known(n.raw());
          return raw !== undefined && raw !== null;
        });
    const enabledNode = pick("enabled");
    if (enabledNode && known(enabledNode.boolean()) === false) continue;
    const autoscaling = known(section.at("autoscaling.enabled").boolean()) === true;
    const replicas = autoscaling
      ? (known(section.at("autoscaling.minReplicas").number()) ?? 1)
      : (known(section.get("replicas").number()) ?? c.replicas);
    if (replicas <= 1) continue;
    const legacy = section.get("maxUnavailable");
    const legacyRaw = known(legacy.raw());
    const maxNode = pick("maxUnavailable");
    const maxUnavailable = maxNode
      ? field(maxNode)
      : legacyRaw !== undefined && legacyRaw !== null
        ? field(legacy)
        : legacyRaw === undefined && c.legacyMax !== undefined
          ? { value: int(c.legacyMax), where: `${release.label} chart default ${c.key}.maxUnavailable` }
          : undefined;
    const minNode = pick("minAvailable");
    const minAvailable = minNode && field(minNode);
    if (!maxUnavailable && !minAvailable) continue;
    budgets.push({
      owner: release.label,
      urn: release.resource.urn,
      component: c.key,
      path: `${c.key}.podDisruptionBudget`,
      pods: { ownerUrn: release.resource.urn, component: c.pod },
      maxUnavailable,
      minAvailable,
      replicasPath: `${c.key}.replicas`,
    });
  }
  return budgets;
}

// ---------------------------------------------------------------- kube-prometheus-stack

/**
 * kube-prometheus-stack 88.5.3: `<section>.podDisruptionBudget` {enabled: false, minAvailable: 1,
 * maxUnavailable commented out}; the template renders `toYaml (omit .podDisruptionBudget "enabled")`, so the default
 * minAvailable 1 stays unless set to null (templates/prometheus/podDisruptionBudget.yaml and alike). The Prometheus
 * budget selects every pod of the Prometheus resource: replicas x shards.
 */
const KPS_PDB_SECTIONS = [
  { key: "prometheus", pod: "prometheus", replicasPath: "prometheus.prometheusSpec.replicas" },
  { key: "alertmanager", pod: "alertmanager", replicasPath: "alertmanager.alertmanagerSpec.replicas" },
  { key: "prometheusOperator", pod: "prometheus-operator", replicasPath: undefined },
];

export function kubePrometheusStackBudgets(release: HelmRelease): Budget[] {
  const budgets: Budget[] = [];
  for (const s of KPS_PDB_SECTIONS) {
    const node = release.values.get(s.key, "podDisruptionBudget");
    if (known(node.get("enabled").boolean()) !== true) continue;
    const minNode = node.get("minAvailable");
    const minRaw = known(minNode.raw());
    budgets.push({
      owner: release.label,
      urn: release.resource.urn,
      component: s.key,
      path: `${s.key}.podDisruptionBudget`,
      pods: { ownerUrn: release.resource.urn, component: s.pod },
      maxUnavailable: field(node.get("maxUnavailable")),
      minAvailable:
        minRaw === undefined
          ? { value: int(1), where: `${release.label} chart default ${s.key}.podDisruptionBudget.minAvailable` }
          : field(minNode),
      replicasPath: s.replicasPath,
    });
  }
  return budgets;
}

// ---------------------------------------------------------------- strimzi-kafka-operator chart

/**
 * strimzi-kafka-operator 1.2.0 values `podDisruptionBudget` {enabled: false, minAvailable: 1, maxUnavailable: null};
 * templates/051-PodDisruptionBudget-strimzi-cluster-operator.yaml renders each of minAvailable and maxUnavailable
 * only when truthy (`{{- if .Values.podDisruptionBudget.minAvailable }}`: 0 is left out), both when both are set.
 */
export function strimziOperatorBudgets(release: HelmRelease): Budget[] {
  const node = release.values.get("podDisruptionBudget");
  if (known(node.get("enabled").boolean()) !== true) return [];
  const truthy = (key: string, fallback?: number): Field | undefined => {
    const child = node.get(key);
    const raw = known(child.raw());
    if (raw === undefined && fallback !== undefined)
      return { value: int(fallback), where: `${release.label} chart default podDisruptionBudget.${key}` };
    if (raw === undefined || raw === null || raw === 0 || raw === "" || raw === false) return undefined;
    return field(child);
  };
  return [
    {
      owner: release.label,
      urn: release.resource.urn,
      component: "cluster-operator",
      path: "podDisruptionBudget",
      pods: { ownerUrn: release.resource.urn, component: "cluster-operator" },
      maxUnavailable: truthy("maxUnavailable"),
      minAvailable: truthy("minAvailable", 1),
      replicasPath: "replicas",
    },
  ];
}

// ---------------------------------------------------------------- Strimzi operands

/**
 * The budgets the Strimzi operator generates (unless the operator chart sets generatePodDisruptionBudget false,
 * strimzi-kafka-operator 1.2.0 values): one per Kafka cluster over every node of its pools, and one each for the
 * entity operator, Cruise Control and Kafka Exporter when declared. Each takes only
 * `template.podDisruptionBudget.maxUnavailable` (Strimzi 1.2.0 CRD 040-Crd-kafka.yaml: integer, minimum 0, "Setting
 * this value to 0 prevents all voluntary evictions, so the pods must be evicted manually. Defaults to 1."). KafkaNodePool
 * has no budget template of its own (045-Crd-kafkanodepool.yaml).
 */
export function strimziOperandBudgets(stack: StackView): Budget[] {
  if (strimziBudgetsDisabled(stack)) return [];
  const budgets: Budget[] = [];
  for (const kafka of stack.strimzi("Kafka")) {
    const nodes = kafkaNodeCount(stack, kafka);
    const operand = (section: string, component: string, pods: number, note: string) => {
      const node = kafka.spec.at(`${section}.template.podDisruptionBudget.maxUnavailable`);
      const maxUnavailable = field(node);
      if (!maxUnavailable) return; // Strimzi's default 1
      budgets.push({
        owner: kafka.label,
        urn: kafka.resource.urn,
        component,
        path: `spec.${section}.template.podDisruptionBudget.maxUnavailable`,
        pods: { count: pods, note },
        maxUnavailable,
      });
    };
    operand("kafka", "Kafka nodes", nodes, "the replicas of its KafkaNodePools");
    for (const [section, component] of [
      ["entityOperator", "entity operator"],
      ["cruiseControl", "Cruise Control"],
      ["kafkaExporter", "Kafka Exporter"],
    ]) {
      if (kafka.spec.get(section).isPresent) operand(section, component, 1, "one pod");
    }
  }
  return budgets;
}

/**
 * Where the operator chart turns budget generation off (`generatePodDisruptionBudget: false` sets the operator's
 * STRIMZI_POD_DISRUPTION_BUDGET_GENERATION, strimzi-kafka-operator 1.2.0 templates/060-Deployment-strimzi-cluster-operator.yaml;
 * Strimzi docs "Disabling pod disruption budget generation": define your own budgets then), or undefined.
 */
export function strimziBudgetsDisabled(stack: StackView): string | undefined {
  for (const release of stack.helmReleases("strimzi-kafka-operator")) {
    const node = release.values.get("generatePodDisruptionBudget");
    if (known(node.boolean()) === false) return `${node.where}=false`;
  }
  return undefined;
}

/** The nodes of a Kafka cluster: the replicas of its KafkaNodePools. */
export function kafkaNodeCount(stack: StackView, kafka: CustomResource): number {
  return stack
    .strimzi("KafkaNodePool")
    .filter((p) => p.labels[STRIMZI_CLUSTER_LABEL] === kafka.name && sameNamespace(p, kafka))
    .reduce((sum, p) => sum + (known(p.spec.get("replicas").number()) ?? 0), 0);
}

function sameNamespace(a: CustomResource, b: CustomResource): boolean {
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace;
}

// ---------------------------------------------------------------- rolling-update strategies

/** Kubernetes defaults of an empty rollingUpdate (kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment / SetDefaults_DaemonSet). */
const K8S_ROLLING_DEFAULTS = {
  Deployment: {
    maxUnavailable: { kind: "percent", value: 25, text: "25%" },
    maxSurge: { kind: "percent", value: 25, text: "25%" },
  },
  DaemonSet: { maxUnavailable: int(1), maxSurge: int(0) },
} as const satisfies Record<Strategy["kind"], { maxUnavailable: IntOrPercent; maxSurge: IntOrPercent }>;

/**
 * A rollingUpdate block: the values over the chart's defaults over Kubernetes' defaults. Undefined when the strategy
 * type is not RollingUpdate (Recreate, OnDelete) or when `explicitOnly` and the values do not set both fields.
 */
function strategyAt(
  release: HelmRelease,
  component: string,
  kind: Strategy["kind"],
  strategyPath: string,
  chartDefaults: { maxUnavailable?: IntOrPercent; maxSurge?: IntOrPercent } | "unknown",
): Strategy | undefined {
  const strategy = release.values.at(strategyPath);
  const type = known(strategy.get("type").string());
  if (type !== undefined && type !== "RollingUpdate") return undefined;
  const pick = (key: "maxUnavailable" | "maxSurge"): Field | undefined => {
    const node = strategy.get("rollingUpdate", key);
    const given = field(node);
    if (given) return given;
    if (chartDefaults === "unknown") return undefined;
    const chartDefault = chartDefaults[key];
    if (chartDefault && known(node.raw()) === undefined)
      return { value: chartDefault, where: `${release.label} chart default ${strategyPath}.rollingUpdate.${key}` };
    return { value: K8S_ROLLING_DEFAULTS[kind][key], where: `Kubernetes' ${kind} default ${key}` };
  };
  const maxUnavailable = pick("maxUnavailable");
  const maxSurge = pick("maxSurge");
  if (!maxUnavailable || !maxSurge) return undefined;
  return {
    owner: release.label,
    urn: release.resource.urn,
    component,
    kind,
    path: `${strategyPath}.rollingUpdate`,
    maxUnavailable,
    maxSurge,
  };
}

/**
 * alloy 1.11.1: `controller.type` (daemonset by default) and `controller.updateStrategy` ({} by default), rendered as
 * the DaemonSet's `updateStrategy` or the Deployment's `strategy` (templates/controllers/daemonset.yaml,
 * deployment.yaml); a StatefulSet has no maxSurge and is not checked here.
 */
export function alloyStrategies(release: HelmRelease): Strategy[] {
  const type = known(release.values.at("controller.type").string()) ?? "daemonset";
  const kind = type === "daemonset" ? "DaemonSet" : type === "deployment" ? "Deployment" : undefined;
  if (!kind) return [];
  const s = strategyAt(release, `alloy (${type})`, kind, "controller.updateStrategy", {});
  return s ? [s] : [];
}

/**
 * loki 18.11.0 Deployments and their chart defaults (values.yaml `<component>.strategy.rollingUpdate`: maxSurge 0,
 * maxUnavailable 1): a values override of maxUnavailable to 0 alone leaves maxSurge at the chart's 0.
 */
const LOKI_DEPLOYMENTS = [
  { key: "distributor", pod: "distributor" },
  { key: "querier", pod: "querier" },
  { key: "queryFrontend", pod: "queryFrontend" },
  { key: "queryScheduler", pod: "queryScheduler" },
];

export function lokiStrategies(loki: LokiRelease): Array<Strategy & { pods: PodsRef }> {
  const release = loki.release;
  return LOKI_DEPLOYMENTS.flatMap((d) => {
    const s = strategyAt(release, d.key, "Deployment", `${d.key}.strategy`, {
      maxUnavailable: int(1),
      maxSurge: int(0),
    });
    return s ? [{ ...s, pods: { ownerUrn: release.resource.urn, component: d.pod } }] : [];
  });
}

/**
 * mimir-distributed Deployments (`<component>.strategy`). Their chart defaults differ per component and were not all
 * read (INFERRED gap): only a values block that sets both maxUnavailable and maxSurge is judged.
 */
const MIMIR_DEPLOYMENTS = [
  "distributor",
  "querier",
  "query_frontend",
  "query_scheduler",
  "ruler",
  "overrides_exporter",
  "gateway",
];

export function mimirStrategies(mimir: MimirRelease): Array<Strategy & { pods: PodsRef }> {
  const release = mimir.release;
  return MIMIR_DEPLOYMENTS.flatMap((c) => {
    const s = strategyAt(release, c, "Deployment", `${c}.strategy`, "unknown");
    return s ? [{ ...s, pods: { ownerUrn: release.resource.urn, component: c } }] : [];
  });
}

/** kube-prometheus-stack 88.5.3 `prometheusOperator.strategy` ({} by default): the operator's Deployment strategy. */
export function kubePrometheusStackStrategies(release: HelmRelease): Strategy[] {
  const s = strategyAt(release, "prometheus-operator", "Deployment", "prometheusOperator.strategy", {});
  return s ? [s] : [];
}

/** Why the API server refuses a strategy, in its own words; undefined when it accepts it. */
export function strategyRefusal(s: Strategy): string | undefined {
  const unavailable = !isZero(s.maxUnavailable.value);
  const surge = !isZero(s.maxSurge.value);
  if (s.kind === "Deployment") {
    // kubernetes pkg/apis/apps/validation ValidateRollingUpdateDeployment.
    return !unavailable && !surge
      ? "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
      : undefined;
  }
  // kubernetes pkg/apis/apps/validation ValidateRollingUpdateDaemonSet: exactly one of the two must be non-zero.
  if (!unavailable && !surge)
    return "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0";
  if (unavailable && surge)
    return "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: may not be set when maxUnavailable is non-zero";
  return undefined;
}
