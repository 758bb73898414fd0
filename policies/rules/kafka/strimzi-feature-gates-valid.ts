// K25 (HARD at start-up): the strimzi-kafka-operator chart's `featureGates` must be a feature-gate list the pinned
// Cluster Operator (Strimzi 1.2.0) accepts.
// - The chart passes it verbatim: templates/060-Deployment-strimzi-cluster-operator.yaml, env STRIMZI_FEATURE_GATES
//   `{{ .Values.featureGates | quote }}` (values.yaml default "").
// - The operator parses it while building its configuration at start-up (cluster-operator ClusterOperatorConfig
//   FEATURE_GATES, ConfigParameterParser.parseFeatureGates -> operator-common featuregates/FeatureGates.java
//   constructor) and throws InvalidConfigurationException, so the operator exits and crash-loops: no Kafka, node pool,
//   topic or user is reconciled. The constructor's checks:
//   - syntax: the whole value must match `(\s*[+-][a-zA-Z0-9]+\s*,)*\s*[+-][a-zA-Z0-9]+\s*` ("<value> is not a valid
//     feature gate configuration"); blank means no gates;
//   - every name one it knows: in 1.2.0 UseConnectBuildWithBuildah (default on) and UseBackgroundPodDeletion (default
//     off); anything else is "Unknown feature gate <name> found in the configuration";
//   - each gate at most once ("Feature gate <name> is configured multiple times").
// The gates earlier releases knew and 1.2.0 does not (git history of FeatureGates.java per release tag; CHANGELOG.md
// "moves to GA stage and is permanently enabled"): listed so the message can say the gate is gone, not misspelt.
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { containsUnknownSentinel } from "../../lib/unknown";

/** Strimzi 1.2.0 FeatureGates.java: the gates it knows, with their defaults. */
const KNOWN_GATES: Readonly<Record<string, string>> = {
  UseConnectBuildWithBuildah: "beta, enabled by default",
  UseBackgroundPodDeletion: "alpha, disabled by default",
};

/** Gates of earlier Strimzi releases -> the first release whose FeatureGates.java no longer knows them. */
const REMOVED_GATES: Readonly<Record<string, string>> = {
  ServiceAccountPatching: "0.30.0",
  ControlPlaneListener: "0.32.0",
  UseStrimziPodSets: "0.35.0",
  StableConnectIdentities: "0.39.0",
  KafkaNodePools: "0.41.0",
  UnidirectionalTopicOperator: "0.41.0",
  UseKRaft: "0.42.0",
  ContinueReconciliationOnManualRollingUpdateFailure: "0.46.0",
  ServerSideApplyPhase1: "1.2.0",
};

/** FeatureGates.java: the syntax check (String.matches, so the whole value) and the split of the trimmed value. */
const SYNTAX = /^(\s*[+-][a-zA-Z0-9]+\s*,)*\s*[+-][a-zA-Z0-9]+\s*$/;

/** The errors Strimzi 1.2.0's FeatureGates constructor would throw (it stops at the first; all are listed here). */
export function featureGateErrors(value: string): string[] {
  if (value.trim() === "") return [];
  if (!SYNTAX.test(value)) return [`"${value} is not a valid feature gate configuration"`];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const gate of value.trim().split(/\s*,+\s*/)) {
    const name = gate.slice(1);
    if (!(name in KNOWN_GATES)) {
      const removed = REMOVED_GATES[name];
      errors.push(
        `"Unknown feature gate ${name} found in the configuration"` +
          (removed
            ? ` (${name} was removed in Strimzi ${removed}: it is permanently enabled there, so the setting is no longer needed)`
            : ""),
      );
    } else if (seen.has(name)) errors.push(`"Feature gate ${name} is configured multiple times"`);
    seen.add(name);
  }
  return errors;
}

export const strimziFeatureGatesValid = stackRule<object>(
  {
    name: "strimzi-feature-gates-valid",
    rule: "K25",
    description:
      "The strimzi-kafka-operator chart's featureGates must be a comma-separated list of +Gate/-Gate naming only gates Strimzi 1.2.0 knows (UseConnectBuildWithBuildah, UseBackgroundPodDeletion), each once",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Remove gates that Strimzi 1.2.0 no longer knows (UseKRaft, KafkaNodePools, UnidirectionalTopicOperator, UseStrimziPodSets, ServerSideApplyPhase1, ... are permanently enabled), list each gate once, and write the value as e.g. "+UseBackgroundPodDeletion,-UseConnectBuildWithBuildah" (or leave it empty).',
    url: "https://github.com/strimzi/strimzi-kafka-operator/blob/1.2.0/operator-common/src/main/java/io/strimzi/operator/common/featuregates/FeatureGates.java",
    tags: ["kafka", "strimzi"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.strimzi)) {
      const node = release.values.at("featureGates");
      const raw = node.raw();
      if (node.isUnknown || containsUnknownSentinel(raw)) {
        ctx.inconclusive(node.unknown());
        continue;
      }
      if (raw === undefined || raw === null) continue;
      // Helm's `quote` renders a non-string as its Go text form (a list as "[a b]"), which is never valid syntax;
      // numbers and booleans fail it as well.
      const text = typeof raw === "string" ? raw : Array.isArray(raw) ? `[${raw.join(" ")}]` : String(raw);
      const errors = featureGateErrors(text);
      if (errors.length === 0) continue;
      ctx.violation(
        `${node.where}=${JSON.stringify(raw)}: the Strimzi 1.2.0 Cluster Operator refuses its STRIMZI_FEATURE_GATES at start-up ` +
          `(${errors.join("; ")}; operator-common FeatureGates.java), exits and crash-loops, so no Kafka, node pool, topic or user ` +
          `is reconciled (no brokers for a new cluster, no change reaches a running one). Fix: keep only ` +
          `${Object.keys(KNOWN_GATES)
            .map((g) => `${g} (${KNOWN_GATES[g]})`)
            .join(" and ")}, each once, as "+Gate" or "-Gate" separated by commas, or leave featureGates empty.`,
        release.resource.urn,
      );
    }
  },
);
