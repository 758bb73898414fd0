// W10: every environment variable Alloy's and Loki's configurations read must be defined in their containers.
// - Alloy reads variables with `sys.env("NAME")` (and the deprecated `env("NAME")`), both os.Getenv (grafana/alloy
//   syntax/internal/stdlib/stdlib.go); "If the environment variable doesn't exist, sys.env returns an empty string"
//   (docs/sources/reference/stdlib/sys.md). `coalesce(sys.env("X"), "default")` is the documented way to give a default
//   (stdlib/coalesce.md), so calls inside coalesce are not judged.
// - Loki runs with -config.expand-env=true (loki chart 18.11.0 templates/_pod.tpl) and expands ${VAR} / $VAR with
//   drone/envsubst (grafana/loki pkg/util/cfg/files.go YAML: envsubst.EvalEnv): an unset variable becomes "", a
//   `${VAR:-default}` / `${VAR-default}` / `${VAR=default}` form carries its own default.
// - Where the variables come from. Alloy chart 1.11.1 templates/containers/_agent.yaml: ALLOY_DEPLOY_MODE, HOSTNAME and
//   K8S_NODE_NAME, then alloy.extraEnv, and alloy.envFrom (`agent.*` merged over `alloy.*`, mustMergeOverwrite). Loki
//   chart templates/_pod.tpl / _helpers.tpl loki.componentEnv: global.extraEnv + defaults.extraEnv + <component>.extraEnv,
//   GOMEMLIMIT, GOGC, POD_IP; envFrom global/defaults/<component>.extraEnvFrom. Kubernetes adds service-link variables
//   (<SVC>_SERVICE_HOST, <SVC>_PORT...) and the image its ENV (grafana/alloy Dockerfile: ALLOY_DEPLOY_MODE).
// - An envFrom secretRef / configMapRef turns every key of that Secret / ConfigMap into a variable (with its `prefix`)
//   (Kubernetes API EnvFromSource). The pack lists the keys of the Secrets and ConfigMaps the stack declares; a
//   reference to one it does not declare could define anything, so that container is not judged (W9 judges the name).
// - An env `valueFrom.secretKeyRef` whose key is missing from the Secret stops the container ("couldn't find key ... in
//   Secret", CreateContainerConfigError) unless `optional: true` (Kubernetes docs "Secrets", EnvVarSource).
// Consequence for the program's config: an override of alloy.envFrom replaces the list (Helm merges maps, replaces
// lists), drops the Secret that provides LOKI_PASSWORD / MIMIR_PASSWORD, and Alloy sends empty basic auth; the
// gateway answers 401, which loki.write and prometheus.remote_write do not retry (4xx other than 429), so every batch
// is dropped.
import { stripComments } from "../../lib/alloy";
import { LOKI_CHART_DEFAULTS, LOKI_WORKLOADS, lokiReleases } from "../../lib/loki";
import { PropNode } from "../../lib/node";
import { RuleContext, stackRule } from "../../lib/policy";
import { CONFIG_MAP_TYPE, declaredKeys } from "../../lib/secret-keys";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown, known } from "../../lib/unknown";

/** Defined in every container without a values entry: the runtime, the image, Kubernetes service links. */
function ambient(name: string): boolean {
  if (["PATH", "HOME", "HOSTNAME", "ALLOY_DEPLOY_MODE"].includes(name)) return true;
  // Kubernetes "Service" docs, environment variables: {SVCNAME}_SERVICE_HOST / _SERVICE_PORT[_<port>], Docker-link style {SVCNAME}_PORT*.
  return /_SERVICE_(HOST|PORT)(_|$)|_PORT($|_\d+_(TCP|UDP|SCTP))/.test(name);
}

/** Attributes whose empty value is an empty credential. */
const CREDENTIAL = /password|username|token|secret|api_?key|credential|auth/i;

interface Use {
  name: string;
  attribute?: string;
}

/** `sys.env("X")` / `env("X")` calls outside `coalesce(...)`, with the attribute they are assigned to. */
export function alloyEnvUses(content: string): Use[] {
  const text = stripComments(content);
  const uses: Use[] = [];
  for (const m of text.matchAll(/(?<![\w.])(?:sys\.)?env\(\s*"([^"]*)"\s*\)/g)) {
    const at = m.index ?? 0;
    // The enclosing call, if any: walk back to the first unbalanced "(".
    let depth = 0;
    let open = -1;
    for (let i = at - 1; i >= 0; i--) {
      const ch = text[i];
      if (ch === ")") depth++;
      else if (ch === "(") {
        if (depth === 0) {
          open = i;
          break;
        }
        depth--;
      } else if (ch === "\n" && depth === 0 && !/[,(+]\s*$/.test(text.slice(Math.max(0, i - 200), i))) break;
    }
    if (open >= 0 && /(?:^|[^\w.])coalesce\s*$/.test(text.slice(Math.max(0, open - 40), open))) continue;
    const line = text.slice(text.lastIndexOf("\n", at) + 1, at);
    const attribute = /([A-Za-z_][\w]*)\s*=(?!=)[^=]*$/.exec(line)?.[1];
    uses.push({ name: m[1], attribute });
  }
  return uses;
}

/** `${VAR}` / `$VAR` without a default, as drone/envsubst reads them (`$$` is a literal `$`). */
export function envsubstUses(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === "string") {
    const text = node.replace(/\$\$/g, "");
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=+?][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (m[2] && /^:?[-=]/.test(m[2])) continue; // carries a default
      found.add(m[1] ?? m[3]);
    }
  } else if (Array.isArray(node)) node.forEach((item) => envsubstUses(item, found));
  else if (node && typeof node === "object") Object.values(node).forEach((v) => envsubstUses(v, found));
  return found;
}

interface Env {
  /** Names the container defines. */
  names: Set<string>;
  /** Where they come from, for the message. */
  sources: string[];
  /** The container cannot be judged (an envFrom source the pack cannot list, or values unknown at preview). */
  open: boolean;
  /** Secret keys an env secretKeyRef names that the declared Secret lacks. */
  missingKeys: string[];
}

function readEnv(stack: StackView, namespace: string, envLists: PropNode[], envFromLists: PropNode[]): Env {
  const env: Env = { names: new Set(), sources: [], open: false, missingKeys: [] };
  for (const list of envLists) {
    const items = list.items();
    if (isUnknown(items)) {
      env.open = true;
      continue;
    }
    for (const item of items ?? []) {
      const name = item.get("name").raw();
      if (typeof name !== "string") continue;
      env.names.add(name);
      const ref = item.get("valueFrom", "secretKeyRef");
      const secret = ref.get("name").raw();
      const key = ref.get("key").raw();
      if (typeof secret !== "string" || typeof key !== "string" || ref.get("optional").raw() === true) continue;
      const keys = declaredKeys(stack, TYPES.kubernetesSecret, namespace, secret);
      if (keys instanceof Set && !keys.has(key))
        env.missingKeys.push(
          `${item.where}: ${name} from Secret "${secret}" key "${key}" (its keys: ${[...keys].sort().join(", ") || "none"})`,
        );
    }
    if ((items ?? []).length > 0) env.sources.push(list.where);
  }
  for (const list of envFromLists) {
    const items = list.items();
    if (isUnknown(items)) {
      env.open = true;
      continue;
    }
    for (const item of items ?? []) {
      const prefix = item.get("prefix").raw();
      const pre = typeof prefix === "string" ? prefix : "";
      for (const [field, type] of [
        ["secretRef", TYPES.kubernetesSecret],
        ["configMapRef", CONFIG_MAP_TYPE],
      ] as const) {
        const name = item.get(field, "name").raw();
        if (typeof name !== "string") continue;
        const keys = declaredKeys(stack, type, namespace, name);
        if (!(keys instanceof Set)) {
          env.open = true; // not declared (W9's concern) or not readable yet: it may define anything
          continue;
        }
        keys.forEach((k) => env.names.add(pre + k));
        env.sources.push(
          `${field} "${name}" (${
            [...keys]
              .sort()
              .map((k) => pre + k)
              .join(", ") || "no keys"
          })`,
        );
      }
    }
  }
  return env;
}

/** Secrets the stack declares in a namespace that have a key named like one of `names`. */
function secretsProviding(stack: StackView, namespace: string, names: string[]): string[] {
  const found: string[] = [];
  for (const secret of stack.ofType(TYPES.kubernetesSecret)) {
    const metadata = secret.props.get("metadata");
    const name = metadata.get("name").raw();
    const ns = metadata.get("namespace").raw();
    if (typeof name !== "string" || (typeof ns === "string" && ns !== "" ? ns : "default") !== namespace) continue;
    const keys = declaredKeys(stack, TYPES.kubernetesSecret, namespace, name);
    if (keys instanceof Set && names.some((n) => keys.has(n))) found.push(name);
  }
  return found;
}

function checkAlloy(stack: StackView, ctx: RuleContext<object>, release: HelmRelease): void {
  const values = release.values;
  // alloy chart _agent.yaml: `mustMergeOverwrite .Values.alloy .Values.agent` (lists replaced whole).
  const pick = (key: string): PropNode =>
    values.at(`agent.${key}`).isPresent ? values.at(`agent.${key}`) : values.at(`alloy.${key}`);
  if (known(pick("configMap.create").boolean()) === false) return; // a config the stack does not show
  const content = known(pick("configMap.content").string());
  if (!content) return;
  const uses = alloyEnvUses(content).filter((u) => !ambient(u.name) && u.name !== "K8S_NODE_NAME");
  const env = readEnv(stack, release.namespace, [pick("extraEnv")], [pick("envFrom")]);
  for (const missing of env.missingKeys) {
    ctx.violation(
      `${release.label}: ${missing} is not a key of that Secret: Kubernetes does not start the Alloy container ` +
        `(CreateContainerConfigError "couldn't find key"), so no Alloy pod runs and no log or metric is collected. ` +
        `Fix: name a key the Secret has, or mark the reference optional.`,
      release.resource.urn,
    );
  }
  if (env.open || uses.length === 0) return;
  const missing = new Map<string, Set<string>>();
  for (const use of uses) {
    if (env.names.has(use.name)) continue;
    if (!missing.has(use.name)) missing.set(use.name, new Set());
    if (use.attribute) missing.get(use.name)!.add(use.attribute);
  }
  if (missing.size === 0) return;
  const names = [...missing.keys()].sort();
  const credential = names.some((n) => CREDENTIAL.test(n) || [...missing.get(n)!].some((a) => CREDENTIAL.test(a)));
  const providers = secretsProviding(stack, release.namespace, names);
  const defined =
    env.sources.length > 0
      ? env.sources.join("; ")
      : "none besides the chart's ALLOY_DEPLOY_MODE, HOSTNAME, K8S_NODE_NAME";
  ctx.violation(
    `${release.label}: the Alloy config (values.alloy.configMap.content) reads ` +
      `${names.map((n) => `sys.env("${n}")${missing.get(n)!.size ? ` (${[...missing.get(n)!].join(", ")})` : ""}`).join(", ")}, ` +
      `but the container does not define ${names.length > 1 ? "them" : "it"} (alloy.extraEnv / alloy.envFrom give: ${defined}). ` +
      `sys.env returns "" for an unset variable (Alloy stdlib sys.md), so ` +
      (credential
        ? `Alloy sends an empty credential: the gateway answers 401, which loki.write and prometheus.remote_write do not retry, and every batch is dropped. `
        : `every attribute built from ${names.length > 1 ? "them" : "it"} is empty (a selector that matches nothing, an empty URL), so Alloy collects or sends nothing there. `) +
      `An override of alloy.envFrom or alloy.extraEnv replaces the program's whole list. Fix: ` +
      (providers.length > 0
        ? `keep { secretRef: { name: ${providers.map((p) => `"${p}"`).join(" / ")} } } in alloy.envFrom next to your entries`
        : `define ${names.join(", ")} in alloy.extraEnv or through alloy.envFrom`) +
      `, or give a default with coalesce(sys.env("…"), "…").`,
    release.resource.urn,
  );
}

function checkLoki(stack: StackView, ctx: RuleContext<object>, release: HelmRelease): void {
  const values = release.values;
  const config = values.at("loki.structuredConfig").raw();
  const storage = values.at("loki.storage").raw();
  if (isUnknown(config) || isUnknown(storage)) return; // judged once known
  const needed = [...envsubstUses([config, storage])]
    .filter((n) => !ambient(n) && !["GOMEMLIMIT", "GOGC", "POD_IP"].includes(n))
    .sort();
  if (needed.length === 0) return;
  const mode = known(values.at("deploymentMode").string()) || LOKI_CHART_DEFAULTS.deploymentMode;
  const components = [
    ...(/Monolithic|SingleBinary/.test(mode) ? LOKI_WORKLOADS.monolithic : []),
    ...(mode.includes("SimpleScalable") ? LOKI_WORKLOADS.simpleScalable : []),
    ...(mode.includes("Distributed") ? LOKI_WORKLOADS.distributed : []),
  ];
  for (const component of components) {
    if (known(values.at(`${component}.replicas`).number()) === 0) continue;
    const env = readEnv(
      stack,
      release.namespace,
      ["global.extraEnv", "defaults.extraEnv", `${component}.extraEnv`].map((p) => values.at(p)),
      ["global.extraEnvFrom", "defaults.extraEnvFrom", `${component}.extraEnvFrom`].map((p) => values.at(p)),
    );
    if (env.open) continue;
    const missing = needed.filter((n) => !env.names.has(n));
    if (missing.length === 0) continue;
    ctx.violation(
      `${release.label}: Loki's config (values.loki.structuredConfig / loki.storage) names ${missing.map((n) => `\${${n}}`).join(", ")}, ` +
        `but the ${component} pods do not define ${missing.length > 1 ? "them" : "it"} (global/defaults/${component}.extraEnv and extraEnvFrom): ` +
        `Loki runs with -config.expand-env=true and drone/envsubst expands an unset variable to "" (pkg/util/cfg/files.go), so the ` +
        `${component} pods run with an empty value there (an empty storage credential: every object-store request is refused). ` +
        `Fix: define ${missing.join(", ")} in global.extraEnv or ${component}.extraEnv (or extraEnvFrom a Secret that has ${missing.length > 1 ? "them" : "it"}), ` +
        `or write \${NAME:-default}.`,
      release.resource.urn,
    );
  }
}

export const alloyLokiConfigEnvDefined = stackRule<object>(
  {
    name: "alloy-loki-config-env-defined",
    rule: "W10",
    description:
      "Every environment variable the Alloy config reads (sys.env) and Loki's config expands (${VAR}) is defined in the containers that load it, and env secretKeyRefs name keys their Secrets have",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "When overriding alloy.envFrom / alloy.extraEnv (or Loki's extraEnv / extraEnvFrom), repeat the program's entries (the Secrets alloy-mimir-auth and alloy-loki-auth); define every variable a config reads, or give it a default (coalesce(sys.env(...), ...) in Alloy, ${VAR:-default} in Loki).",
    url: "https://grafana.com/docs/alloy/latest/reference/stdlib/sys/ (sys.env returns an empty string for an unset variable)",
    tags: ["alloy", "loki", "wiring", "secrets"],
  },
  (stack, ctx) => {
    for (const release of stack.helmReleases(CHARTS.alloy)) checkAlloy(stack, ctx, release);
    for (const loki of lokiReleases(stack)) checkLoki(stack, ctx, loki.release);
  },
);
