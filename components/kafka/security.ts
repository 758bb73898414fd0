import type { Settings } from "../../settings";

/**
 * What Mimir's Kafka client can do in the Mimir version the pinned chart ships (mimir-distributed 6.0.6 ships
 * Mimir 3.0.4: chart CHANGELOG "6.0.6: Upgrade Mimir to 3.0.4").
 * - SASL: Mimir 3.0 has only `ingest_storage.kafka.sasl_username` / `sasl_password`, i.e. SASL/PLAIN (grafana/mimir
 *   PR #9584; issue #13449 "supports SASL Plaintext authentication only"). `-ingest-storage.kafka.sasl-mechanism`
 *   (SCRAM-SHA-256/512) arrives in Mimir 3.1.0 (CHANGELOG 3.1.0, PR #14307).
 * - TLS: none in 3.0 (`field tls not found in type ingest.KafkaConfig`, grafana/mimir#13987); the
 *   `-ingest-storage.kafka.tls*` flags arrive in Mimir 3.1.0 (PR #14550).
 * When the chart pin moves to a Mimir >= 3.1, switch this to SCRAM-SHA-512 over a TLS listener.
 */
export const MIMIR_KAFKA_CLIENT = {
  saslMechanisms: ["PLAIN"] as const,
  tls: false,
} as const;

/** The environment variable that carries Mimir's Kafka password into both the brokers and Mimir's pods. */
export const KAFKA_PASSWORD_ENV = "MIMIR_KAFKA_SASL_PASSWORD";
/** Key of the password inside the credentials Secrets (kafka and mimir namespaces). */
export const KAFKA_PASSWORD_KEY = "password";

/** Strimzi listener names must match ^[a-z0-9]{1,11}$ (Strimzi 1.2.0 Kafka CRD, listeners[].name). */
const LISTENER_NAME_PATTERN = /^[a-z0-9]{1,11}$/;

export type ClientAuthentication = { kind: "none" } | { kind: "sasl-plain"; username: string };

/**
 * How Mimir reaches Kafka: the listener Strimzi opens and what Mimir must present, exactly as settings.kafka.listener
 * asks (settings/derive/kafka.ts picks SASL/PLAIN without TLS outside dev, what Mimir 3.0 speaks). With Strimzi 1.2.0
 * the authenticated listener is built as:
 * - a Strimzi `custom` authentication listener with SASL/PLAIN (Strimzi 1.2.0 CRD: authentication.type is one of
 *   tls, scram-sha-512, custom; `custom` + `sasl: true` takes any `listenerConfig`, prefixed
 *   `listener.name.<listener>-<port>.` by KafkaBrokerConfigurationBuilder),
 * - the single accepted user defined by a PlainLoginModule JAAS entry whose password is read from an environment
 *   variable through Strimzi's `strimzienv` config provider (EnvVarConfigProvider, configured on every node by
 *   KafkaBrokerConfigurationBuilder.printConfigProviders), so the password is never in the Kafka resource,
 * - simple ACL authorization (a KafkaUser without `authentication`, which the User Operator accepts as a
 *   "none" user that only carries ACLs: KafkaUserModel.isNoneUser) limiting Mimir to its topic,
 * - a NetworkPolicy (Strimzi `networkPolicyPeers`) admitting only Mimir's pods to the listener.
 * The transport is plaintext (SASL_PLAINTEXT): the password crosses the pod network unencrypted, which is why the
 * listener is fenced to Mimir's pods. dev keeps an unauthenticated plaintext listener, fenced the same way.
 */
export interface ClientSecurity {
  listenerName: string;
  port: number;
  tls: boolean;
  client: ClientAuthentication;
  /** Simple ACL authorization on the cluster; on whenever clients authenticate. */
  authorization: boolean;
}

/** Throws, naming the key, when settings ask for a listener Mimir 3.0's client could not use (see MIMIR_KAFKA_CLIENT). */
export function clientSecurity(settings: Settings): ClientSecurity {
  const requested = settings.kafka.listener;
  if (requested.tls && !MIMIR_KAFKA_CLIENT.tls) {
    throw new Error(
      `settings.kafka.listener.tls = true: Mimir 3.0's Kafka client has no TLS (grafana/mimir#13987; TLS arrives in Mimir 3.1, PR #14550); allowed: false`,
    );
  }
  const name = listenerName(requested.name);
  if (requested.authentication === "none") {
    return { listenerName: name, port: requested.port, tls: false, client: { kind: "none" }, authorization: false };
  }
  if (!(MIMIR_KAFKA_CLIENT.saslMechanisms as readonly string[]).includes(requested.authentication.toUpperCase())) {
    throw new Error(
      `settings.kafka.listener.authentication = "${requested.authentication}": Mimir 3.0 supports only SASL ${MIMIR_KAFKA_CLIENT.saslMechanisms.join(", ")} ` +
        `(SCRAM arrives in Mimir 3.1, grafana/mimir PR #14307); allowed: "plain", "none"`,
    );
  }
  return {
    listenerName: name,
    port: requested.port,
    tls: false,
    client: { kind: "sasl-plain", username: settings.kafka.mimirUser },
    authorization: true,
  };
}

function listenerName(name: string): string {
  if (!LISTENER_NAME_PATTERN.test(name)) {
    throw new Error(
      `settings.kafka.listener.name "${name}" is not a valid Strimzi listener name: expected 1-11 characters from a-z and 0-9`,
    );
  }
  return name;
}

/**
 * JAAS entry for the broker side of SASL/PLAIN: one user, password resolved by the broker at startup from the
 * environment (`${strimzienv:VAR}`). Kafka resolves config-provider variables inside listener-prefixed properties:
 * Strimzi 1.2.0 itself sets `listener.name.<l>.ssl.keystore.key=${strimzisecrets:...}` (KafkaBrokerConfigurationBuilder).
 * The password must not contain `"` or `\` (JAAS quoting): the generator emits only letters and digits.
 */
export function plainJaasConfig(username: string, passwordEnvVar: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(username)) {
    throw new Error(
      `Kafka SASL username "${username}" must contain only letters, digits, '.', '_' or '-' (it is embedded in a JAAS option name)`,
    );
  }
  return `org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="\${strimzienv:${passwordEnvVar}}";`;
}

/**
 * The least Mimir 3.0 needs (franz-go requests, Kafka ACL operations table): producers Describe/Write the topic;
 * ingesters Read it, list offsets (Describe) and commit offsets in one consumer group per ingester (group Read,
 * Describe; group ids are ingester instance ids, hence the wildcard); queriers list offsets for strong read
 * consistency (Describe). Auto topic creation is off, so no Create.
 */
export function mimirAcls(topic: string) {
  return [
    {
      type: "allow",
      resource: { type: "topic", name: topic, patternType: "literal" },
      operations: ["Describe", "DescribeConfigs", "Read", "Write"],
    },
    { type: "allow", resource: { type: "group", name: "*", patternType: "literal" }, operations: ["Describe", "Read"] },
    { type: "allow", resource: { type: "cluster" }, operations: ["Describe"] },
  ];
}
