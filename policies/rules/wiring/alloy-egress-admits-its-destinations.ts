// W21 (HARD, silent loss of every log and metric Alloy ships): a NetworkPolicy that restricts the Alloy pods' egress
// must admit every destination their config needs.
// - The alloy chart 1.11.1 renders a NetworkPolicy selecting the Alloy pods when `networkPolicy.enabled` and flavor
//   `kubernetes` (defaults false, kubernetes): policyTypes from `networkPolicy.policyTypes` (default Ingress, Egress)
//   and `egress` from `networkPolicy.egress` (default `[{}]`, allow all; an empty list renders no egress, which denies
//   all) (templates/networkpolicy.yaml, values.yaml). NetworkPolicies of the stack in Alloy's namespace whose
//   podSelector matches the Alloy pods add their egress rules (Kubernetes docs, "Network Policies": policies are
//   additive; once a pod is selected for Egress only the union of the rules' destinations is allowed; a rule matches
//   when one `to` peer and one `ports` entry match, an absent or empty list matching all). The stack's VPC CNI enforces
//   them (README, EKS VPC CNI network policy agent).
// - What the Alloy config needs (components/alloy/config.ts; Alloy reference for each component):
//   - cluster DNS for every Service name it dials: CoreDNS pods (k8s-app=kube-dns in kube-system, EKS CoreDNS add-on),
//     port 53 UDP (glibc and Go resolvers use UDP first; TCP only for truncated answers);
//   - the gateway of each `loki.write` / `prometheus.remote_write` endpoint URL: the gateway pods
//     (app.kubernetes.io/name mimir / loki, app.kubernetes.io/instance <release>, app.kubernetes.io/component gateway)
//     on their container port 8080 (mimir-distributed 6.0.x gateway.containerPort 8080, port name http-metric; loki
//     18.11.0 gateway listens on 8080, port name http-metrics): policies see the pod port after the Service's DNAT;
//   - the Kubernetes API when it uses `discovery.kubernetes` or `loki.source.kubernetes_events`: EKS serves it from
//     control-plane ENIs in the cluster's subnets (EKS user guide, "VPC and subnet requirements": EKS creates its
//     network interfaces in the subnets you specify), port 443, reachable only through an ipBlock (no pod selector
//     selects it);
//   - its cluster peers when `alloy.clustering.enabled`: the Alloy pods on `alloy.listenPort` (default 12345).
import { alloyEndpoints, storeGateways } from "./endpoints";
import { stripComments } from "../../lib/alloy";
import { labelSelector, LabelSelector, namespaceLabels, selectorMatches } from "../../lib/label-selector";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { Inconclusive, known } from "../../lib/unknown";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** A destination the config needs. */
interface Destination {
  what: string;
  /** A pod destination: its namespace and labels; absent for the API server (only an ipBlock reaches it). */
  pod?: { namespace: string; labels: Map<string, string> };
  port: number;
  portNames: string[];
  protocol: "TCP" | "UDP";
}

/** One egress rule: its peers (undefined: any destination) and ports (undefined: any port). */
interface EgressRule {
  to?: Array<{
    ipBlock?: { cidr: string; except: string[] };
    namespaceSelector?: LabelSelector;
    podSelector?: LabelSelector;
  }>;
  ports?: Array<{ protocol: string; port?: number | string; endPort?: number }>;
}

function ipv4(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, bits: Number(m[5]) };
}

/** Whether `outer` contains `inner` (both IPv4 CIDRs). */
function contains(outer: string, inner: string): boolean {
  const o = ipv4(outer);
  const i = ipv4(inner);
  if (!o || !i || o.bits > i.bits) return false;
  const size = 2 ** (32 - o.bits);
  return Math.floor(o.base / size) === Math.floor(i.base / size);
}

function egressRules(node: PropNode): EgressRule[] {
  return (known(node.items()) ?? []).map((rule) => {
    const to = known(rule.get("to").items());
    const ports = known(rule.get("ports").items());
    return {
      to:
        to === undefined || to.length === 0
          ? undefined
          : to.map((peer) => ({
              ipBlock: peer.get("ipBlock").isPresent
                ? {
                    cidr: known(peer.at("ipBlock.cidr").string()) ?? "",
                    except: (known(peer.at("ipBlock.except").items()) ?? []).map((e) => known(e.string()) ?? ""),
                  }
                : undefined,
              namespaceSelector: peer.get("namespaceSelector").isPresent
                ? labelSelector(peer.get("namespaceSelector"))
                : undefined,
              podSelector: peer.get("podSelector").isPresent ? labelSelector(peer.get("podSelector")) : undefined,
            })),
      ports:
        ports === undefined || ports.length === 0
          ? undefined
          : ports.map((p) => ({
              protocol: known(p.get("protocol").string()) ?? "TCP",
              port: known(p.get("port").raw()) as number | string | undefined,
              endPort: known(p.get("endPort").number()),
            })),
    };
  });
}

function admits(
  stack: StackView,
  rules: EgressRule[],
  ownNamespace: string,
  subnetCidrs: () => string[],
  d: Destination,
): boolean {
  return rules.some((rule) => {
    const portOk =
      rule.ports === undefined ||
      rule.ports.some(
        (p) =>
          p.protocol === d.protocol &&
          (p.port === undefined ||
            (typeof p.port === "string" && !/^\d+$/.test(p.port)
              ? d.portNames.includes(p.port)
              : Number(p.port) === d.port ||
                (p.endPort !== undefined && Number(p.port) <= d.port && d.port <= p.endPort))),
      );
    if (!portOk) return false;
    if (rule.to === undefined) return true;
    return rule.to.some((peer) => {
      if (peer.ipBlock) {
        // VPC CNI: pods and the API server's ENIs take addresses of the cluster's subnets.
        const { cidr, except } = peer.ipBlock;
        // Read only when an ipBlock is met: the subnets are unknown in a first preview.
        return subnetCidrs().some((s) => contains(cidr, s) && !except.some((e) => contains(e, s) || contains(s, e)));
      }
      if (!d.pod) return false;
      if (peer.namespaceSelector) {
        if (!selectorMatches(peer.namespaceSelector, namespaceLabels(stack, d.pod.namespace))) return false;
      } else if (d.pod.namespace !== ownNamespace) return false;
      return peer.podSelector === undefined || selectorMatches(peer.podSelector, d.pod.labels);
    });
  });
}

/** The subnets' CIDRs of the EKS cluster (vpcConfig.subnetIds), where its API ENIs and the pods' addresses live. */
function clusterSubnetCidrs(stack: StackView): string[] {
  const ids = new Set<string>();
  for (const cluster of stack.ofType(TYPES.eksCluster))
    for (const id of known(cluster.props.at("vpcConfig.subnetIds").items()) ?? []) {
      const text = known(id.string());
      if (text) ids.add(text);
    }
  return stack
    .ofType(TYPES.subnet)
    .filter((s) => ids.has(String(known(s.props.get("id").raw()))))
    .map((s) => known(s.props.get("cidrBlock").string()))
    .filter((c): c is string => !!c);
}

function destinations(stack: StackView, release: HelmRelease, config: string): Destination[] {
  const out: Destination[] = [];
  const text = stripComments(config);
  out.push({
    what: "cluster DNS (CoreDNS pods k8s-app=kube-dns in kube-system, UDP 53)",
    pod: { namespace: "kube-system", labels: new Map([["k8s-app", "kube-dns"]]) },
    port: 53,
    portNames: ["dns"],
    protocol: "UDP",
  });
  const gateways = storeGateways(stack);
  const urls = [...alloyEndpoints(config, "loki.write"), ...alloyEndpoints(config, "prometheus.remote_write")].flatMap(
    (e) => (e.url && "literal" in e.url && e.url.literal ? [{ component: e.component, url: e.url.literal }] : []),
  );
  for (const { component, url } of urls) {
    let host: string;
    try {
      host = new URL(url).hostname.replace(/\.$/, "");
    } catch {
      continue;
    }
    const gateway = gateways.find(
      (g) => host === g.host || host === `${g.host}.cluster.local` || host === `${g.service}.${g.namespace}`,
    );
    if (!gateway) continue;
    const name = gateway.store === "Mimir" ? "mimir" : "loki";
    const nameOverride = known(gateway.release.values.get("nameOverride").string());
    out.push({
      what: `the ${gateway.store} gateway pods ${component} writes to (${url}; TCP 8080 in ${gateway.namespace})`,
      pod: {
        namespace: gateway.namespace,
        labels: new Map([
          ["app.kubernetes.io/name", nameOverride || name],
          ["app.kubernetes.io/instance", gateway.release.releaseName],
          ["app.kubernetes.io/component", "gateway"],
        ]),
      },
      port: 8080,
      portNames: ["http-metric", "http-metrics"],
      protocol: "TCP",
    });
  }
  const apiUsers = ["discovery.kubernetes", "loki.source.kubernetes_events", "loki.source.kubernetes"].filter((c) =>
    new RegExp(`\\b${c.replace(/\./g, "\\.")}\\s+"`).test(text),
  );
  if (apiUsers.length > 0)
    out.push({
      what: `the Kubernetes API server (${apiUsers.join(", ")}; TCP 443 on the EKS control-plane ENIs in the cluster's subnets, reachable only through an ipBlock)`,
      port: 443,
      portNames: ["https"],
      protocol: "TCP",
    });
  if (known(release.values.at("alloy.clustering.enabled").boolean()) === true) {
    const port = known(release.values.at("alloy.listenPort").number()) ?? 12345;
    out.push({
      what: `its cluster peers (alloy.clustering.enabled: the Alloy pods on TCP ${port})`,
      pod: { namespace: release.namespace, labels: alloyPodLabels(release) },
      port,
      portNames: ["http-metrics"],
      protocol: "TCP",
    });
  }
  return out;
}

/** alloy chart _helpers.tpl alloy.selectorLabels: app.kubernetes.io/name (nameOverride or alloy), instance. */
function alloyPodLabels(release: HelmRelease): Map<string, string> {
  const override = known(release.values.get("nameOverride").string());
  return new Map([
    ["app.kubernetes.io/name", override || "alloy"],
    ["app.kubernetes.io/instance", release.releaseName],
  ]);
}

export const alloyEgressAdmitsItsDestinations = stackRule<object>(
  {
    name: "alloy-egress-admits-its-destinations",
    rule: "W21",
    description:
      "A NetworkPolicy restricting the Alloy pods' egress (chart networkPolicy or a stack NetworkPolicy) admits what the Alloy config needs: cluster DNS, the Loki and Mimir gateways it writes to, the Kubernetes API for discovery, its cluster peers",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Add egress rules for kube-dns (namespace kube-system, k8s-app: kube-dns, UDP and TCP 53), the gateway pods on 8080, an ipBlock of the cluster's subnets on 443 for the API server, and the Alloy pods on 12345 when clustering is on; or keep the chart's default egress [{}].",
    url: "https://kubernetes.io/docs/concepts/services-networking/network-policies/; alloy chart values.yaml networkPolicy",
    tags: ["alloy", "network", "loki", "mimir"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) {
      try {
        const v = release.values;
        const config = known(v.at("alloy.configMap.content").string());
        if (!config) continue;
        const rules: EgressRule[] = [];
        const sources: string[] = [];
        let restricted = false;
        const enabled = known(v.at("networkPolicy.enabled").boolean()) ?? false;
        const flavor = known(v.at("networkPolicy.flavor").string()) ?? "kubernetes";
        if (enabled && flavor === "kubernetes") {
          const typesNode = v.at("networkPolicy.policyTypes");
          const types = typesNode.isPresent
            ? (known(typesNode.items()) ?? []).map((t) => known(t.string()))
            : ["Ingress", "Egress"];
          if (types.includes("Egress")) {
            restricted = true;
            const egress = v.at("networkPolicy.egress");
            // values.yaml default egress: [{}]; `if .Values.networkPolicy.egress` drops an empty list (deny all).
            rules.push(...(egress.isPresent ? egressRules(egress) : [{}]));
            sources.push(`${egress.where}=${egress.isPresent ? JSON.stringify(egress.raw()) : "[{}]"}`);
          }
        }
        const podLabels = alloyPodLabels(release);
        for (const policy of stack.ofType(NETWORK_POLICY)) {
          if (known(policy.props.at("metadata.namespace").string()) !== release.namespace) continue;
          if (!selectorMatches(labelSelector(policy.props.at("spec.podSelector")), podLabels)) continue;
          const types = known(policy.props.at("spec.policyTypes").items());
          const egress = policy.props.at("spec.egress");
          const selectsEgress = types ? types.some((t) => known(t.string()) === "Egress") : egress.isPresent; // Kubernetes: Egress is implied when the policy has egress rules
          if (!selectsEgress) continue;
          restricted = true;
          rules.push(...egressRules(egress));
          sources.push(
            `NetworkPolicy "${known(policy.props.at("metadata.name").string()) ?? policy.name}" spec.egress`,
          );
        }
        if (!restricted) continue;
        let cidrs: string[] | undefined;
        const subnetCidrs = () => (cidrs ??= clusterSubnetCidrs(stack));
        const blocked = destinations(stack, release, config).filter(
          (d) => !admits(stack, rules, release.namespace, subnetCidrs, d),
        );
        if (blocked.length === 0) continue;
        ctx.violation(
          `${sources.join("; ")}: the egress allowed to the Alloy pods admits neither ${blocked.map((d) => d.what).join(", nor ")}. ` +
            `Once a NetworkPolicy selects a pod for Egress everything it does not list is dropped (enforced by the VPC CNI): Alloy cannot ` +
            `${blocked.some((d) => d.port === 53) ? "resolve the gateway Service names, " : ""}deliver its batches${blocked.some((d) => d.port === 443) ? " or discover pods and events through the API" : ""}; ` +
            `every log batch and metric is retried and then dropped, silently for the workloads. Fix: add egress rules for each destination listed ` +
            `(kube-dns in kube-system on UDP and TCP 53, the gateway pods on 8080, an ipBlock of the cluster's subnets on 443, the Alloy pods on 12345), ` +
            `or keep the chart's default egress [{}].`,
          release.resource.urn,
        );
      } catch (e) {
        if (!(e instanceof Inconclusive)) throw e;
        ctx.inconclusive(e.unknown);
      }
    }
  },
);

export const _forTests = { contains };
