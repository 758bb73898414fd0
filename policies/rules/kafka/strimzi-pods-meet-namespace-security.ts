// P7: the Kafka pods Strimzi creates must pass the Pod Security level their namespace enforces.
// - Strimzi builds its pods' security contexts with a Pod Security Provider: the default (baseline) one leaves out
//   what the restricted level requires (runAsNonRoot, seccompProfile RuntimeDefault, dropped capabilities,
//   allowPrivilegeEscalation false); the restricted one sets them. The Cluster Operator picks it from its
//   STRIMZI_POD_SECURITY_PROVIDER_CLASS environment variable ("restricted", or the provider's class name) (Strimzi
//   docs, "Applying security context to Strimzi pods and containers": "Pod security providers ... baseline (default)
//   ... restricted"), which the strimzi-kafka-operator chart takes from `extraEnvs` (a list: an override replaces it).
// - A namespace labelled pod-security.kubernetes.io/enforce=restricted refuses every pod that does not meet the level
//   (Kubernetes docs, "Pod Security Admission"): the broker and controller StrimziPodSets never get their pods, Kafka
//   never becomes Ready and every Mimir write fails.
import { namespaceLabels } from "../../lib/label-selector";
import { stackRule } from "../../lib/policy";
import { CHARTS } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const PROVIDER_ENV = "STRIMZI_POD_SECURITY_PROVIDER_CLASS";
/** Strimzi's accepted values for the restricted provider: the alias or the class name. */
const RESTRICTED = ["restricted", "io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider"];

export const strimziPodsMeetNamespaceSecurity = stackRule<object>(
  {
    name: "strimzi-pods-meet-namespace-security",
    rule: "P7",
    description:
      "When a Kafka's namespace enforces the restricted Pod Security level, the Strimzi Cluster Operator must run the restricted Pod Security Provider (STRIMZI_POD_SECURITY_PROVIDER_CLASS in extraEnvs)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Keep { name: STRIMZI_POD_SECURITY_PROVIDER_CLASS, value: restricted } in the strimzi-kafka-operator chart's extraEnvs (a list override replaces the program's), or lower the namespace's enforce level.",
    url: "https://strimzi.io/docs/operators/latest/deploying#proc-applying-restricted-pod-security-provider-str ; https://kubernetes.io/docs/concepts/security/pod-security-admission/",
    tags: ["kafka", "security", "rollout"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const operators = stack.helmReleases(CHARTS.strimzi);
    if (operators.length === 0) return;
    for (const kafka of stack.strimzi("Kafka")) {
      if (kafka.namespace === undefined) continue;
      const level = namespaceLabels(stack, kafka.namespace).get(ENFORCE);
      if (level !== "restricted") continue;
      for (const operator of operators) {
        const envs = operator.values.at("extraEnvs").items();
        if (isUnknown(envs)) return ctx.inconclusive(envs);
        const provider = (envs ?? []).find((e) => e.get("name").raw() === PROVIDER_ENV);
        const value = provider?.get("value").raw();
        if (isUnknown(value)) return ctx.inconclusive(value);
        if (typeof value === "string" && RESTRICTED.includes(value)) continue;
        ctx.violation(
          `${kafka.label} is in namespace ${kafka.namespace}, which enforces ${ENFORCE}=restricted, but ${operator.label} ` +
            `${provider ? `sets ${PROVIDER_ENV}=${JSON.stringify(value)}` : `values.extraEnvs has no ${PROVIDER_ENV}`}: Strimzi builds the Kafka pods with ` +
            `its baseline Pod Security Provider, which restricted refuses, so no broker or controller pod is admitted, Kafka never becomes Ready ` +
            `and every Mimir write fails. Fix: keep { name: ${PROVIDER_ENV}, value: restricted } in extraEnvs (a list override replaces the program's).`,
          operator.resource.urn,
        );
      }
    }
  },
);
