// U6: every PodDisruptionBudget the stack renders must let a drain take no more pods at once than the component's
// redundancy tolerates. U1 judges the other direction (a budget so strict that a drain never finishes); here a budget
// so loose that one drain (several nodes drained together, cluster-autoscaler scale-down, an EKS node group update
// with more than one node unavailable) may evict past the component's quorum: Kafka brokers below
// min.insync.replicas or the KRaft controllers below their majority, a Loki/Mimir ingester ring below its write
// quorum, both replicas of a Prometheus HA pair (mandatory: writes stop or samples are lost), or every replica of a
// stateless tier (an outage for the drain's length: advisory unless the policy config's `environments` lists the
// stack's environment, prod by default). A component of one pod (dev) has no redundancy to keep, and U1 needs its
// budget to allow the eviction, so it is exempt. A component whose redundancy keeps writes or data (Kafka nodes,
// ingesters, a Prometheus HA pair) and that renders no budget at all is judged as a budget allowing every pod; a
// stateless tier without one is not judged (most render none by the charts' defaults).
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { effectiveTopicSetting, kafkaLandscape, KafkaTopicView } from "../../lib/kafka";
import { LokiRelease, lokiReleases } from "../../lib/loki";
import { MimirRelease, mimirReleases } from "../../lib/mimir";
import { PolicyInputError } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { Inconclusive, known } from "../../lib/unknown";
import { podInventory, PodInventory } from "../capacity/pods";
import {
  allowedEvictions,
  Budget,
  kafkaNodeCount,
  kubePrometheusStackBudgets,
  lokiBudgets,
  mimirBudgets,
  PodsRef,
  strimziBudgetsDisabled,
  strimziOperandBudgets,
} from "./budgets";

interface Config {
  environment?: Environment;
  environments: Environment[];
}

/** How bad it is when a drain takes more than the component tolerates. */
type Level = "loss" | "outage";

interface Finding {
  level: Level;
  message: string;
  urn: string;
}

/** Pods of one workload from the pack's pod model (policies/rules/capacity/pods.ts), as the chart renders them. */
class Pods {
  private inventory?: PodInventory | "unavailable";

  constructor(private readonly stack: StackView) {}

  private groups(ref: { ownerUrn: string; component: string }) {
    if (this.inventory === undefined) {
      try {
        this.inventory = podInventory(this.stack);
      } catch (error) {
        // A value unknown during preview waits for the update (Inconclusive goes up); a malformed one is another
        // policy's to report.
        if (!(error instanceof PolicyInputError)) throw error;
        this.inventory = "unavailable";
      }
    }
    if (this.inventory === "unavailable") return undefined;
    return this.inventory.groups.filter(
      (g) =>
        g.ownerUrn === ref.ownerUrn && (g.component === ref.component || g.component.startsWith(`${ref.component} (`)),
    );
  }

  count(ref: PodsRef): number | undefined {
    if ("count" in ref) return ref.count;
    return this.groups(ref)?.reduce((sum, g) => sum + g.replicas, 0);
  }

  /** Zone groups (zone-aware StatefulSets) of a component; 0 when it is not zone-aware. */
  zones(ref: PodsRef): number {
    if ("count" in ref) return 0;
    return this.groups(ref)?.filter((g) => g.ringZone !== undefined).length ?? 0;
  }
}

/** The budget's setting, e.g. `values.ingester.podDisruptionBudget.maxUnavailable=2`. */
function setting(budget: Budget): string {
  if (budget.absent) return budget.absent.why;
  const field = budget.maxUnavailable ?? budget.minAvailable;
  return field ? `${field.where}=${field.value.text}` : budget.path;
}

/**
 * Evictions a budget allows with every pod healthy (kubernetes pkg/controller/disruption/disruption.go
 * getExpectedPodCount: maxUnavailable and a percentage minAvailable are scaled with GetScaledValueFromIntOrPercent
 * rounding up), and the arithmetic for the message.
 */
function allowance(budget: Budget, pods: number): { allowed: number; how: string } {
  const allowed = allowedEvictions(budget, pods);
  const min = budget.minAvailable;
  const how = budget.maxUnavailable
    ? budget.maxUnavailable.value.kind === "percent"
      ? `${budget.maxUnavailable.value.text} of ${pods} pods, rounded up`
      : `of ${pods} pods`
    : min
      ? `${pods} pods - minAvailable ${min.value.kind === "percent" ? `${min.value.text} rounded up` : min.value.text}`
      : `${pods} pods`;
  return { allowed, how };
}

/** The fix: a budget that allows `keep` evictions at most. */
function fixFor(budget: Budget, keep: number, pods: number): string {
  if (budget.absent) return budget.absent.fix.replace("{keep}", String(keep)).replace("{min}", String(pods - keep));
  if (budget.path.endsWith("maxUnavailable")) return `set ${budget.path} to ${keep}`;
  if (budget.minAvailable && !budget.maxUnavailable)
    return `set ${budget.path}.minAvailable to ${pods - keep}, or set it to null and ${budget.path}.maxUnavailable to ${keep}`;
  return `set ${budget.path}.maxUnavailable to ${keep}`;
}

/**
 * Judges one budget: `tolerated` pods may be down at once; more than max(1, tolerated) is a finding. A budget of
 * 1 is never one: U1 requires each budget to allow an eviction, so a component that tolerates none (RF = min ISR, RF 1)
 * needs more redundancy, not a stricter budget (K7 and alike).
 */
function judge(
  findings: Finding[],
  budget: Budget,
  pods: number,
  what: { tolerated: number; why: string; consequence: string; level: Level; more?: string },
): void {
  if (pods <= 1) return; // one pod: no redundancy to keep (dev); U1 needs its budget to allow the eviction
  const { allowed, how } = allowance(budget, pods);
  const keep = Math.max(1, what.tolerated);
  if (allowed <= keep) return;
  findings.push({
    level: what.level,
    urn: budget.urn,
    message:
      (budget.absent
        ? `${setting(budget)}: no ${budget.component} PodDisruptionBudget is rendered, so a drain may evict all ${allowed} pod(s) at once`
        : `${setting(budget)}: the ${budget.component} PodDisruptionBudget of ${budget.owner} lets a drain evict ${allowed} pod(s) at once (${how})`) +
      `, but ${what.why}, so it tolerates ${what.tolerated} down at once. ${what.consequence} ` +
      `Fix: ${fixFor(budget, keep, pods)}${what.more ?? ""}.`,
  });
}

const ALL_AT_ONCE = (component: string, pods: number, effect: string) => ({
  tolerated: pods - 1,
  why: `its ${pods} replicas are interchangeable and at least one must serve`,
  consequence: `With every ${component} pod evicted together, ${effect} until a replacement is ready.`,
  level: "outage" as const,
});

/** A budget the chart leaves out, for a component that needs one: judged as one that allows every pod. */
function absentBudget(
  release: HelmRelease,
  component: string,
  pods: string,
  why: string,
  fix: string,
  replicasPath = `${component}.replicas`,
): Budget {
  return {
    replicasPath,
    owner: release.label,
    urn: release.resource.urn,
    component,
    path: `${component}.podDisruptionBudget`,
    pods: { ownerUrn: release.resource.urn, component: pods },
    absent: { why, fix },
  };
}

/** `where=value` of a values node, for the setting that leaves a budget out. */
function shown(node: { where: string; raw(): unknown }): string {
  const raw = known(node.raw());
  return `${node.where}=${raw === undefined ? "(not set)" : JSON.stringify(raw)}`;
}

// ---------------------------------------------------------------- Mimir

/** Mimir's ingester.ring.replication_factor default (Mimir configuration reference, -ingester.ring.replication-factor 3). */
const MIMIR_INGESTER_RF = 3;

/** mimir-distributed stateless tiers and what stops while all their pods are gone (Mimir architecture docs, per component). */
const MIMIR_TIERS: Readonly<Record<string, string>> = {
  distributor: "every remote-write push is refused (Prometheus and Alloy back off and retry, falling behind)",
  gateway: "every push and query through the gateway fails",
  query_frontend: "every query fails",
  query_scheduler: "every query waits or fails (the query-frontends have no scheduler to enqueue to)",
  querier: "every query fails",
  ruler: "no recording or alerting rule is evaluated (alerts neither fire nor resolve)",
  alertmanager: "no Mimir alert notification is sent",
};

/** mimir-distributed components whose redundancy keeps recent samples or long-term reads available. */
const MIMIR_NEEDS_BUDGET = ["ingester", "store_gateway"];

function mimirFindings(mimir: MimirRelease, pods: Pods, findings: Finding[]): void {
  const budgets = mimirBudgets(mimir);
  for (const component of MIMIR_NEEDS_BUDGET) {
    if (budgets.some((b) => b.component === component)) continue;
    // templates/lib/pdb.tpl renders nothing when `<component>.podDisruptionBudget` is empty, null or false.
    budgets.push(
      absentBudget(
        mimir.release,
        component,
        component,
        shown(mimir.release.values.get(component, "podDisruptionBudget")),
        `set ${component}.podDisruptionBudget to {maxUnavailable: {keep}} (the chart's default is 1)`,
      ),
    );
  }
  for (const budget of budgets) {
    const count = pods.count(budget.pods);
    if (!count) continue;
    if (budget.component === "ingester") {
      const ingest = known(mimir.boolean("ingest_storage.enabled"));
      const zones = pods.zones(budget.pods);
      if (ingest.value) {
        // Ingest storage: writes are acknowledged by Kafka; each ingester zone consumes every partition and a query
        // needs, per partition, one ingester of any zone (Mimir docs "About ingest storage architecture"). The chart's
        // ingester budget selects the pods of every zone (templates/ingester/ingester-pdb.yaml: mimir.selectorLabels,
        // no zone label; mimir-distributed 6.0.x renders no ZoneAwarePodDisruptionBudget), so `zones` pods may be
        // the ones consuming the same partition.
        judge(findings, budget, count, {
          tolerated: Math.max(0, zones - 1),
          why:
            zones > 0
              ? `with ingest storage (${ingest.where}=true) each Kafka partition is consumed by one ingester in each of ${zones} zones, and the budget selects the pods of every zone`
              : `with ingest storage (${ingest.where}=true) and no zone-aware ingesters each Kafka partition is consumed by one ingester`,
          consequence:
            "The evicted ingesters may be every replica of one partition: queries of its recent samples (not yet in long-term storage) fail until one is back; writes continue into Kafka.",
          level: "outage",
        });
      } else {
        const rf = known(mimir.setting("ingester.ring.replication_factor"));
        const value = rf === undefined ? MIMIR_INGESTER_RF : Number(rf.value);
        const where =
          rf === undefined
            ? `Mimir default ingester.ring.replication_factor=${MIMIR_INGESTER_RF}`
            : `${rf.where}=${value}`;
        // A push succeeds with a quorum of floor(RF/2)+1 ingesters (Mimir docs "About the distributor": "a write is
        // successful if a quorum of the ingesters ... acknowledged it"); zone-aware or not, the chart's one budget
        // spans every zone, so the evicted pods may hold two replicas of the same series.
        judge(findings, budget, count, {
          tolerated: Math.floor(value / 2),
          why: `each series is written to ${value} ingesters (${where}) and a push needs ${Math.floor(value / 2) + 1} of them, and the budget selects the pods of every zone`,
          consequence:
            "Pushes of series with a majority of their replicas among the evicted ingesters are refused (too many unhealthy instances in the ring): writes stop for them and, after the clients' retries, those samples are dropped.",
          level: "loss",
        });
      }
    } else if (budget.component === "store_gateway") {
      const rf = known(mimir.number("store_gateway.sharding_ring.replication_factor"));
      // Each block is loaded by RF store-gateways (Mimir docs "About the store-gateway", blocks replication).
      judge(findings, budget, count, {
        tolerated: Math.max(0, rf.value - 1),
        why: `each block is served by ${rf.value} store-gateways (${rf.where}=${rf.value}) and the budget selects the pods of every zone`,
        consequence:
          "The evicted store-gateways may be every replica of some blocks: queries over long-term storage fail until one is back.",
        level: "outage",
      });
    } else if (budget.component in MIMIR_TIERS) {
      judge(findings, budget, count, ALL_AT_ONCE(budget.component, count, MIMIR_TIERS[budget.component]));
    }
    // Caches (memcached: misses, not an outage), compactor and overrides-exporter (no request path) are not judged.
  }
}

// ---------------------------------------------------------------- Loki

/** loki chart sections whose pods sit in the ingester ring (loki.ts ringMembers: per deployment mode). */
const LOKI_RING = new Set(["ingester", "write", "singleBinary"]);

/** loki stateless tiers and what stops while all their pods are gone (Loki docs "Loki components"). */
const LOKI_TIERS: Readonly<Record<string, string>> = {
  distributor:
    "every log push is refused (Alloy backs off and retries, falling behind, and drops what outlives its retries)",
  gateway: "every log push and query through the gateway fails",
  queryFrontend: "every log query fails",
  queryScheduler: "every log query waits or fails",
  querier: "every log query fails",
  indexGateway: "every log query fails (queriers cannot read the index)",
  ruler: "no log alerting or recording rule is evaluated",
  read: "every log query fails",
  backend: "every log query fails and no rule is evaluated (index gateways, query schedulers and rulers run there)",
};

function lokiFindings(loki: LokiRelease, pods: Pods, findings: Finding[]): void {
  const budgets = lokiBudgets(loki);
  for (const component of LOKI_RING) {
    if (budgets.some((b) => b.component === component)) continue;
    // templates/_pdb.tpl renders none when podDisruptionBudget.enabled is false or neither bound is set.
    const section = loki.release.values.get(component);
    const enabled = section.at("podDisruptionBudget.enabled");
    budgets.push(
      absentBudget(
        loki.release,
        component,
        component === "singleBinary" ? "single-binary" : component,
        known(enabled.boolean()) === false
          ? shown(enabled)
          : `${shown(section.at("podDisruptionBudget.maxUnavailable"))}, ${shown(section.get("maxUnavailable"))}`,
        `set ${component}.podDisruptionBudget to {enabled: true, maxUnavailable: {keep}}`,
      ),
    );
  }
  for (const budget of budgets) {
    const count = pods.count(budget.pods);
    if (!count) continue;
    if (LOKI_RING.has(budget.component)) {
      const rf = known(loki.replicationFactor());
      const zones = pods.zones(budget.pods);
      // A push needs floor(RF/2)+1 ingesters of the stream's RF (Loki docs "The write path"). With zone-aware
      // replication each zone holds one replica, but the chart's zone budget selects the ingesters of every zone
      // (templates/ingester/pdb-zone.yaml: selector rollout-group=ingester, no zone), so the evicted pods may be in
      // different zones and hold a majority of the same stream's replicas.
      judge(findings, budget, count, {
        tolerated: Math.floor(rf.value / 2),
        why:
          `each stream is written to ${rf.value} ingesters (${rf.where}=${rf.value}) and a push needs ${Math.floor(rf.value / 2) + 1} of them` +
          (zones > 0 ? `; the budget selects the ingesters of all ${zones} zones, not one zone at a time` : ""),
        consequence:
          "Pushes of streams with a majority of their replicas among the evicted ingesters fail the write quorum: log writes stop for them and, after the clients' retries, those lines are dropped.",
        level: "loss",
      });
    } else if (budget.component in LOKI_TIERS) {
      judge(findings, budget, count, ALL_AT_ONCE(budget.component, count, LOKI_TIERS[budget.component]));
    }
  }
}

// ---------------------------------------------------------------- kube-prometheus-stack

function kubePrometheusStackFindings(release: HelmRelease, pods: Pods, findings: Finding[]): void {
  const budgets = kubePrometheusStackBudgets(release);
  if (!budgets.some((b) => b.component === "prometheus"))
    // templates/prometheus/podDisruptionBudget.yaml renders only with prometheus.podDisruptionBudget.enabled (default false).
    budgets.push(
      absentBudget(
        release,
        "prometheus",
        "prometheus",
        shown(release.values.at("prometheus.podDisruptionBudget.enabled")),
        "set prometheus.podDisruptionBudget to {enabled: true, minAvailable: {min}}",
        "prometheus.prometheusSpec.replicas",
      ),
    );
  for (const budget of budgets) {
    const count = pods.count(budget.pods);
    if (!count) continue;
    if (budget.component === "prometheus") {
      // The budget selects every pod of the Prometheus resource (templates/prometheus/podDisruptionBudget.yaml:
      // operator.prometheus.io/name), replicas x shards; the replicas of a shard scrape the same targets, so losing
      // all of them at once leaves a gap no one scraped (Prometheus has no backfill of missed scrapes).
      const replicas = known(release.values.at("prometheus.prometheusSpec.replicas").number()) ?? 1;
      if (replicas <= 1) continue; // no HA pair: no redundancy to keep
      judge(findings, budget, count, {
        tolerated: replicas - 1,
        why: `the ${replicas} replicas (${budget.replicasPath}=${replicas}) of a shard scrape the same targets${budget.absent ? "" : ` and the budget selects all ${count} pods`}`,
        consequence:
          "When every replica of a shard is evicted together, nobody scrapes its targets until one is back: those samples are never collected, a gap in every series (and in the alerts evaluated on them).",
        level: "loss",
      });
    } else if (budget.component === "alertmanager") {
      judge(
        findings,
        budget,
        count,
        ALL_AT_ONCE(
          "Alertmanager",
          count,
          "no alert notification is sent, and silences and the notification log kept only in the pods' storage may be lost",
        ),
      );
    }
  }
}

// ---------------------------------------------------------------- Strimzi Kafka

/**
 * The budget Strimzi generates for a Kafka cluster covers every node of its KafkaNodePools, brokers and controllers
 * alike (Strimzi 1.2.0 KafkaCluster.generatePodDisruptionBudget: PodDisruptionBudgetUtils
 * .createCustomControllerPodDisruptionBudget over nodes().size(), minAvailable = nodes - maxUnavailable, selector
 * strimziSelectorLabels without a pool label), so a drain may take any `maxUnavailable` of them.
 */
function kafkaFindings(stack: StackView, findings: Finding[]): void {
  const disabled = strimziBudgetsDisabled(stack);
  const budgets: Budget[] = disabled
    ? stack.strimzi("Kafka").map((kafka) => ({
        owner: kafka.label,
        urn: kafka.resource.urn,
        component: "Kafka nodes",
        path: "generatePodDisruptionBudget",
        pods: { count: kafkaNodeCount(stack, kafka), note: "the replicas of its KafkaNodePools" },
        absent: {
          why: disabled,
          fix: "set generatePodDisruptionBudget to true (Strimzi's default), with spec.kafka.template.podDisruptionBudget.maxUnavailable {keep}",
        },
      }))
    : strimziOperandBudgets(stack).filter((b) => b.component === "Kafka nodes");
  if (budgets.length === 0) return; // Strimzi's default maxUnavailable 1
  const land = kafkaLandscape(stack);
  for (const budget of budgets) {
    const nodes = "count" in budget.pods ? budget.pods.count : 0;
    if (nodes <= 1) continue;
    const cluster = land.clusters.find((c) => c.urn === budget.urn);
    if (!cluster) continue;
    const { allowed } = allowance(budget, nodes);
    const reasons: string[] = [];
    let keep = Infinity;
    let level: Level | undefined;

    const brokers = known(cluster.brokers())?.value ?? 0;
    if (brokers > 1) {
      // Writes with acks=all (Mimir's producer) need min.insync.replicas in-sync replicas, capped at the partition's
      // replicas since Kafka 3.7 (Partition.scala effectiveMinIsr, KAFKA-15583); below it the broker refuses them with
      // NOT_ENOUGH_REPLICAS (Kafka docs, topic config min.insync.replicas). The tightest topic decides.
      const topics: KafkaTopicView[] = [
        ...new Set([...land.topics, ...land.paths.map((p) => p.topic)].filter((t): t is KafkaTopicView => !!t)),
      ].filter((t) => t.cluster.urn === cluster.urn);
      let tightest: { tolerated: number; text: string } | undefined;
      for (const topic of topics) {
        const rf = known(topic.replicas());
        const isr = known(effectiveTopicSetting(topic, "min.insync.replicas"));
        if (!rf || !isr) continue;
        const tolerated = Math.max(0, rf.value - Math.min(isr.value, rf.value));
        if (!tightest || tolerated < tightest.tolerated)
          tightest = {
            tolerated,
            text: `${topic.label} has ${rf.value} replicas (${rf.where}) and min.insync.replicas ${isr.value} (${isr.where})`,
          };
      }
      if (!tightest) {
        const rf = known(cluster.brokerSetting("default.replication.factor"));
        const isr = known(cluster.brokerSetting("min.insync.replicas"));
        if (rf && isr)
          tightest = {
            tolerated: Math.max(0, rf.value - Math.min(isr.value, rf.value)),
            text: `topics get ${rf.value} replicas (${rf.where}) and min.insync.replicas ${isr.value} (${isr.where})`,
          };
      }
      const down = Math.min(allowed, brokers);
      if (tightest && down > Math.max(1, tightest.tolerated)) {
        reasons.push(
          `${down} of its ${brokers} brokers may be among them, but ${tightest.text}, so ${tightest.tolerated} broker(s) down at once is the most it tolerates: ` +
            `partitions with ${down} replicas on the evicted brokers fall below min.insync.replicas and the brokers refuse Mimir's writes (NOT_ENOUGH_REPLICAS)` +
            (down >= brokers ? ", or go offline altogether" : ""),
        );
        keep = Math.min(keep, Math.max(1, tightest.tolerated));
        level = "loss";
      }
    }

    const controllers = known(cluster.controllers())?.value ?? 0;
    if (controllers > 1) {
      // A KRaft quorum of n voters needs a majority, floor(n/2)+1, to elect a leader and commit metadata (Kafka docs,
      // "KRaft": "a 3-node controller cluster can tolerate 1 controller failure").
      const tolerated = Math.floor((controllers - 1) / 2);
      const down = Math.min(allowed, controllers);
      if (down > Math.max(1, tolerated)) {
        reasons.push(
          `${down} of its ${controllers} KRaft controllers may be among them, but the metadata quorum needs ${Math.floor(controllers / 2) + 1} of ${controllers}, so it tolerates ${tolerated}: ` +
            `without a quorum no partition leader is elected and no metadata change is committed, so partitions led by a lost broker stay without a leader and writes to them stop`,
        );
        keep = Math.min(keep, Math.max(1, tolerated));
        level = "loss";
      }
    }

    if (!level) continue;
    findings.push({
      level,
      urn: budget.urn,
      message:
        (budget.absent
          ? `${setting(budget)}: Strimzi makes no PodDisruptionBudget for the ${nodes} nodes of ${budget.owner} and the stack declares none, so a drain may evict all of them at once. `
          : `${setting(budget)}: Strimzi makes one PodDisruptionBudget over all ${nodes} nodes of ${budget.owner} (brokers and controllers together, ` +
            `minAvailable ${Math.max(0, nodes - allowed)}), so a drain may evict ${allowed} of them at once. `) +
        `${reasons.join("; and ")}. ` +
        `Fix: ${fixFor(budget, keep, nodes)}${!budget.absent && keep === 1 ? " (Strimzi's default)" : ""}.`,
    });
  }
}

// ---------------------------------------------------------------- the policy

/** Runs one source's check; a value unknown during preview skips that source only. */
function guarded(ctx: RuleContext<Config>, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Inconclusive) ctx.inconclusive(error.unknown);
    else if (!(error instanceof PolicyInputError)) throw error;
    // A malformed budget or count is U1's (or another rule's) to report.
  }
}

export const disruptionBudgetsKeepRedundancy = stackRule<Config>(
  {
    name: "disruption-budgets-keep-redundancy",
    rule: "U6",
    description:
      "No PodDisruptionBudget may let a drain evict more pods at once than the component tolerates: Kafka brokers below min.insync.replicas or the KRaft quorum, an ingester ring's write quorum, both Prometheus HA replicas (mandatory); every replica of a stateless tier, Alertmanager or store-gateway replicas (advisory unless the policy config's environments enforce it)",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Lower the budget's maxUnavailable (or raise minAvailable) to what the component tolerates: Kafka RF - min.insync.replicas brokers and " +
      "(controllers - 1) / 2 controllers; an ingester ring floor(RF / 2); Prometheus replicas - 1; a stateless tier replicas - 1.",
    url: "https://kubernetes.io/docs/tasks/run-application/configure-pdb/ (rounding: disruption controller getExpectedPodCount); Strimzi PodDisruptionBudgetUtils; Kafka min.insync.replicas; Loki/Mimir write quorum",
    tags: ["rollout", "availability"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        environments: enforcedEnvironmentsSchema(["prod"]),
      },
    },
  },
  (stack, ctx) => {
    const pods = new Pods(stack);
    const findings: Finding[] = [];
    for (const mimir of mimirReleases(stack)) guarded(ctx, () => mimirFindings(mimir, pods, findings));
    for (const loki of lokiReleases(stack)) guarded(ctx, () => lokiFindings(loki, pods, findings));
    for (const release of stack.helmReleases(CHARTS.kubePrometheusStack))
      guarded(ctx, () => kubePrometheusStackFindings(release, pods, findings));
    guarded(ctx, () => kafkaFindings(stack, findings));
    if (findings.length === 0) return;
    const outage = findings.some((f) => f.level === "outage");
    const env = outage ? stackEnvironment(stack, ctx.config.environment) : undefined;
    for (const f of findings) {
      if (f.level === "loss") ctx.violation(f.message, f.urn);
      else if (env && ruleApplies(env, ctx.config.environments))
        ctx.violation(`${f.message} Environment: ${describeEnvironment(env)}.`, f.urn);
      else ctx.advisory(f.message, f.urn);
    }
  },
);
