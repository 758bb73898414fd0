// R3 (HARD data loss): an S3 lifecycle rule on Loki's chunks bucket must expire later than Loki's own retention,
// be scoped to tenant chunk prefixes, and never touch the index, the cluster seed or the delete-request store.
import { BucketView, bucketViews, expirationRules, findBucket, prefixesOverlap } from "../../lib/buckets";
import { DAY_MS, formatDuration, parseDurationMs } from "../../lib/duration";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { Maybe, PolicyInputError, show, showDuration, Sourced } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** The longest retention Loki applies (limits, retention streams, tenant overrides); value 0 = something is kept forever. */
function longestRetention(loki: LokiRelease): Maybe<Sourced<number>> {
  const enabled = loki.boolean("compactor.retention_enabled");
  const period = loki.duration("limits_config.retention_period");
  if (isUnknown(enabled)) return enabled;
  if (isUnknown(period)) return period;
  if (!enabled.value) return { value: 0, where: enabled.where, text: "false", note: "Loki never deletes chunks" };
  const candidates: Array<Sourced<number>> = [period];
  const addPeriods = (label: string, nodes: ReturnType<LokiRelease["listSetting"]>): Maybe<void> => {
    if (isUnknown(nodes)) return nodes;
    for (const stream of nodes ?? []) {
      const text = stream.get("period").string();
      if (isUnknown(text)) return text;
      if (text === undefined) continue;
      const ms = parseDurationMs(text, "prometheus");
      if (ms === undefined)
        throw new PolicyInputError(
          `${stream.get("period").where}=${text} is not a Prometheus duration such as 7d.`,
          loki.urn,
        );
      candidates.push({ value: ms, where: stream.get("period").where, text, note: label });
    }
  };
  const failed = addPeriods("retention stream", loki.listSetting("limits_config.retention_stream"));
  if (isUnknown(failed)) return failed;
  const tenants = loki.tenantOverrides();
  if (isUnknown(tenants)) return tenants;
  for (const [tenant, overrides] of tenants ?? []) {
    const tenantPeriod = overrides.get("retention_period");
    const text = tenantPeriod.string();
    if (isUnknown(text)) return text;
    if (text !== undefined) {
      const ms = parseDurationMs(text, "prometheus");
      if (ms === undefined)
        throw new PolicyInputError(`${tenantPeriod.where}=${text} is not a Prometheus duration such as 30d.`, loki.urn);
      candidates.push({ value: ms, where: tenantPeriod.where, text, note: `tenant "${tenant}"` });
    }
    const streamFailed = addPeriods(`tenant "${tenant}"`, overrides.get("retention_stream").items());
    if (isUnknown(streamFailed)) return streamFailed;
  }
  return candidates.find((c) => c.value === 0) ?? candidates.reduce((a, b) => (b.value > a.value ? b : a));
}

function checkChunks(ctx: RuleContext<object>, loki: LokiRelease, bucket: BucketView): void {
  const protectedPrefixes = [
    { prefix: "index/", what: "index/ (the TSDB index)" },
    { prefix: "loki_cluster_seed.json", what: "loki_cluster_seed.json (the cluster seed)" },
  ];
  for (const lifecycle of bucket.lifecycles) {
    ctx.known(
      [
        expirationRules(lifecycle),
        longestRetention(loki),
        loki.duration("compactor.retention_delete_delay"),
        loki.string("compactor.delete_request_store_key_prefix"),
      ],
      (rules, retention, delay, deleteStorePrefix) => {
        const guarded = [
          ...protectedPrefixes,
          { prefix: deleteStorePrefix.value, what: `the delete-request store (${show(deleteStorePrefix)})` },
        ];
        for (const rule of rules) {
          if (rule.prefix.value === "") {
            ctx.violation(
              `${rule.where} on ${bucket.label} (chunks of ${loki.label}) has no prefix filter (${show(rule.days)} days): it expires the TSDB index, the cluster seed ` +
                `and the delete-request store along with chunks, so Loki loses track of every log line. Fix: scope the rule to tenant chunk prefixes ("<tenant>/").`,
              lifecycle.urn,
            );
            continue;
          }
          const hit = guarded.find((p) => p.prefix !== "" && prefixesOverlap(rule.prefix.value, p.prefix));
          if (hit) {
            ctx.violation(
              `${rule.where} on ${bucket.label} (${show(rule.prefix)}) expires ${hit.what}: Loki never rewrites it, so queries and deletes break once S3 removes it. ` +
                `Fix: scope the rule to tenant chunk prefixes only.`,
              lifecycle.urn,
            );
            continue;
          }
          if (retention.value === 0) {
            ctx.violation(
              `${rule.where} on ${bucket.label} expires chunks after ${rule.days.value} days, but ${show(retention)} keeps logs forever: S3 deletes chunks the index ` +
                `still references and queries over that range fail. Fix: enable Loki retention (compactor.retention_enabled + retention_period) shorter than the expiration, or remove the rule.`,
              lifecycle.urn,
            );
            continue;
          }
          const neededMs = retention.value + delay.value;
          if (rule.days.value * DAY_MS > neededMs) continue;
          ctx.violation(
            `${show(rule.days)} days on ${bucket.label} <= ${showDuration(retention)} + ${show(delay)} = ${formatDuration(neededMs)}: S3 deletes chunks Loki still ` +
              `indexes and serves, so queries over that range fail and deletes cannot be applied. Fix: expire after more than ${Math.ceil(neededMs / DAY_MS)} days ` +
              `(or remove the rule and let Loki's compactor apply retention).`,
            lifecycle.urn,
          );
        }
      },
    );
  }
}

/**
 * Loki 3.7.6 pkg/ruler/rulestore/objectclient/rule_store.go: rulePrefix = "rules/" (rules/<tenant>/<namespace>/<group>).
 * A rule scoped elsewhere (say to "<tenant>/") matches none of the ruler's objects.
 */
const RULER_OBJECT_PREFIX = "rules/";

function checkRuler(ctx: RuleContext<object>, loki: LokiRelease, bucket: BucketView): void {
  for (const lifecycle of bucket.lifecycles) {
    ctx.known([expirationRules(lifecycle)], (rules) => {
      for (const rule of rules) {
        if (!prefixesOverlap(rule.prefix.value, RULER_OBJECT_PREFIX)) continue;
        ctx.violation(
          `INFERRED: ${rule.where} (${show(rule.prefix)}) expires objects of ${bucket.label}, the ruler storage of ${loki.label}, after ${rule.days.value} days: ` +
            `rule groups under rules/ are only written when changed, so they silently disappear. Fix: remove the expiration from this bucket.`,
          lifecycle.urn,
        );
      }
    });
  }
}

export const lokiBucketLifecycleOutlivesRetention = stackRule<object>(
  {
    name: "loki-bucket-lifecycle-outlives-retention",
    rule: "R3",
    description:
      "An S3 lifecycle expiration on Loki's chunks bucket must outlive retention_period + retention_delete_delay, be scoped to tenant prefixes, and spare index/, the cluster seed and the delete-request store",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Prefer Loki\'s compactor retention; if a lifecycle rule is kept, scope it to "<tenant>/" prefixes and expire later than retention_period + retention_delete_delay (2h).',
    url: "https://grafana.com/docs/loki/latest/operations/storage/retention/ (conflict-rules.md R3)",
    tags: ["loki", "retention", "s3"],
  },
  (stack, ctx) => {
    const buckets = bucketViews(stack);
    for (const loki of lokiReleases(stack)) {
      for (const [key, role, check] of [
        ["chunks", "lokiChunks", checkChunks],
        ["ruler", "lokiRuler", checkRuler],
      ] as const) {
        const nameNode = loki.values.at(`loki.storage.bucketNames.${key}`);
        const name = nameNode.string();
        const bucket = findBucket(buckets, name, role);
        if (bucket) check(ctx, loki, bucket);
        else if (isUnknown(name)) ctx.inconclusive(name);
      }
    }
  },
);
