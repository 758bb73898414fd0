// In staging and prod every Kafka listener authenticates its clients, and Mimir presents credentials that
// match the listener it connects to (a mismatch is refused in any environment).
import { enforcedEnvironmentsSchema, Environment, environmentOverrideSchema } from "../../lib/config";
import { describeEnvironment, ruleApplies, stackEnvironment } from "../../lib/environment";
import { MimirKafkaPath, strimziBelongsTo, strimziListeners, kafkaLandscape, KafkaCluster } from "../../lib/kafka";
import { PropNode, show } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { StackView } from "../../lib/stack";
import { isUnknown } from "../../lib/unknown";

interface Config {
  environment?: Environment;
  environments: Environment[];
}

// Mimir 3.1 SASL mechanisms (grafana/mimir docs configure-kafka-backend.md): default PLAIN; Strimzi scram-sha-512 listeners need SCRAM-SHA-512.
const CREDENTIAL_FREE_MECHANISMS = ["OAUTHBEARER", "AWS_MSK_IAM"];

/**
 * The SCRAM, TLS and client-certificate keys arrive in Mimir 3.1 (CHANGELOG 3.1.0 #14307, #14550); Mimir 3.0, which
 * chart 6.0.x runs, refuses them as unknown fields (M9). A fix that names them says so.
 */
function needsMimir31(mimir: MimirKafkaPath["mimir"]): string {
  const version = mimir.release.chartVersion;
  return version && version.startsWith("6.0.")
    ? ` These keys need Mimir 3.1 (mimir-distributed 6.1); chart ${version} runs Mimir 3.0, which speaks only SASL/PLAIN without TLS: ` +
        "upgrade the chart, or give Mimir a listener with custom SASL/PLAIN authentication (as this stack's program does)."
    : "";
}

function checkListeners(ctx: RuleContext<Config>, cluster: KafkaCluster, envText: string): void {
  const listeners = strimziListeners(cluster);
  if (listeners === undefined) return;
  if (isUnknown(listeners)) return ctx.inconclusive(listeners);
  for (const listener of listeners) {
    const type = listener.get("authentication", "type").string();
    if (isUnknown(type)) {
      ctx.inconclusive(type);
      continue;
    }
    if (type) continue;
    const name = listener.get("name").raw();
    ctx.violation(
      `${cluster.label} listener "${String(name)}" (${listener.where}) has no authentication in ${envText}: any pod that reaches port ` +
        `${String(listener.get("port").raw())} can read and write every topic, including Mimir's ingest topic. ` +
        `Fix: set authentication.type (scram-sha-512 or tls) on the listener and give clients a KafkaUser.`,
      cluster.urn,
    );
  }
}

function listenerFor(path: MimirKafkaPath): PropNode | undefined {
  const listeners = path.cluster ? strimziListeners(path.cluster) : undefined;
  if (!listeners || isUnknown(listeners)) return undefined;
  return listeners.find((l) => l.get("port").raw() === path.port);
}

function checkMimirCredentials(
  ctx: RuleContext<Config>,
  stack: StackView,
  path: MimirKafkaPath,
  enforce: boolean,
  envText: string,
): void {
  const mimir = path.mimir;
  const cluster = path.cluster;
  if (!cluster) return;
  if (cluster.kind === "builtin") {
    if (enforce) {
      ctx.violation(
        `${mimir.label} writes to ${cluster.label} (${show(path.address)}) in ${envText}: its only listener is PLAINTEXT without authentication ` +
          `(rendered StatefulSet KAFKA_LISTENERS), so any pod can read or forge metrics. Fix: set kafka.enabled: false and use a Strimzi Kafka with an authenticated listener.`,
        mimir.urn,
      );
    }
    return;
  }
  const kafka = "ingest_storage.kafka";
  ctx.known(
    [
      mimir.string(`${kafka}.sasl_mechanism`),
      mimir.string(`${kafka}.sasl_username`),
      mimir.string(`${kafka}.sasl_password`),
      mimir.boolean(`${kafka}.tls_enabled`),
      mimir.string(`${kafka}.tls_cert_path`),
      mimir.string(`${kafka}.tls_key_path`),
    ],
    (mechanism, username, password, tls, certPath, keyPath) => {
      const hasSasl = username.value !== "" && password.value !== "";
      const hasCert = certPath.value !== "" && keyPath.value !== "";
      if (cluster.kind === "external") {
        if (enforce && !hasSasl && !hasCert && !CREDENTIAL_FREE_MECHANISMS.includes(mechanism.value)) {
          ctx.violation(
            `${mimir.label} connects to ${cluster.label} without credentials in ${envText} (${show(username)}, ${show(certPath)}): the cluster must accept ` +
              `unauthenticated clients for this to work. Fix: configure sasl_mechanism/sasl_username/sasl_password (password via \${VAR}) or TLS client certificates.`,
            mimir.urn,
          );
        }
        return;
      }
      const listener = listenerFor(path);
      if (!listener) return; // unknown port: mimir-kafka-target-exists reports it
      const type = listener.get("authentication", "type").string();
      const listenerTls = listener.get("tls").boolean();
      if (isUnknown(type)) return ctx.inconclusive(type);
      if (isUnknown(listenerTls)) return ctx.inconclusive(listenerTls);
      const where = `${cluster.label} listener "${String(listener.get("name").raw())}" (port ${path.port})`;
      if (listenerTls === true && !tls.value) {
        ctx.violation(
          `${where} requires TLS but ${show(tls)}: the TLS handshake never happens and Mimir cannot connect. Fix: set ${kafka}.tls_enabled: true.${needsMimir31(mimir)}`,
          mimir.urn,
        );
      }
      if (type === "scram-sha-512") {
        if (!hasSasl || mechanism.value !== "SCRAM-SHA-512") {
          ctx.violation(
            `${where} authenticates with scram-sha-512 but Mimir sends ${hasSasl ? show(mechanism) : `no SASL credentials (${show(username)})`}: the broker refuses ` +
              `the connection and Mimir cannot start. Fix: set ${kafka}.sasl_mechanism: SCRAM-SHA-512, sasl_username and sasl_password (from a Secret via \${VAR}).${needsMimir31(mimir)}`,
            mimir.urn,
          );
        } else if (!username.value.includes("${")) {
          const user = stack
            .strimzi("KafkaUser")
            .find((u) => strimziBelongsTo(u, cluster) && u.name === username.value);
          const userAuth = user?.spec.get("authentication", "type").string();
          if (isUnknown(userAuth)) return ctx.inconclusive(userAuth);
          if (userAuth !== "scram-sha-512") {
            ctx.violation(
              `${show(username)} but ${user ? `${user.label} authenticates with ${userAuth ?? "nothing"}` : `no KafkaUser "${username.value}" with scram-sha-512 belongs to ${cluster.label}`}: ` +
                `the User Operator creates no SCRAM credentials for it and the login fails. Fix: declare KafkaUser "${username.value}" with authentication.type scram-sha-512.`,
              mimir.urn,
            );
          }
        }
      } else if (type === "tls" && !hasCert) {
        ctx.violation(
          `${where} authenticates with TLS client certificates but Mimir has none (${show(certPath)}, ${show(keyPath)}): the handshake is refused. ` +
            `Fix: mount the KafkaUser's certificate and set ${kafka}.tls_cert_path and tls_key_path.${needsMimir31(mimir)}`,
          mimir.urn,
        );
      }
    },
  );
}

export const kafkaClientsAuthenticate = stackRule<Config>(
  {
    name: "kafka-clients-authenticate",
    rule: "S6",
    description:
      "In staging and prod Kafka listeners must authenticate clients, and Mimir's Kafka credentials must match its listener",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Give every Strimzi listener authentication (scram-sha-512 or tls), declare a KafkaUser for Mimir, and set ingest_storage.kafka.sasl_mechanism SCRAM-SHA-512 with " +
      "sasl_username and sasl_password from a Secret (${VAR}); do not use the chart's built-in Kafka outside dev.",
    url: "https://strimzi.io/docs/operators/latest/deploying#assembly-securing-kafka-str (Mimir configure-kafka-backend.md Authentication)",
    tags: ["security", "kafka", "mimir"],
    configSchema: {
      properties: {
        environment: environmentOverrideSchema,
        environments: enforcedEnvironmentsSchema(["staging", "prod"]),
      },
    },
  },
  (stack, ctx) => {
    const env = stackEnvironment(stack, ctx.config.environment);
    const enforce = ruleApplies(env, ctx.config.environments);
    const envText = describeEnvironment(env);
    const found = kafkaLandscape(stack);
    found.unknowns.forEach((u) => ctx.inconclusive(u));
    if (enforce) found.clusters.forEach((cluster) => checkListeners(ctx, cluster, envText));
    found.paths.forEach((path) => checkMimirCredentials(ctx, stack, path, enforce, envText));
  },
);
