// Mimir and Loki trust the X-Scope-OrgID header: only their gateways check credentials. Unless NetworkPolicies keep
// every other component to its own release (and Prometheus scraping), any pod can write to or read any tenant by
// calling a distributor, ingester or querier directly. Kafka's listener likewise admits only the pods it names.
import { describeEnvironment } from "../../lib/environment";
import { environmentScopedRule, EnvironmentScopedConfig } from "../../lib/scoped-rule";
import { PropNode } from "../../lib/node";
import { RuleContext } from "../../lib/policy";
import { HelmRelease, StackResource, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";

type Config = EnvironmentScopedConfig;

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const COMPONENT = "app.kubernetes.io/component";

/**
 * The labels every pod of a release carries: app.kubernetes.io/name is the chart's name, "mimir" for
 * mimir-distributed (_helpers.tpl mimir.infixName) and "loki" for loki, unless values.nameOverride replaces it;
 * app.kubernetes.io/instance is the release.
 */
function podLabelsOf(release: HelmRelease, appName: string): Record<string, string> {
  const override = release.values.get("nameOverride").raw();
  return {
    "app.kubernetes.io/name": typeof override === "string" && override !== "" ? override : appName,
    "app.kubernetes.io/instance": release.releaseName,
  };
}

function plainLabels(node: PropNode): Record<string, string> | undefined {
  const raw = node.raw();
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) return undefined;
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** A NetworkPolicy's pod selector labels, if it can select the release's non-gateway pods (undefined otherwise). */
function selectsComponents(
  policy: StackResource,
  podLabels: Record<string, string>,
): Record<string, string> | undefined {
  const matchLabels = plainLabels(policy.props.get("spec", "podSelector", "matchLabels"));
  if (!matchLabels) return undefined;
  if (matchLabels[COMPONENT] === "gateway") return undefined;
  const conflicting = Object.entries(matchLabels).some(([key, value]) => key in podLabels && podLabels[key] !== value);
  return conflicting ? undefined : matchLabels;
}

/** Whether the policy restricts ingress (policyTypes Ingress, or no policyTypes: Kubernetes then implies Ingress). */
function restrictsIngress(policy: StackResource): boolean {
  const types = policy.props.get("spec", "policyTypes").raw();
  return !Array.isArray(types) || types.includes("Ingress");
}

/** The ingress peers that open the selected pods beyond the namespace's chosen pods, as readable text. */
function openings(policy: StackResource): string[] {
  const rules = policy.props.get("spec", "ingress").raw();
  if (!Array.isArray(rules)) return [];
  const found: string[] = [];
  rules.forEach((rule, i) => {
    const from = (rule as { from?: unknown[] })?.from;
    if (!Array.isArray(from) || from.length === 0) {
      found.push(`spec.ingress[${i}] has no "from": every source`);
      return;
    }
    from.forEach((peer, j) => {
      const p = peer as {
        ipBlock?: { cidr?: string };
        namespaceSelector?: { matchLabels?: object; matchExpressions?: unknown[] };
      };
      const where = `spec.ingress[${i}].from[${j}]`;
      if (p.ipBlock) found.push(`${where}.ipBlock ${p.ipBlock.cidr ?? ""}`.trim());
      const ns = p.namespaceSelector;
      if (ns && Object.keys(ns.matchLabels ?? {}).length === 0 && (ns.matchExpressions ?? []).length === 0) {
        found.push(`${where}.namespaceSelector {} (every namespace)`);
      }
    });
  });
  return found;
}

function checkRelease(
  ctx: RuleContext<Config>,
  stack: StackView,
  release: HelmRelease,
  appName: string,
  env: string,
): void {
  const podLabels = podLabelsOf(release, appName);
  const policies = stack.ofType(NETWORK_POLICY);
  const unknownNamespace = policies.map((p) => p.props.get("metadata", "namespace")).find((n) => n.isUnknown);
  if (unknownNamespace) return ctx.inconclusive(unknownNamespace.unknown());
  const inNamespace = policies.filter(
    (p) => p.props.get("metadata", "namespace").raw() === release.namespace && restrictsIngress(p),
  );
  const selecting = inNamespace.filter((p) => selectsComponents(p, podLabels) !== undefined);
  const consequence =
    "any pod in the cluster can call its distributors, ingesters and queriers directly, skip the gateway's basic auth and act as any tenant (the tenant is only the X-Scope-OrgID header)";
  if (selecting.length === 0) {
    ctx.violation(
      `${release.label} (namespace ${release.namespace}) has no NetworkPolicy selecting its components (pods labelled ${JSON.stringify(podLabels)}) in ${env}: ${consequence}. ` +
        `Fix: add a NetworkPolicy in ${release.namespace} that selects those pods and admits only the release's own pods and Prometheus; leave cross-namespace traffic to the gateway.`,
      release.resource.urn,
    );
    return;
  }
  for (const policy of selecting) {
    const open = openings(policy);
    if (open.length === 0) continue;
    ctx.violation(
      `NetworkPolicy "${policy.props.get("metadata", "name").raw() ?? policy.name}" (namespace ${release.namespace}) selects ${release.label}'s components and admits ${open.join("; ")} in ${env}: ${consequence}. ` +
        `Fix: admit only the release's pods, named in-namespace peers and the scraper by namespace and pod labels; give cross-namespace access to the gateway only.`,
      policy.urn,
    );
  }
}

function checkKafkaListeners(ctx: RuleContext<Config>, stack: StackView, env: string): void {
  for (const kafka of stack.strimzi("Kafka")) {
    const listeners = kafka.spec.get("kafka", "listeners").raw();
    if (!Array.isArray(listeners)) continue;
    listeners.forEach((listener, i) => {
      const l = listener as {
        name?: string;
        type?: string;
        networkPolicyPeers?: Array<{ podSelector?: { matchLabels?: object } }>;
      };
      if (l.type !== "internal" && l.type !== "cluster-ip") return;
      const peers = l.networkPolicyPeers ?? [];
      const unnamed =
        peers.length === 0 || peers.some((p) => Object.keys(p.podSelector?.matchLabels ?? {}).length === 0);
      if (!unnamed) return;
      ctx.violation(
        `${kafka.label} listener "${l.name}" (spec.kafka.listeners[${i}].networkPolicyPeers=${JSON.stringify(l.networkPolicyPeers ?? null)}) admits ${peers.length === 0 ? "every pod of the cluster (Strimzi's default without peers)" : "whole namespaces"} in ${env}: ` +
          `any pod there can connect to the brokers (and, without authentication, read and write Mimir's ingest topic). Fix: list peers with a podSelector naming Mimir's pods (and their namespaceSelector).`,
        kafka.resource.urn,
      );
    });
  }
}

export const networkPoliciesFenceComponents = environmentScopedRule<Config>(
  {
    name: "network-policies-fence-components",
    rule: "S9",
    description:
      "In staging and prod NetworkPolicies keep Mimir's and Loki's components to their own release (only the gateways take other namespaces' traffic), and Kafka's listeners to named pods",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Select the release's pods (app.kubernetes.io/name, app.kubernetes.io/instance) in a NetworkPolicy that admits only those pods, named in-namespace peers and the scraper; give the gateway its own policy; give Kafka listeners networkPolicyPeers with a podSelector.",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/ (Mimir and Loki trust X-Scope-OrgID: https://grafana.com/docs/mimir/latest/manage/secure/authentication-and-authorization/)",
    tags: ["security", "mimir", "loki", "kafka"],
  },
  ["staging", "prod"],
  (stack, ctx, env) => {
    const described = describeEnvironment(env);
    for (const release of stack.helmReleases(CHARTS.mimir)) checkRelease(ctx, stack, release, "mimir", described);
    for (const release of stack.helmReleases(CHARTS.loki)) checkRelease(ctx, stack, release, "loki", described);
    checkKafkaListeners(ctx, stack, described);
  },
);
