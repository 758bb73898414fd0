// Pod Security Admission labels for the namespaces this stack creates (Kubernetes docs, "Pod Security Admission":
// labels pod-security.kubernetes.io/<mode> with a level privileged | baseline | restricted; "Pod Security
// Standards" define the levels). Each namespace enforces the strictest level its charts are known to meet, and warns
// and audits against the next one, so that a chart update that would pass it is visible before the level is raised.

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface NamespacePodSecurity {
  enforce: PodSecurityLevel;
  /** Why this namespace enforces this level: what stops a stricter one, or how restricted was shown (an annotation). */
  reason: string;
}

const NEXT: Record<PodSecurityLevel, PodSecurityLevel> = {
  privileged: "baseline",
  baseline: "restricted",
  restricted: "restricted",
};

/** Annotation that carries the reason for a level below restricted. */
export const POD_SECURITY_REASON_ANNOTATION = "observability/pod-security-reason";

/** metadata.labels and metadata.annotations for a namespace at `security`'s level. */
export function podSecurityMetadata(security: NamespacePodSecurity): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const warn = NEXT[security.enforce];
  return {
    labels: {
      "pod-security.kubernetes.io/enforce": security.enforce,
      "pod-security.kubernetes.io/warn": warn,
      "pod-security.kubernetes.io/audit": warn,
    },
    annotations: { [POD_SECURITY_REASON_ANNOTATION]: security.reason },
  };
}

/**
 * The level of each namespace. Baseline forbids host namespaces, hostPath volumes, privileged containers and added
 * capabilities beyond the default set; restricted also requires non-root, no privilege escalation, all
 * capabilities dropped and a RuntimeDefault seccomp profile in every container.
 */
export const POD_SECURITY = {
  mimir: {
    enforce: "restricted",
    reason:
      "mimir-distributed 6.0.x gives every pod rbac.podSecurityContext (runAsNonRoot, user 10001, RuntimeDefault seccomp) and every " +
      "container, the rollout-operator's included, allowPrivilegeEscalation false and all capabilities dropped (values.yaml at the 6.0.4 " +
      "release commit; the chart's rendered test outputs); only the smoke-test hook lacks it, and it runs under helm test alone",
  },
  loki: {
    enforce: "restricted",
    reason:
      "every pod the loki 18.11.0 chart renders from the shipped stacks' values (gateway, canary, distributor, ingester zones, querier, " +
      "query-frontend, query-scheduler, index-gateway, compactor, ruler, caches; single binary in dev) sets non-root, no privilege " +
      "escalation, all capabilities dropped and RuntimeDefault seccomp, and mounts only restricted volume types (checked with helm template)",
  },
  kafka: {
    enforce: "restricted",
    reason:
      "the strimzi-kafka-operator chart's operator container defaults to a restricted security context (values.yaml securityContext), " +
      "and the operator runs its Kafka pods through Strimzi's restricted Pod Security Provider (STRIMZI_POD_SECURITY_PROVIDER_CLASS, components/kafka/spec.ts)",
  },
  alloy: {
    enforce: "privileged",
    reason:
      "Alloy collects node logs through hostPath /var/log and keeps its positions in hostPath /var/lib/alloy, as root: baseline forbids hostPath volumes",
  },
  monitoring: {
    enforce: "privileged",
    reason:
      "kube-prometheus-stack's node-exporter (nodeExporter.enabled, chart default true) uses hostNetwork, hostPID and hostPath: baseline forbids all three",
  },
} as const satisfies Record<string, NamespacePodSecurity>;
