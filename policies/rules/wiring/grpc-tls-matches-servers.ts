// W16: Mimir's and Loki's internal gRPC clients must speak what their servers speak: TLS or plaintext.
// - Server: dskit server/server.go New serves gRPC over TLS only when server.grpc_tls_config has both a certificate
//   and a key (`len(cfg.GRPCTLSConfig.TLSCertPath) > 0 && len(cfg.GRPCTLSConfig.TLSKeyPath) > 0`; newer dskit also
//   takes inline `cert`/`key`); otherwise plaintext. One server block serves every component of a release.
// - Client: dskit grpcclient.Config / crypto/tls.ClientConfig `tls_enabled` (default false) dials with TLS
//   credentials, else insecure (dskit crypto/tls GetGRPCDialOptions). A TLS client against a plaintext server fails
//   the handshake; a plaintext client against a TLS server is refused: every call of that client fails while the
//   pods look healthy (for the ingester client every push and ingester query; for the store-gateway client every
//   query reaching back past query_store_after).
// - Mimir's gRPC client blocks with tls_enabled (Mimir config descriptor, April 2025: blocks holding tls_enabled and
//   the grpc client fields, plus querier.store_gateway_client, the querier's store-gateway gRPC client,
//   pkg/querier/store_gateway_client.go); the others with tls_enabled (etcd, memcached, redis, memberlist,
//   ruler.alertmanager_client (HTTP), ingest_storage.kafka) are not gRPC to Mimir's own servers.
// - Loki: every `grpc_client_config` block (ingester_client, frontend_worker, frontend, query_scheduler,
//   index_gateway_client, bloom_gateway.client, pattern_ingester.client_config), compactor_grpc_client, and the
//   ruler's remote evaluation client ruler.evaluation.query_frontend (Loki configuration reference).
import { lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { isPlainObject } from "../../lib/plain";
import { RuleContext, stackRule } from "../../lib/policy";
import { ReleaseConfig } from "../../lib/release-config";
import { isUnknown } from "../../lib/unknown";

const MIMIR_GRPC_CLIENTS = [
  "ingester_client.grpc_client_config",
  "querier.store_gateway_client",
  "frontend_worker.grpc_client_config",
  "frontend_worker.query_scheduler_grpc_client_config",
  "frontend.grpc_client_config",
  "query_scheduler.grpc_client_config",
  "ruler.ruler_client",
  "ruler.query_frontend.grpc_client_config",
  "alertmanager.alertmanager_client",
];

/** The clients every deployment of the product uses (pushes and queries), judged when the server turns TLS on. */
const CORE_CLIENTS = {
  Mimir: [
    "ingester_client.grpc_client_config",
    "querier.store_gateway_client",
    "frontend_worker.grpc_client_config",
    "frontend_worker.query_scheduler_grpc_client_config",
    "frontend.grpc_client_config",
  ],
  Loki: ["ingester_client.grpc_client_config", "frontend_worker.grpc_client_config"],
} as const;

type Product = keyof typeof CORE_CLIENTS;

function isGrpcClient(product: Product, block: string): boolean {
  if (product === "Mimir") return MIMIR_GRPC_CLIENTS.includes(block);
  return (
    block.endsWith("grpc_client_config") ||
    block === "compactor_grpc_client" ||
    block === "ruler.evaluation.query_frontend"
  );
}

interface Setting {
  /** Config path, e.g. querier.store_gateway_client.tls_enabled. */
  path: string;
  where: string;
  value: unknown;
}

/** Every `key` under a config node, with its config path (from the node) and its values path. */
function keysNamed(raw: unknown, key: string, path: string[], found: Array<{ path: string[] }> = []) {
  if (!isPlainObject(raw)) return found;
  for (const [k, value] of Object.entries(raw)) {
    if (k === key) found.push({ path: [...path, k] });
    else keysNamed(value, key, [...path, k], found);
  }
  return found;
}

/** The gRPC clients' tls_enabled settings, last source wins (the chart's order), by config path. */
function clientTls(release: ReleaseConfig, product: Product): Map<string, Setting> | undefined {
  const settings = new Map<string, Setting>();
  for (const source of release.configSources()) {
    const raw = source.node.raw();
    if (isUnknown(raw)) return undefined;
    for (const hit of keysNamed(raw, "tls_enabled", [])) {
      const configPath = [...(source.prefix ? [source.prefix] : []), ...hit.path].join(".");
      const block = configPath.slice(0, -".tls_enabled".length);
      if (!isGrpcClient(product, block)) continue;
      const node = source.node.at(hit.path.join("."));
      settings.set(configPath, { path: configPath, where: node.where, value: node.raw() });
    }
  }
  if (release instanceof MimirRelease) {
    // CLI flags in extraArgs win over structuredConfig (MimirRelease.configured).
    const mimir = release;
    for (const block of MIMIR_GRPC_CLIENTS) {
      const path = `${block}.tls_enabled`;
      const found = mimir.configured(path);
      if (found === undefined) continue;
      if (isUnknown(found) || isUnknown(found.value)) return undefined;
      settings.set(path, { path, where: found.where, value: found.value });
    }
  }
  return settings;
}

const on = (value: unknown) => value === true || value === "true";

/** server.grpc_tls_config certificate and key, when both are set (the server then serves TLS). */
function serverTls(release: ReleaseConfig): { where: string } | undefined | "unknown" {
  let cert: string | undefined;
  let key: string | undefined;
  for (const source of release.configSources()) {
    const base = source.prefix === "" ? "server.grpc_tls_config" : source.prefix === "server" ? "grpc_tls_config" : "";
    if (!base) continue;
    const tls = source.node.at(base);
    const raw = tls.raw();
    if (isUnknown(raw)) return "unknown";
    if (!isPlainObject(raw)) continue;
    for (const k of ["cert_file", "cert"]) if (typeof raw[k] === "string" && raw[k] !== "") cert = `${tls.where}.${k}`;
    for (const k of ["key_file", "key"]) if (typeof raw[k] === "string" && raw[k] !== "") key = `${tls.where}.${k}`;
  }
  return cert && key ? { where: `${cert} and ${key}` } : undefined;
}

function judge(ctx: RuleContext<object>, release: ReleaseConfig, product: Product): void {
  const server = serverTls(release);
  const clients = clientTls(release, product);
  if (server === "unknown" || clients === undefined) return;
  if (!server) {
    for (const client of clients.values()) {
      if (!on(client.value)) continue;
      ctx.violation(
        `${client.where}=${JSON.stringify(client.value)}: ${product}'s ${client.path.slice(0, -".tls_enabled".length)} dials ${product}'s ` +
          `gRPC servers over TLS, but they serve plaintext gRPC (no server.grpc_tls_config cert_file and key_file in ${release.label}): ` +
          `every call of that client fails the TLS handshake while the pods look healthy. Fix: remove tls_enabled, or give the ` +
          `servers a certificate (server.grpc_tls_config cert_file, key_file) and every gRPC client tls_enabled: true.`,
        release.urn,
      );
    }
    return;
  }
  const plaintext: string[] = CORE_CLIENTS[product].filter((block) => !on(clients.get(`${block}.tls_enabled`)?.value));
  for (const client of clients.values())
    if (!on(client.value) && !plaintext.some((b) => `${b}.tls_enabled` === client.path))
      plaintext.push(client.path.slice(0, -".tls_enabled".length));
  if (plaintext.length === 0) return;
  ctx.violation(
    `${release.label} serves gRPC over TLS (${server.where}), but its gRPC client${plaintext.length > 1 ? "s" : ""} ` +
      `${plaintext.join(", ")} dial${plaintext.length > 1 ? "" : "s"} plaintext (tls_enabled unset or false): the servers refuse ` +
      `every such call, so pushes to the ingesters and queries fail while the pods look healthy. Fix: set tls_enabled: true ` +
      `(with the CA in tls_ca_path) on ${plaintext.map((b) => `${b}.tls_enabled`).join(", ")}, or remove the server certificate.`,
    release.urn,
  );
}

export const grpcTlsMatchesServers = stackRule<object>(
  {
    name: "grpc-tls-matches-servers",
    rule: "W16",
    description:
      "Mimir's and Loki's internal gRPC clients (tls_enabled in any gRPC client block) must match their servers: TLS clients only when server.grpc_tls_config has a certificate and key, and then every client TLS",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Either leave every gRPC client's tls_enabled unset (plaintext, the default) with no server.grpc_tls_config, or set server.grpc_tls_config cert_file and key_file and tls_enabled: true (with tls_ca_path) on every gRPC client.",
    url: "https://grafana.com/docs/mimir/latest/manage/secure/securing-communications-with-tls/",
    tags: ["mimir", "loki", "wiring", "tls"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) judge(ctx, mimir, "Mimir");
    for (const loki of lokiReleases(stack)) judge(ctx, loki, "Loki");
  },
);
