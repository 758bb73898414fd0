// W5: a Strimzi `custom` SASL listener that Mimir writes through must offer Mimir's SASL mechanism and, for PLAIN,
// define Mimir's user in its JAAS entry; otherwise the broker refuses Mimir's login and no write reaches Kafka.
// kafka-clients-authenticate (S6) checks scram-sha-512 and tls listeners; this rule covers `custom` ones.
import { kafkaLandscape, strimziListeners } from "../../lib/kafka";
import { show, Sourced } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown } from "../../lib/unknown";

/** Kafka broker config `sasl.enabled.mechanisms` default (Kafka broker configuration reference: "GSSAPI"). */
const KAFKA_DEFAULT_MECHANISMS = "GSSAPI";

/**
 * Mimir 3.0 (mimir-distributed 6.0.x) has only sasl_username/sasl_password, i.e. SASL/PLAIN (grafana/mimir PR #9584,
 * issue #13449; components/kafka/security.ts MIMIR_KAFKA_CLIENT); Mimir 3.1 adds sasl_mechanism, default PLAIN
 * (grafana/mimir docs configure-kafka-backend.md; policies/lib/mimir.ts MIMIR_DEFAULTS).
 */
function mimirMechanism(chartVersion: string | undefined, configured: Sourced<string>): Sourced<string> {
  if (chartVersion?.startsWith("6.0."))
    return { value: "PLAIN", where: `Mimir 3.0 (chart ${chartVersion}), which speaks only SASL/PLAIN` };
  return { ...configured, value: configured.value.toUpperCase() };
}

/**
 * Users a PlainLoginModule JAAS entry defines: one `user_<name>="<password>"` option per user (Kafka docs, "Configuring
 * SASL/PLAIN": the broker's PlainServerCallbackHandler checks the client against these options).
 */
function plainUsers(jaas: string): string[] {
  return [...jaas.matchAll(/\buser_([^=\s"]+)\s*=/g)].map((m) => m[1]);
}

export const kafkaSaslMatchesListener = stackRule<object>(
  {
    name: "kafka-sasl-matches-listener",
    rule: "W5",
    description:
      "A Strimzi custom SASL listener Mimir writes through must enable Mimir's SASL mechanism (PLAIN on Mimir 3.0) and define Mimir's sasl_username in its JAAS users",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep the listener's authentication.listenerConfig sasl.enabled.mechanisms including PLAIN and plain.sasl.jaas.config defining user_<sasl_username>, " +
      "and set mimir.structuredConfig.ingest_storage.kafka.sasl_username to that user (components/kafka/security.ts plainJaasConfig).",
    url: "https://kafka.apache.org/documentation/#security_sasl_plain (JAAS user_<name> options; listener.name.<listener>.<mechanism>.sasl.jaas.config)",
    tags: ["kafka", "mimir", "security", "wiring"],
  },
  (stack, ctx) => {
    const landscape = kafkaLandscape(stack);
    landscape.unknowns.forEach((u) => ctx.inconclusive(u));
    for (const path of landscape.paths) {
      if (path.cluster?.kind !== "strimzi" || path.port === undefined) continue;
      const listeners = strimziListeners(path.cluster);
      if (isUnknown(listeners)) {
        ctx.inconclusive(listeners);
        continue;
      }
      const listener = listeners?.find((l) => l.get("port").raw() === path.port);
      if (!listener) continue; // mimir-kafka-target-exists (K0) reports a port no listener opens
      const auth = listener.get("authentication");
      const type = auth.get("type").string();
      const sasl = auth.get("sasl").boolean();
      if (isUnknown(type) || isUnknown(sasl)) {
        [type, sasl].forEach((v) => isUnknown(v) && ctx.inconclusive(v));
        continue;
      }
      // Strimzi 1.2.0 Kafka CRD: a `custom` listener with `sasl: true` turns SASL on and copies listenerConfig, prefixed
      // `listener.name.<name>-<port>.` (KafkaBrokerConfigurationBuilder); other types are S6's.
      if (type !== "custom" || sasl !== true) continue;
      const mimir = path.mimir;
      const listenerText = `${path.cluster.label} listener "${String(listener.get("name").raw())}" (port ${path.port})`;
      const mechanismsNode = auth.get("listenerConfig", "sasl.enabled.mechanisms");
      const jaasNode = auth.get("listenerConfig", "plain.sasl.jaas.config");
      ctx.known(
        [
          mimir.string("ingest_storage.kafka.sasl_mechanism"),
          mimir.string("ingest_storage.kafka.sasl_username"),
          mechanismsNode.string(),
          jaasNode.string(),
        ],
        (configured, username, mechanismsText, jaas) => {
          const mechanism = mimirMechanism(mimir.release.chartVersion, configured);
          if (username.value === "") {
            ctx.violation(
              `${listenerText} requires SASL (authentication.type custom, sasl: true) but Mimir sends no credentials (${show(username)}): the broker ` +
                `closes the connection, and no write reaches Kafka. Fix: set ingest_storage.kafka.sasl_username and sasl_password (password via \${VAR}).`,
              mimir.urn,
            );
            return;
          }
          const offered = (mechanismsText ?? KAFKA_DEFAULT_MECHANISMS).split(",").map((m) => m.trim().toUpperCase());
          const offeredText =
            mechanismsText === undefined
              ? `${mechanismsNode.pathText} unset (Kafka default ${KAFKA_DEFAULT_MECHANISMS})`
              : `${mechanismsNode.pathText}=${mechanismsText}`;
          if (!offered.includes(mechanism.value)) {
            ctx.violation(
              `${listenerText} offers ${offeredText}, but Mimir authenticates with ${mechanism.value} (${mechanism.where}): the broker answers ` +
                `UnsupportedSaslMechanismException, Mimir's distributors cannot produce and ingesters cannot consume, so every write fails. ` +
                `Fix: add ${mechanism.value} to sasl.enabled.mechanisms${mechanism.value === "PLAIN" ? " with a plain.sasl.jaas.config defining Mimir's user" : ""}.`,
              mimir.urn,
            );
            return;
          }
          if (mechanism.value !== "PLAIN" || username.value.includes("${")) return;
          const users = jaas === undefined ? [] : plainUsers(jaas);
          if (users.includes(username.value)) return;
          ctx.violation(
            `${show(username)}, but ${listenerText} ` +
              (jaas === undefined
                ? `has no ${jaasNode.pathText}: the broker has no PLAIN user to check it against`
                : `defines the PLAIN users ${users.length > 0 ? users.join(", ") : "(none)"} in ${jaasNode.pathText}`) +
              `: the broker answers SaslAuthenticationException (invalid username or password), so no write reaches Kafka. ` +
              `Fix: set sasl_username to a user of the listener's JAAS entry, or add user_${username.value}="\${strimzienv:<password variable>}" to it.`,
            mimir.urn,
          );
        },
      );
    }
  },
);
