// W15: every gRPC client compression Mimir's and Loki's config names must be a compressor their binary registers.
// - A dskit gRPC client sends with `grpc.UseCompressor(cfg.GRPCCompression)` (dskit grpcclient/grpcclient.go
//   CallOptions); grpc-go fails every call of that client when the name is not registered: codes.Internal "grpc:
//   Compressor is not installed for requested grpc-encoding %q" (grpc-go stream.go newClientStreamWithParams).
// - Some clients validate the name at start-up (Config.Validate: "unsupported compression type: %q", e.g. Loki's
//   frontend_worker clients, pkg/querier/worker/worker.go Validate; Mimir's are M13's), others never do (Loki 3.7.6
//   pkg/ingester/client/client.go New passes ingester_client.grpc_client_config straight to CallOptions): then the pods
//   start healthy and every call fails (for ingester_client: every push from the distributors and every ingester query).
// - Registered: Loki 3.7.6 registers gzip (grpc-go encoding/gzip) and snappy (dskit grpcencoding/snappy), nothing else
//   (vendor/ RegisterCompressor calls); Mimir adds s2 (dskit grpcencoding/s2, the CustomCompressors of its clients).
//   "" sends uncompressed.
// The key is found wherever the values write it (structuredConfig, Loki's rendered sections) and as a
// `...grpc-compression` flag in a component's extraArgs; Mimir's validated client paths are left to M13.
import { lokiReleases } from "../../lib/loki";
import { mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { isPlainObject } from "../../lib/plain";
import { RuleContext, stackRule } from "../../lib/policy";
import { ReleaseConfig } from "../../lib/release-config";
import { isUnknown } from "../../lib/unknown";
import { MIMIR_VALIDATED_GRPC_CLIENTS } from "../mimir/config-valid-components";

const REGISTERED = { Loki: ["", "gzip", "snappy"], Mimir: ["", "gzip", "snappy", "s2"] } as const;
const FLAG = /^-{0,2}([\w.-]*grpc-compression)=(.*)$/;

interface Found {
  path: string;
  value: unknown;
}

/** Every `grpc_compression` key under a config node, as config paths. */
function compressionKeys(raw: unknown, path: string[], found: Found[] = []): Found[] {
  if (!isPlainObject(raw)) return found;
  for (const [key, value] of Object.entries(raw)) {
    if (key === "grpc_compression") found.push({ path: [...path, key].join("."), value });
    else compressionKeys(value, [...path, key], found);
  }
  return found;
}

/** `...grpc-compression` flags in the chart sections' extraArgs: Mimir's are maps, Loki's lists of "-flag=value". */
function compressionFlags(values: PropNode): Found[] {
  const raw = values.raw();
  if (!isPlainObject(raw)) return [];
  const found: Found[] = [];
  for (const [section, value] of Object.entries(raw)) {
    const args = isPlainObject(value) ? value.extraArgs : undefined;
    const where = `${values.where}.${section}.extraArgs`;
    if (isPlainObject(args)) {
      for (const [flag, v] of Object.entries(args))
        if (/grpc-compression$/.test(flag)) found.push({ path: `${where}.${flag}`, value: v });
    } else if (Array.isArray(args)) {
      for (const arg of args) {
        const m = typeof arg === "string" ? FLAG.exec(arg) : null;
        if (m) found.push({ path: `${where}: -${m[1]}`, value: m[2] });
      }
    }
  }
  return found;
}

function judge(ctx: RuleContext<object>, release: ReleaseConfig, product: keyof typeof REGISTERED, skip: string[]) {
  const allowed: readonly string[] = REGISTERED[product];
  const found: Found[] = [];
  for (const source of release.configSources()) {
    const raw = source.node.raw();
    if (isUnknown(raw)) return ctx.inconclusive(raw);
    for (const hit of compressionKeys(raw, [])) {
      const configPath = source.prefix ? `${source.prefix}.${hit.path}` : hit.path;
      if (!skip.includes(configPath)) found.push({ path: `${source.node.where}.${hit.path}`, value: hit.value });
    }
  }
  found.push(...compressionFlags(release.values));
  for (const { path, value } of found) {
    if (allowed.includes(String(value ?? ""))) continue;
    ctx.violation(
      `${path}=${JSON.stringify(value)}: ${product} registers no gRPC compressor of that name (it has ` +
        `${allowed.filter((a) => a).join(", ")}), so that client either fails ${product}'s start-up check ("unsupported compression ` +
        `type") or, where nothing checks it, fails every call ("grpc: Compressor is not installed for requested grpc-encoding") ` +
        `while the pods look healthy: for the ingester client every push and every ingester query. ` +
        `Fix: use ${allowed.filter((a) => a).join(" or ")}, or remove the setting (no compression).`,
      release.urn,
    );
  }
}

export const grpcCompressorsRegistered = stackRule<object>(
  {
    name: "grpc-compressors-registered",
    rule: "W15",
    description:
      "Every gRPC client compression Mimir's and Loki's values name (grpc_compression anywhere in the config, *.grpc-compression flags) must be a compressor the binary registers: Loki gzip or snappy, Mimir also s2",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set grpc_compression to gzip or snappy (Mimir also s2), or remove it to send uncompressed; lz4 and zstd are not registered.",
    url: "https://grafana.com/docs/loki/latest/configure/#grpc_client (grpc_compression: 'gzip', 'snappy' or '')",
    tags: ["mimir", "loki", "wiring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    const validated = MIMIR_VALIDATED_GRPC_CLIENTS.map((c) => c.path);
    for (const mimir of mimirReleases(stack)) judge(ctx, mimir, "Mimir", validated);
    for (const loki of lokiReleases(stack)) judge(ctx, loki, "Loki", []);
  },
);
