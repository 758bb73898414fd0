// K30 (HARD, Kafka never reconciles / pods never start): every ConfigMap a Strimzi Kafka or KafkaNodePool CR reads
// must be one the stack declares in the CR's namespace, with the key it reads.
// - metricsConfig `type: jmxPrometheusExporter` `valueFrom.configMapKeyRef` (spec.kafka, spec.cruiseControl): the
//   Cluster Operator fetches the ConfigMap while building the component's configuration (strimzi-kafka-operator 1.2.0
//   cluster-operator operator/assembly/MetricsAndLoggingUtils.metricsConfigMap) and throws
//   InvalidConfigurationException "ConfigMap <name> does not exist" or "ConfigMap <name> does not contain specified key
//   <key>" (model/metrics/JmxPrometheusExporterModel.metricsJson); `optional` is not honoured.
// - logging `type: external` `valueFrom.configMapKeyRef` (spec.kafka, spec.cruiseControl,
//   spec.entityOperator.topicOperator / userOperator): InvalidResourceException "ConfigMap <name> with external logging
//   configuration does not exist or doesn't contain the configuration under the <key> key." (model/logging/
//   LoggingUtils.loggingConfiguration).
//   Either ends every reconciliation of the Kafka: it goes NotReady, a new cluster never gets its pods (its topics and
//   users never become ready, Mimir has no Kafka) and a running one takes no later change.
// - container env `valueFrom.configMapKeyRef` and pod `volumes[].configMap` in the CRs' templates (Strimzi api
//   ContainerEnvVarSource, AdditionalVolume): the kubelet does not start the container (CreateContainerConfigError) or
//   the pod (MountVolume.SetUp failed: configmap not found) unless `optional: true` (Kubernetes API
//   ConfigMapKeySelector / ConfigMapVolumeSource `optional`).
// As for K24's CA Secrets, a ConfigMap made by hand outside the stack does not exist in a new stack, so the stack must
// declare it (kubernetes:core/v1:ConfigMap); Strimzi's examples (examples/metrics/kafka-metrics.yaml) ship the
// ConfigMap with the Kafka. Keys are judged when the stack's ConfigMap lists its data (policies/lib/secret-keys.ts).
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";
import { stackRule } from "../../lib/policy";
import { CONFIG_MAP_TYPE, declaredKeys } from "../../lib/secret-keys";
import { containsUnknownSentinel } from "../../lib/unknown";

const RECONCILE_STOPS =
  "every reconciliation of the Kafka fails and it goes NotReady: a new cluster never gets its brokers and controllers (its topics " +
  "and users never become ready and Mimir has no Kafka to write to) and a running one takes no later change";
const POD_STOPS =
  "the kubelet does not start those Kafka pods (CreateContainerConfigError / MountVolume.SetUp failed: configmap not found), so the " +
  "component never runs";

interface Ref {
  name: string;
  key?: string;
  where: string;
  /** The operator's error for a missing ConfigMap and for a missing key. */
  missing: string;
  missingKey?: string;
  effect: string;
}

/** References in the CR's spec: metricsConfig / logging valueFrom, env configMapKeyRef, configMap volumes. */
function collect(value: unknown, path: string, refs: Ref[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => collect(v, `${path}[${i}]`, refs));
  if (!isPlainObject(value)) return;
  const last = path.split(".").pop() ?? "";
  const cmRef = isPlainObject(value.valueFrom) ? value.valueFrom.configMapKeyRef : undefined;
  if (isPlainObject(cmRef) && typeof cmRef.name === "string" && cmRef.name !== "") {
    const name = cmRef.name;
    const key = typeof cmRef.key === "string" ? cmRef.key : undefined;
    if (last === "metricsConfig" && value.type === "jmxPrometheusExporter")
      refs.push({
        name,
        key,
        where: `${path}.valueFrom.configMapKeyRef`,
        missing: `"ConfigMap ${name} does not exist" (JmxPrometheusExporterModel.metricsJson)`,
        missingKey: `"ConfigMap ${name} does not contain specified key ${key}" (JmxPrometheusExporterModel.metricsJson)`,
        effect: RECONCILE_STOPS,
      });
    else if (last === "logging" && value.type === "external") {
      const error = `"ConfigMap ${name} with external logging configuration does not exist or doesn't contain the configuration under the ${key} key." (LoggingUtils.loggingConfiguration)`;
      refs.push({
        name,
        key,
        where: `${path}.valueFrom.configMapKeyRef`,
        missing: error,
        missingKey: error,
        effect: RECONCILE_STOPS,
      });
    } else if (cmRef.optional !== true)
      refs.push({
        name,
        key,
        where: `${path}.valueFrom.configMapKeyRef`,
        missing: "configmap not found",
        missingKey: `couldn't find key ${key} in ConfigMap`,
        effect: POD_STOPS,
      });
  }
  const volume = value.configMap;
  if (
    last.match(/volumes\[\d+\]$/) &&
    isPlainObject(volume) &&
    typeof volume.name === "string" &&
    volume.optional !== true
  )
    refs.push({ name: volume.name, where: `${path}.configMap`, missing: "configmap not found", effect: POD_STOPS });
  for (const [key, child] of Object.entries(value)) {
    if (key === "valueFrom" || key === "configMap") continue;
    collect(child, path ? `${path}.${key}` : key, refs);
  }
}

export const strimziConfigMapsDeclared = stackRule<object>(
  {
    name: "strimzi-config-maps-declared",
    rule: "K30",
    description:
      "ConfigMaps a Strimzi Kafka or KafkaNodePool reads (metricsConfig and external logging valueFrom.configMapKeyRef, container env configMapKeyRef, configMap volumes) are declared by the stack in its namespace, with the keys read",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Declare the ConfigMap (kubernetes:core/v1:ConfigMap) in the Kafka namespace with the key the CR names (as Strimzi's examples/metrics/kafka-metrics.yaml does), or point the reference at one the stack declares, or remove it.",
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/1.2.0/cluster-operator/src/main/java/io/strimzi/operator/cluster/model/metrics/JmxPrometheusExporterModel.java (metricsJson)",
    tags: ["kafka", "strimzi", "wiring"],
  },
  (stack, ctx) => {
    for (const kind of ["Kafka", "KafkaNodePool"] as const) {
      for (const cr of stack.strimzi(kind)) {
        const spec: PropNode = cr.spec;
        const raw = spec.raw();
        if (spec.isUnknown || containsUnknownSentinel(raw)) {
          ctx.inconclusive(spec.unknown());
          continue;
        }
        const refs: Ref[] = [];
        collect(raw, "spec", refs);
        const namespace = cr.namespace ?? "default";
        for (const ref of refs) {
          const keys = declaredKeys(stack, CONFIG_MAP_TYPE, namespace, ref.name);
          const at = `${cr.label} ${ref.where}`;
          if (keys === undefined)
            ctx.violation(
              `${at} names ConfigMap "${ref.name}", which the stack does not declare in namespace ${namespace}: Strimzi reads it from there ` +
                `and fails (${ref.missing}), so ${ref.effect}. Fix: declare the ConfigMap "${ref.name}"${ref.key ? ` with key "${ref.key}"` : ""} ` +
                `in namespace ${namespace} in the stack (Strimzi's examples ship it with the Kafka), or remove the reference.`,
              cr.resource.urn,
            );
          else if (keys !== "unknown" && ref.key !== undefined && !keys.has(ref.key))
            ctx.violation(
              `${at} reads key "${ref.key}" of ConfigMap "${ref.name}", whose declared keys are ${[...keys].map((k) => `"${k}"`).join(", ") || "none"}: ` +
                `${ref.missingKey ?? ref.missing}, so ${ref.effect}. Fix: use one of its keys, or add "${ref.key}" to the ConfigMap's data.`,
              cr.resource.urn,
            );
        }
      }
    }
  },
);
