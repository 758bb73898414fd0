// M13, continued: start-up checks that depend on what the chart passes each component, and on the files it mounts.
// - Rings (pkg/mimir/mimir.go Config.Validate, read at 0010b536a0b3): the alertmanager's
//   MultitenantAlertmanagerConfig.Validate (only with -target=alertmanager) refuses zone awareness without an instance
//   zone; the ingester's RingConfig.Validate (pkg/ingester/ingester_ring.go) refuses an unknown token generation
//   strategy and a spread-minimizing strategy with a tokens file or without the instance's zone among
//   spread_minimizing_zones (dskit ring/spread_minimizing_token_generator.go NewSpreadMinimizingTokenGenerator). Config.Validate
//   returns spread-minimizing errors only for processes running the ingester target (grafana/mimir#7822); any other
//   ingester error stops every component. The store-gateway's and compactor's rings have no such check (pkg/storegateway
//   gateway.go Config.Validate checks only the tenant shard size), so they are not judged here.
// - The alertmanager's fallback config (pkg/alertmanager/multitenant.go NewMultitenantAlertmanager ->
//   ComputeFallbackConfig -> amconfig.LoadFile: "unable to load fallback config %q"): the chart writes
//   alertmanager.fallbackConfig to a ConfigMap mounted at /configs and points alertmanager.fallback_config_file at it
//   (templates/alertmanager/alertmanager-config.yaml, alertmanager-statefulset.yaml, values.yaml mimir.config), so an
//   invalid one stops every alertmanager pod. Judged with U7's model of Alertmanager's config loader.
// - Relabel configs in the limits (limits.metric_relabel_configs and every runtimeConfig.overrides.<tenant>): decoded
//   with Prometheus's relabel loader. The runtime config file is loaded by dskit runtimeconfig Manager.starting
//   (`errors.Wrap(om.loadConfig(...), "failed to load runtime config")`, read at 018e76ca959d) in every Mimir
//   component through pkg/mimir/runtime_config.go runtimeConfigLoader.load (KnownFields decode, then each tenant's
//   Limits validated); a later reload that fails keeps the previous overrides ("failed to load config").
import { parse } from "yaml";
import { MimirRelease } from "../../lib/mimir";
import { RuleContext } from "../../lib/policy";
import { relabelConfigError } from "../../lib/relabel";
import { isUnknown } from "../../lib/unknown";
import { alertmanagerConfigError, alertmanagerReceiverError } from "../rollout/prometheus-specs/alertmanager-config";
import { obj } from "../rollout/prometheus-specs/common";
import type { ComponentFinding } from "./config-valid-components";

const PREFIX = "error validating config: ";

/** A chart value that gates a component (alertmanager.enabled ...), with its chart default. */
function chartFlag(
  ctx: RuleContext<object>,
  mimir: MimirRelease,
  path: string,
  fallback: boolean,
): boolean | undefined {
  const value = mimir.release.values.at(path).boolean();
  if (isUnknown(value)) {
    ctx.inconclusive(value);
    return undefined;
  }
  return value ?? fallback;
}

/** The effective value of a Mimir key and where it is set (extraArgs flag, structuredConfig, chart config, default). */
function effective(ctx: RuleContext<object>, mimir: MimirRelease, path: string) {
  const found = mimir.setting(path);
  if (isUnknown(found)) {
    ctx.inconclusive(found);
    return "unknown" as const;
  }
  return found;
}

const truthy = (v: unknown) => v === true || v === "true";

/**
 * Alertmanager: `ShardingRing.ZoneAwarenessEnabled && ShardingRing.InstanceZone == ""` is
 * errZoneAwarenessEnabledWithoutZoneInfo. templates/alertmanager/alertmanager-statefulset.yaml passes
 * -alertmanager.sharding-ring.instance-availability-zone only for a zone StatefulSet ($zoneName) or with
 * alertmanager.zoneAwareReplication.enabled (then zone-default); values.yaml alertmanager.zoneAwareReplication.enabled
 * defaults to false. The chart renders the alertmanager unless alertmanager.enabled is false (default true).
 */
function alertmanagerRing(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const zoneAware = effective(ctx, mimir, "alertmanager.sharding_ring.zone_awareness_enabled");
  if (zoneAware === "unknown" || zoneAware === undefined || !truthy(zoneAware.value)) return [];
  const chartZones = chartFlag(ctx, mimir, "alertmanager.zoneAwareReplication.enabled", false);
  if (chartZones !== false) return [];
  const zone = effective(ctx, mimir, "alertmanager.sharding_ring.instance_availability_zone");
  if (zone === "unknown" || (zone !== undefined && String(zone.value ?? "") !== "")) return [];
  return [
    {
      where: zoneAware.where,
      value: zoneAware.value,
      error: `${PREFIX}invalid alertmanager config: the configured alertmanager has zone awareness enabled but zone is not set`,
      fix:
        "turn on zone-aware alertmanagers through the chart (alertmanager.zoneAwareReplication.enabled: true, which passes each " +
        "StatefulSet its zone) or remove alertmanager.sharding_ring.zone_awareness_enabled",
      consequence: "every alertmanager pod exits at start-up, so no alert notification is sent",
    },
  ];
}

/** dskit ring/spread_minimizing_token_generator.go maxZonesCount. */
const SPREAD_MINIMIZING_MAX_ZONES = 8;
const STRATEGIES = ["random", "spread-minimizing"];

/**
 * Ingester ring: RingConfig.Validate (pkg/ingester/ingester_ring.go). The chart's ingester StatefulSets pass
 * -ingester.ring.instance-availability-zone=<zone name> (zone-aware) or =zone-default (templates/ingester/
 * ingester-statefulset.yaml), before ingester.extraArgs; a zone in structuredConfig is overridden by that flag.
 */
function ingesterRing(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const strategy = effective(ctx, mimir, "ingester.ring.token_generation_strategy");
  if (strategy === "unknown") return [];
  const name = strategy === undefined ? "random" : String(strategy.value);
  const wrap = `${PREFIX}invalid ingester config: `;
  if (strategy !== undefined && !STRATEGIES.includes(name))
    return [
      {
        where: strategy.where,
        value: strategy.value,
        error: `${wrap}unsupported token generation strategy (${JSON.stringify(name)}) has been chosen for token-generation-strategy`,
        fix: "use random (the default) or spread-minimizing",
      },
    ];
  if (name !== "spread-minimizing") {
    const inOrder = effective(ctx, mimir, "ingester.ring.spread_minimizing_join_ring_in_order");
    if (inOrder === "unknown" || inOrder === undefined || !truthy(inOrder.value)) return [];
    return [
      {
        where: inOrder.where,
        value: inOrder.value,
        error: `${wrap}"spread-minimizing-join-ring-in-order" must be false when using "${name}" token generation strategy`,
        fix: "remove spread_minimizing_join_ring_in_order, or set token_generation_strategy: spread-minimizing",
      },
    ];
  }
  const ingesters = chartFlag(ctx, mimir, "ingester.enabled", true);
  if (ingesters !== true) return [];
  const consequence =
    "every ingester pod exits at start-up (Config.Validate returns spread-minimizing errors for the ingester target): no " +
    "partition is consumed, the most recent metrics are unreadable and the Kafka backlog grows";
  const strategyError = `${wrap}"spread-minimizing" token generation strategy is misconfigured: `;
  const tokens = effective(ctx, mimir, "ingester.ring.tokens_file_path");
  if (tokens !== "unknown" && tokens !== undefined && String(tokens.value ?? "") !== "")
    return [
      {
        where: tokens.where,
        value: tokens.value,
        error: `${strategyError}strategy requires "tokens-file-path" to be empty`,
        fix:
          `set mimir.structuredConfig.ingester.ring.tokens_file_path: "" next to token_generation_strategy: spread-minimizing ` +
          `(the chart's base config sets /data/tokens), or keep the random strategy`,
        consequence,
      },
    ];
  const zonesFound = effective(ctx, mimir, "ingester.ring.spread_minimizing_zones");
  if (zonesFound === "unknown") return [];
  const raw = zonesFound?.value;
  const zones = (Array.isArray(raw) ? raw.map(String) : String(raw ?? "").split(","))
    .map((z) => z.trim())
    .filter((z) => z !== "");
  const where = zonesFound?.where ?? "Mimir default ingester.ring.spread_minimizing_zones";
  if (zones.length === 0 || zones.length > SPREAD_MINIMIZING_MAX_ZONES)
    return [
      {
        where,
        value: raw ?? [],
        error: `${strategyError}number of zones ${zones.length} is not correct: it must be greater than 0 and less or equal than ${SPREAD_MINIMIZING_MAX_ZONES}`,
        fix: "list every zone the ingesters run in under ingester.ring.spread_minimizing_zones (the chart's zone names)",
        consequence,
      },
    ];
  // The zone each ingester registers with: an extraArgs flag, else the chart's flag.
  const flagged = mimir.configured("ingester.ring.instance_availability_zone");
  if (isUnknown(flagged)) {
    ctx.inconclusive(flagged);
    return [];
  }
  let instanceZones: string[];
  if (flagged !== undefined && /extraArgs/.test(flagged.where)) instanceZones = [String(flagged.value)];
  else {
    const zoneAware = mimir.zoneAware("ingester");
    if (isUnknown(zoneAware)) {
      ctx.inconclusive(zoneAware);
      return [];
    }
    if (zoneAware.value) {
      const chartZones = mimir.zones("ingester");
      if (isUnknown(chartZones)) {
        ctx.inconclusive(chartZones);
        return [];
      }
      instanceZones = chartZones.value.map((z) => z.name);
    } else instanceZones = ["zone-default"];
  }
  const missing = instanceZones.find((z) => !zones.includes(z));
  if (missing === undefined) return [];
  return [
    {
      where,
      value: raw,
      error: `${strategyError}zone ${missing} is not valid`,
      fix: `list the zones the chart gives the ingesters (${instanceZones.join(", ")}) under ingester.ring.spread_minimizing_zones`,
      consequence,
    },
  ];
}

/** values.yaml alertmanager.fallbackConfig default: a single empty receiver (default-receiver) as the root route. */
function fallbackConfig(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const node = mimir.release.values.at("alertmanager.fallbackConfig");
  if (node.isUnknown) {
    ctx.inconclusive(node.unknown());
    return [];
  }
  const raw = node.raw();
  if (raw === undefined || raw === null || raw === "") return [];
  const error = (text: string): ComponentFinding[] => [
    {
      where: node.where,
      // One line: the config text JSON-quoted (its newlines escaped), cut after 80 characters.
      value: JSON.stringify(typeof raw === "string" && raw.length > 80 ? `${raw.slice(0, 77)}...` : raw),
      error: `unable to load fallback config "/configs/alertmanager_fallback_config.yaml": ${text}`,
      fix:
        "make alertmanager.fallbackConfig a complete Alertmanager config: a root route with a receiver, every receiver " +
        "named, and each notifier with its endpoint or key (api_url, api_key, smarthost/from, url, routing_key) or the " +
        "matching global setting",
      consequence:
        "the alertmanager module fails to start (ComputeFallbackConfig), so every alertmanager pod exits and no alert " +
        "notification is sent for any tenant",
    },
  ];
  if (typeof raw !== "string") return error("the chart writes the value as text: give the config as a YAML string");
  let config: unknown;
  try {
    config = parse(raw);
  } catch (e) {
    return error(`yaml: ${(e as Error).message.split("\n")[0]}`);
  }
  const parsed = obj(config);
  if (!parsed) return error("yaml: the file is not a map");
  const problem = alertmanagerConfigError(parsed) ?? alertmanagerReceiverError(parsed);
  return problem ? error(problem) : [];
}

/** limits.metric_relabel_configs (default limits, config file) and per tenant (runtime config). */
function relabelConfigs(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const findings: ComponentFinding[] = [];
  const judge = (node: ReturnType<MimirRelease["structuredNode"]>, tenant: string | undefined) => {
    const items = node.items();
    if (isUnknown(items)) return ctx.inconclusive(items);
    for (const item of items ?? []) {
      const value = item.raw();
      if (isUnknown(value)) {
        ctx.inconclusive(value);
        continue;
      }
      const problem = relabelConfigError(value);
      if (!problem) continue;
      findings.push({
        where: item.where,
        value,
        error:
          tenant === undefined
            ? `error loading config: ${problem}`
            : `failed to load runtime config: load file: ${problem} (tenant ${JSON.stringify(tenant)})`,
        fix:
          "write the regex in RE2 syntax (it is anchored: `.*_bucket` for a suffix, not the glob `*_bucket`), use a known " +
          "action with the fields it needs (target_label for replace/hashmod/lowercase/uppercase, modulus for hashmod)",
        consequence:
          tenant === undefined
            ? undefined
            : "every Mimir component loads the runtime config at start-up and exits on it, so each pod that restarts or " +
              "rolls out stays down (running pods keep the previous overrides and log the reload failure)",
      });
    }
  };
  judge(mimir.structuredNode("limits.metric_relabel_configs"), undefined);
  const overrides = mimir.values.at("runtimeConfig.overrides").entries();
  if (isUnknown(overrides)) ctx.inconclusive(overrides);
  else for (const [tenant, node] of overrides ?? []) judge(node.get("metric_relabel_configs"), tenant);
  return findings;
}

export function moduleStartupChecks(ctx: RuleContext<object>, mimir: MimirRelease): ComponentFinding[] {
  const alertmanager = chartFlag(ctx, mimir, "alertmanager.enabled", true);
  return [
    ...(alertmanager === true ? [...alertmanagerRing(ctx, mimir), ...fallbackConfig(ctx, mimir)] : []),
    ...ingesterRing(ctx, mimir),
    ...relabelConfigs(ctx, mimir),
  ];
}
