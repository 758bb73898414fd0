// K19: with simple authorization on, Kafka refuses every operation no ACL allows. Mimir's principal is its SASL
// username (User:<name>; a Strimzi KafkaUser of that name carries its ACLs, Strimzi "Using ACLs for simple
// authorization"), and it must Write and Read its topic, Describe it, and Create it when Mimir auto-creates it:
// otherwise produce and fetch fail with TOPIC_AUTHORIZATION_FAILED and no sample is written.
import { strimziBelongsTo } from "../../lib/kafka";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";
import { landscape } from "./common";

/** The operations a topic ACL of `user` allows on `topic` (literal name, "*" or a matching prefix pattern). */
function allowedOnTopic(acls: PropNode[], topic: string): Set<string> {
  const allowed = new Set<string>();
  for (const acl of acls) {
    if ((acl.get("type").raw() ?? "allow") !== "allow") continue;
    const resource = acl.get("resource");
    const kind = resource.get("type").raw();
    const name = String(resource.get("name").raw() ?? "");
    const pattern = resource.get("patternType").raw() ?? "literal";
    const matches =
      kind === "cluster" ||
      (kind === "topic" && (name === "*" || (pattern === "prefix" ? topic.startsWith(name) : topic === name)));
    if (!matches) continue;
    const operations = acl.get("operations").raw() ?? (acl.get("operation").raw() ? [acl.get("operation").raw()] : []);
    for (const op of Array.isArray(operations) ? operations : []) {
      // A cluster ACL grants only cluster operations; Create on the cluster lets a client create any topic.
      if (kind === "cluster" && op !== "Create" && op !== "All") continue;
      allowed.add(String(op));
    }
  }
  return allowed;
}

export const mimirKafkaUserAuthorized = stackRule<object>(
  {
    name: "mimir-kafka-user-authorized",
    rule: "K19",
    description:
      "With Kafka authorization on, Mimir's user must be allowed to write, read and describe its topic (and create it when Mimir auto-creates it)",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Declare a KafkaUser named like ingest_storage.kafka.sasl_username with topic ACLs Write, Read, Describe on Mimir's topic (Create when auto_create_topic_enabled), or point Mimir at the topic its user may use.",
    url: "https://strimzi.io/docs/operators/latest/deploying#con-securing-client-authorization-str (simple authorization; TOPIC_AUTHORIZATION_FAILED)",
    tags: ["kafka", "mimir", "security"],
  },
  (stack, ctx) => {
    for (const path of landscape(stack, ctx).paths) {
      if (path.cluster?.kind !== "strimzi") continue;
      const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === path.cluster!.urn);
      if (!kafka) continue;
      const authorization = kafka.spec.get("kafka", "authorization", "type").raw();
      if (isUnknown(authorization)) return ctx.inconclusive(authorization);
      if (authorization !== "simple") continue;
      const username = path.mimir.string("ingest_storage.kafka.sasl_username");
      if (isUnknown(username)) return ctx.inconclusive(username);
      if (!username.value) continue; // unauthenticated clients: S6 judges the listener
      const superUsers = kafka.spec.get("kafka", "authorization", "superUsers").raw();
      if (Array.isArray(superUsers) && superUsers.includes(`User:${username.value}`)) continue;
      const user = stack
        .strimzi("KafkaUser")
        .find((u) => u.name === username.value && strimziBelongsTo(u, path.cluster!));
      const topic = path.topicName ?? path.topic?.name;
      if (topic === undefined) continue;
      const autoCreated = path.topic !== undefined && !path.topic.declared;
      const needed = ["Write", "Read", "Describe", ...(autoCreated ? ["Create"] : [])];
      if (!user) {
        ctx.violation(
          `${path.mimir.label} authenticates to ${kafka.label} as ${username.where}=${JSON.stringify(username.value)}, which has simple authorization ` +
            `on, but no KafkaUser "${username.value}" carries its ACLs: every produce and fetch fails with TOPIC_AUTHORIZATION_FAILED. ` +
            `Fix: declare KafkaUser "${username.value}" labelled strimzi.io/cluster=${kafka.name} with ${needed.join(", ")} on topic "${topic}".`,
          path.mimir.urn,
        );
        continue;
      }
      const acls = user.spec.get("authorization", "acls").items();
      if (isUnknown(acls)) return ctx.inconclusive(acls);
      const allowed = allowedOnTopic(acls ?? [], topic);
      const missing = allowed.has("All") ? [] : needed.filter((op) => !allowed.has(op));
      if (missing.length === 0) continue;
      ctx.violation(
        `KafkaUser "${user.name}" (Mimir's ${username.where}) is not allowed ${missing.join(", ")} on topic "${topic}" that ${path.mimir.label} ` +
          `${autoCreated ? "auto-creates and " : ""}writes (spec.authorization.acls): Kafka answers TOPIC_AUTHORIZATION_FAILED ` +
          `and no sample is written. Fix: add a topic ACL for "${topic}" with ${missing.join(", ")}, or point Mimir at the topic its user may use.`,
        user.resource.urn,
      );
    }
  },
);
