// K19: with simple authorization on, Kafka refuses every operation no ACL allows. Mimir's principal is its SASL
// username (User:<name>; a Strimzi KafkaUser of that name carries its ACLs, Strimzi "Using ACLs for simple
// authorization"), and it must Write and Read its topic, Describe it, and Create it when Mimir auto-creates it:
// otherwise produce and fetch fail with TOPIC_AUTHORIZATION_FAILED and no sample is written.
// Every KafkaUser must also be one its Kafka can serve: ACLs (spec.authorization type simple) need a Kafka authorizer
// whose ACLs the Admin API manages, and its authentication type must be one a listener offers.
import { KafkaCluster, strimziBelongsTo, strimziListeners } from "../../lib/kafka";
import { RuleContext } from "../../lib/policy";
import { StackView } from "../../lib/stack";
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

/**
 * Whether the Kafka's authorizer lets the User Operator manage ACLs through the Admin API. Strimzi
 * (strimzi/strimzi-kafka-operator api KafkaAuthorization*.java supportsAdminApi(): simple always, keycloak when
 * delegateToKafkaAcls, custom when supportsAdminApi, opa never; cluster-operator EntityUserOperator sets
 * STRIMZI_ACLS_ADMIN_API_SUPPORTED from it, false without spec.kafka.authorization). Without it the User Operator
 * refuses every KafkaUser with simple ACLs (user-operator KafkaUserModel.fromCrd: InvalidResourceException "Simple
 * authorization ACL rules are configured but not supported in the Kafka cluster configuration."): the user never
 * turns Ready, and gets no credentials Secret.
 */
function aclsAdminApiSupported(authorization: PropNode): boolean | undefined {
  const type = authorization.get("type").raw();
  if (isUnknown(type)) return undefined;
  if (type === undefined || type === null) return false;
  if (type === "simple") return true;
  if (type === "keycloak") return authorization.get("delegateToKafkaAcls").raw() === true;
  if (type === "custom") return authorization.get("supportsAdminApi").raw() === true;
  return false;
}

/**
 * KafkaUser spec.authentication.type (scram-sha-512, tls, tls-external; Strimzi KafkaUserSpec) against the listener
 * authentication types that accept it (Strimzi GenericKafkaListener authentication: scram-sha-512, tls, oauth,
 * custom): a SCRAM user logs in only on a scram-sha-512 listener, a certificate user (tls, or tls-external with a
 * certificate issued elsewhere) only on a tls listener. A custom listener may accept anything: not judged then.
 */
const LISTENER_FOR_USER: Record<string, string> = {
  "scram-sha-512": "scram-sha-512",
  tls: "tls",
  "tls-external": "tls",
};

function usersServable(stack: StackView, ctx: RuleContext<object>, clusters: ReadonlyArray<KafkaCluster>): void {
  for (const cluster of clusters) {
    const kafka = stack.strimzi("Kafka").find((k) => k.resource.urn === cluster.urn);
    if (!kafka) continue;
    const users = stack.strimzi("KafkaUser").filter((u) => strimziBelongsTo(u, cluster));
    if (users.length === 0) continue;
    const authorization = kafka.spec.get("kafka", "authorization");
    const supported = aclsAdminApiSupported(authorization);
    const listeners = strimziListeners(cluster);
    if (listeners !== undefined && isUnknown(listeners)) return ctx.inconclusive(listeners);
    const offered = (listeners ?? []).map((l) => l.get("authentication", "type").raw());
    for (const user of users) {
      const userAuthorization = user.spec.get("authorization", "type").raw();
      if (isUnknown(userAuthorization)) return ctx.inconclusive(userAuthorization);
      if (userAuthorization === "simple" && supported === false) {
        const type = authorization.get("type").raw();
        const why =
          type === undefined || type === null
            ? `${kafka.label} has no spec.kafka.authorization`
            : `${kafka.label} spec.kafka.authorization.type=${JSON.stringify(type)} does not let the Admin API manage ACLs`;
        ctx.violation(
          `${user.label} carries simple ACLs (spec.authorization.type "simple"), but ${why}: the User Operator refuses the user ("Simple authorization ` +
            `ACL rules are configured but not supported in the Kafka cluster configuration."), it never turns Ready and gets no credentials Secret, ` +
            `so its client cannot log in (and whatever waits for it, such as the Mimir release, never deploys). Fix: set spec.kafka.authorization ` +
            `type simple (with superUsers as needed) on ${kafka.label}, or drop spec.authorization from the KafkaUser.`,
          user.resource.urn,
        );
      }
      const userAuthentication = user.spec.get("authentication", "type").raw();
      if (isUnknown(userAuthentication)) return ctx.inconclusive(userAuthentication);
      const needed = LISTENER_FOR_USER[String(userAuthentication)];
      if (needed === undefined || listeners === undefined) continue;
      if (offered.some(isUnknown)) return ctx.inconclusive(offered.find(isUnknown)!);
      if (offered.includes(needed) || offered.includes("custom")) continue;
      ctx.violation(
        `${user.label} authenticates with ${userAuthentication} (spec.authentication.type), but no listener of ${kafka.label} offers ${needed} ` +
          `authentication (spec.kafka.listeners: ${offered.map((t) => (t === undefined ? "none" : String(t))).join(", ") || "none"}): ` +
          `its credentials are accepted nowhere, so its client (Mimir, when it is Mimir's user) cannot authenticate and no sample is written. ` +
          `Fix: give the KafkaUser the authentication type of the listener its client uses, or add a listener with ${needed} authentication.`,
        user.resource.urn,
      );
    }
  }
}

export const mimirKafkaUserAuthorized = stackRule<object>(
  {
    name: "mimir-kafka-user-authorized",
    rule: "K19",
    description:
      "With Kafka authorization on, Mimir's user must be allowed to write, read and describe its topic (and create it when Mimir auto-creates it); a KafkaUser with ACLs needs an authorizer on its Kafka, and its authentication type a listener offering it",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Declare a KafkaUser named like ingest_storage.kafka.sasl_username with topic ACLs Write, Read, Describe on Mimir's topic (Create when auto_create_topic_enabled), or point Mimir at the topic its user may use.",
    url: "https://strimzi.io/docs/operators/latest/deploying#con-securing-client-authorization-str (simple authorization; TOPIC_AUTHORIZATION_FAILED)",
    tags: ["kafka", "mimir", "security"],
  },
  (stack, ctx) => {
    usersServable(stack, ctx, landscape(stack, ctx).clusters);
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
