// M16: Mimir expands ${VAR} in its config file from the container's environment (-config.expand-env; Mimir docs
// "About configurations": "references to environment variables ... are replaced", an unset variable becomes the
// empty string, dskit cfg.expandEnv uses os.ExpandEnv). Every chart section that runs Mimir with the shared config
// must define each variable the config names: an override that replaces a component's `env` list (lists are replaced,
// not merged) silently drops, say, the Kafka SASL password from that component, which then authenticates with an empty
// password and never becomes ready.
import { MIMIR_CONFIG_SECTIONS, mimirReleases } from "../../lib/mimir";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { isUnknown, known } from "../../lib/unknown";

/**
 * Every `${NAME}` (and `$NAME`) a config tree names without a default. `${NAME:default}` falls back to its default
 * when NAME is unset or empty (cmd/mimir/main.go expandEnvironmentVariables: "A default value can be given by using
 * the form ${var:default value}"), so it needs no definition.
 */
function referencedVariables(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === "string") {
    for (const m of node.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g))
      if (m[2] === undefined) found.add(m[1] ?? m[3]);
  } else if (Array.isArray(node)) node.forEach((item) => referencedVariables(item, found));
  else if (node && typeof node === "object") Object.values(node).forEach((v) => referencedVariables(v, found));
  return found;
}

/** Names an env list defines; undefined when it cannot be read (unknown at preview). */
function envNames(env: PropNode): Set<string> | undefined {
  const items = env.items();
  if (isUnknown(items)) return undefined;
  return new Set((items ?? []).map((item) => item.get("name").raw()).filter((n): n is string => typeof n === "string"));
}

export const mimirConfigEnvDefined = stackRule<object>(
  {
    name: "mimir-config-env-defined",
    rule: "M16",
    description:
      "Every environment variable Mimir's config names (${VAR}) is defined in each Mimir component that loads that config",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "When overriding a component's env list, repeat the entries the program sets (the Kafka password variable) or put extra variables in global.extraEnv.",
    url: "https://grafana.com/docs/mimir/latest/configure/about-configurations/ (use environment variables in the configuration; -config.expand-env)",
    tags: ["mimir", "wiring"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const mimir of mimirReleases(stack)) {
      const structured = mimir.release.values.at("mimir.structuredConfig");
      const config = structured.raw();
      if (isUnknown(config)) continue; // names in a config unknown at preview: judged when known
      const needed = [...referencedVariables(config)].sort();
      if (needed.length === 0) continue;
      const values = mimir.release.values;
      // envFrom can bring any variable in: the pack cannot list it, so it does not judge those sections.
      if (values.at("global.extraEnvFrom").isPresent) continue;
      const global = envNames(values.at("global.extraEnv")) ?? new Set<string>();
      for (const section of MIMIR_CONFIG_SECTIONS) {
        const enabled = known(values.at(`${section}.enabled`).boolean());
        if (enabled === false) continue;
        if (values.at(`${section}.extraEnvFrom`).isPresent) continue;
        const own = envNames(values.at(`${section}.env`));
        if (own === undefined) continue;
        const missing = needed.filter((name) => !own.has(name) && !global.has(name));
        if (missing.length === 0) continue;
        ctx.violation(
          `${mimir.label}: the config (values.mimir.structuredConfig) names ${missing.map((n) => `\${${n}}`).join(", ")}, but ` +
            `values.${section}.env${own.size > 0 ? ` (${[...own].sort().join(", ")})` : " (none)"} and values.global.extraEnv do not define ` +
            `${missing.length > 1 ? "them" : "it"}: Mimir expands ${missing.length > 1 ? "them" : "it"} to the empty string in every ${section} pod ` +
            `(an empty Kafka SASL password fails authentication, so the ${section} never becomes ready). An override of ${section}.env replaces ` +
            `the whole list. Fix: repeat the program's entries in ${section}.env, or define extra variables in global.extraEnv.`,
          mimir.urn,
        );
      }
    }
  },
);
