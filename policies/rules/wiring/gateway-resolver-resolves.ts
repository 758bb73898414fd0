// W19 (HARD, every write and query through the gateway): the DNS server the Mimir and Loki gateways name in nginx's
// `resolver` directive must exist in the cluster.
// - Both charts render `resolver <global.dnsService>.<global.dnsNamespace>.svc.<global.clusterDomain>.;` into the http
//   block of nginx.conf unless the gateway's own `resolver` value is set (loki 18.11.0 templates/_helpers.tpl
//   loki.nginxFile, lines 633-636: `if .Values.gateway.nginxConfig.resolver` ... `else` the global names;
//   mimir-distributed values.yaml gateway.nginx.config.file: `if .Values.gateway.nginx.config.resolver` ... `else
//   resolver {{ dnsService }}.{{ dnsNamespace }}.svc.{{ clusterDomain }};`, read at grafana/mimir commit
//   5c776e4263abc8951a072ccb3fba11264df6c0fc as the search index stores it, no commit at tag mimir-distributed-6.0.6
//   being indexed). Defaults kube-dns / kube-system / cluster.local (loki values.yaml global.*; mimir-distributed
//   values.yaml global.dnsService / dnsNamespace / clusterDomain "cluster.local.", also in the 6.0.x excerpt).
// - nginx resolves a resolver given by name while it parses the configuration: ngx_resolver_create calls ngx_parse_url
//   on each name, which looks the host up (ngx_inet_resolve_host) and, when the lookup fails, logs
//   `[emerg] host not found in resolver "<name>"` and returns NULL, so the configuration is refused
//   (nginx src/core/ngx_resolver.c ngx_resolver_create; src/core/ngx_inet.c ngx_parse_inet_url "host not found"). The
//   gateway container exits at start and crash-loops.
// - On EKS the cluster DNS is the CoreDNS add-on, whose Service keeps the name kube-dns in kube-system, and the cluster
//   domain is cluster.local (EKS user guide, "Manage CoreDNS for DNS in Amazon EKS clusters": the add-on's Service is
//   kube-dns; EKS sets the kubelet's clusterDomain to cluster.local). Judged when the stack creates the EKS cluster; a
//   Service the stack declares under the rendered name is accepted.
import { GATEWAYS, gatewaySwitches } from "../../lib/gateways";
import { stackRule } from "../../lib/policy";
import { CHARTS, TYPES } from "../../lib/types";

/** The EKS cluster DNS Service and domain (see the header). */
export const EKS_DNS = { service: "kube-dns", namespace: "kube-system", clusterDomain: "cluster.local" } as const;

const SERVICE_TYPE = "kubernetes:core/v1:Service";

/** `<service>.<namespace>.svc.<domain>` with an optional trailing dot; IP addresses and other hosts are not judged. */
const SERVICE_NAME = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\.([a-z0-9.-]+?)\.?$/i;

/** Why a rendered resolver host cannot be found, or undefined when it can (or is not a Service name). */
function missing(host: string, declared: ReadonlySet<string>): string | undefined {
  const m = SERVICE_NAME.exec(host);
  if (!m) return undefined;
  const [, service, namespace, domain] = m;
  if (declared.has(`${namespace}/${service}`) && domain.toLowerCase() === EKS_DNS.clusterDomain) return undefined;
  const wrong: string[] = [];
  if (domain.toLowerCase() !== EKS_DNS.clusterDomain)
    wrong.push(`the cluster domain is ${EKS_DNS.clusterDomain}, not ${domain}`);
  if (!(service === EKS_DNS.service && namespace === EKS_DNS.namespace) && !declared.has(`${namespace}/${service}`))
    wrong.push(
      `no Service ${service} exists in ${namespace} (EKS's CoreDNS add-on serves the cluster DNS as Service ${EKS_DNS.service} in ${EKS_DNS.namespace})`,
    );
  return wrong.length > 0 ? wrong.join(", and ") : undefined;
}

export const gatewayResolverResolves = stackRule<object>(
  {
    name: "gateway-resolver-resolves",
    rule: "W19",
    description:
      "The DNS server the Mimir and Loki gateways name in nginx's resolver directive (global.dnsService.dnsNamespace.svc.clusterDomain, or the gateway's resolver value) exists: on EKS kube-dns.kube-system.svc.cluster.local",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Leave global.dnsService, global.dnsNamespace and global.clusterDomain at the charts' defaults (kube-dns, kube-system, cluster.local) on EKS, or set the gateway's resolver value to a name or address that exists.",
    url: "https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver; https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html",
    tags: ["mimir", "loki", "gateway", "kubernetes"],
  },
  (stack, ctx) => {
    if (stack.ofType(TYPES.eksCluster).length === 0) return; // a cluster made elsewhere: its DNS is unknown
    const declared = new Set<string>();
    for (const service of stack.ofType(SERVICE_TYPE)) {
      const name = service.props.at("metadata.name").raw();
      const namespace = service.props.at("metadata.namespace").raw();
      if (typeof name === "string") declared.add(`${typeof namespace === "string" ? namespace : "default"}/${name}`);
    }
    for (const spec of GATEWAYS) {
      for (const release of stack.helmReleases(spec.chart)) {
        const v = release.values;
        const { enabled } = gatewaySwitches(release, spec);
        const resolverNode = v.at(`${spec.nginxConfig}.resolver`);
        const nodes = {
          service: v.at("global.dnsService"),
          namespace: v.at("global.dnsNamespace"),
          domain: v.at("global.clusterDomain"),
        };
        const checked = [
          enabled,
          resolverNode.string(),
          nodes.service.string(),
          nodes.namespace.string(),
          nodes.domain.string(),
          v.at(`${spec.nginxConfig}.file`).string(),
        ] as const;
        ctx.known(checked, (on, resolver, service, namespace, domain, file) => {
          if (on === false) return;
          // A replaced nginx.conf names its own resolver: not read (gateways-bind-tenants, S11, reports the file).
          if (file !== undefined && file !== null && file !== spec.defaultFile) return;
          const chart = spec.chart === CHARTS.mimir ? "mimir-distributed" : "loki";
          const report = (name: string, setting: string, reason: string, fix: string): void =>
            ctx.violation(
              `${setting}: the ${chart} gateway renders \`resolver ${name};\` into nginx.conf, but ${reason}. ` +
                `nginx looks a resolver given by name up while it loads its configuration and refuses the configuration when it cannot ` +
                `([emerg] host not found in resolver, nginx ngx_resolver_create): every gateway pod exits at start and crash-loops, so every ` +
                `write and query through the gateway Service is blocked. Fix: ${fix}.`,
              release.resource.urn,
            );
          if (resolver) {
            // `resolver address ... [valid=time] [ipv6=on|off]`: judge each address given as a Service name.
            const hosts = resolver.split(/\s+/).filter((t) => t !== "" && !t.includes("="));
            for (const h of hosts) {
              const why = missing(h.replace(/:\d+$/, ""), declared);
              if (!why) continue;
              report(
                h,
                `${resolverNode.where}=${resolver}`,
                why,
                `set ${resolverNode.pathText} to ${EKS_DNS.service}.${EKS_DNS.namespace}.svc.${EKS_DNS.clusterDomain} (or an address that exists), or remove it`,
              );
              return;
            }
            return;
          }
          const host = `${service || EKS_DNS.service}.${namespace || EKS_DNS.namespace}.svc.${(domain || EKS_DNS.clusterDomain).replace(/\.$/, "")}`;
          const why = missing(host, declared);
          if (!why) return;
          const set = (Object.keys(nodes) as Array<keyof typeof nodes>).filter((k) => nodes[k].isPresent);
          report(
            `${host}.`,
            set.map((k) => `${nodes[k].where}=${String(nodes[k].raw())}`).join(", "),
            why,
            `remove ${set.map((k) => nodes[k].pathText).join(" and ")} (the charts' defaults ${EKS_DNS.service}, ${EKS_DNS.namespace} and ` +
              `${EKS_DNS.clusterDomain} are EKS's), or set ${resolverNode.pathText} to a DNS server that exists`,
          );
        });
      }
    }
  },
);
