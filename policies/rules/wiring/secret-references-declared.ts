// W9: every Secret a chart's pods mount or read by name must exist in the release namespace. Kubernetes does not
// start a pod whose secret volume names a missing Secret (the kubelet waits for the volume: "MountVolume.SetUp
// failed ... secret not found"), nor a container whose env secretKeyRef / envFrom secretRef names one unless it is
// `optional: true` (CreateContainerConfigError) (Kubernetes docs, "Secrets": "If the Secret does not exist ... the
// Pod will not start"; EnvVarSource / EnvFromSource `optional`).
// The stack creates its Secrets itself (kubernetes:core/v1:Secret), and the Strimzi User Operator creates one named
// after each KafkaUser in its namespace (Strimzi docs, "Configuring Kafka users": "the User Operator creates a Secret
// with the same name as the KafkaUser"). A Secret created outside the stack is legitimate, so a name the stack does
// not declare is refused only when it looks like a mistake: a near miss of a Secret the stack declares in that
// namespace (edit distance <= 2, or one name contains the other), or while a Secret the stack declares there is
// referenced by nothing (the reference replaced the program's own). Otherwise it is only an advisory reminder.
import { RuleContext, stackRule } from "../../lib/policy";
import { HelmRelease, StackView } from "../../lib/stack";
import { CHARTS, TYPES } from "../../lib/types";
import { isUnknown } from "../../lib/unknown";

interface Ref {
  name: string;
  where: string;
  how: string;
}

/** Levenshtein distance (two-row dynamic programming). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** A declared name the reference looks like a slip of. */
function nearMiss(ref: string, declared: string): boolean {
  if (ref === declared) return false;
  if (editDistance(ref, declared) <= 2) return true;
  const [short, long] = ref.length < declared.length ? [ref, declared] : [declared, ref];
  return short.length >= 6 && long.includes(short);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isUnknown(v);
}

/**
 * Secret references in Kubernetes shapes anywhere in a release's values (the charts pass `env`, `extraEnv`,
 * `extraEnvFrom`, `extraVolumes` of every component through to the pod spec): env `valueFrom.secretKeyRef.name`,
 * envFrom `secretRef.name`, volume `secret.secretName`; `optional: true` ones are skipped.
 */
function walk(value: unknown, path: string, refs: Ref[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, `${path}[${i}]`, refs));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (isObject(child) && child.optional !== true) {
      if (key === "secretKeyRef" && typeof child.name === "string")
        refs.push({ name: child.name, where: `${here}.name`, how: "env secretKeyRef (CreateContainerConfigError)" });
      if (key === "secretRef" && typeof child.name === "string")
        refs.push({ name: child.name, where: `${here}.name`, how: "envFrom secretRef (CreateContainerConfigError)" });
      if (key === "secret" && typeof child.secretName === "string")
        refs.push({ name: child.secretName, where: `${here}.secretName`, how: "secret volume (pod never starts)" });
    }
    walk(child, here, refs);
  }
}

function enabled(values: unknown, path: string[], fallback: boolean): boolean {
  let node: unknown = values;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return typeof node === "boolean" ? node : fallback;
}

function str(values: unknown, path: string[]): string | undefined {
  let node: unknown = values;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return typeof node === "string" && node !== "" ? node : undefined;
}

/** Secret names the charts mount by their own keys. */
function chartRefs(release: HelmRelease, values: unknown): Ref[] {
  const refs: Ref[] = [];
  const mount = "gateway basic-auth secret volume (the gateway pods never start)";
  if (release.chart === CHARTS.loki) {
    // loki 18.11.0 templates/gateway/_helpers.tpl: the gateway's auth secret is `gateway.basicAuth.existingSecret`
    // (default the chart's own, rendered by templates/gateway/secret.yaml only without existingSecret), mounted
    // as a secret volume by the gateway deployment when gateway.basicAuth.enabled (default false).
    const name = str(values, ["gateway", "basicAuth", "existingSecret"]);
    if (
      name &&
      enabled(values, ["gateway", "enabled"], true) &&
      enabled(values, ["gateway", "basicAuth", "enabled"], false)
    )
      refs.push({ name, where: "gateway.basicAuth.existingSecret", how: mount });
  }
  if (release.chart === CHARTS.mimir) {
    // mimir-distributed values.yaml: gateway.nginx.basicAuth.existingSecret "Name of an existing basic auth secret to
    // use instead of gateway.nginx.basicAuth.htpasswd. Must contain '.htpasswd' key", mounted at /etc/nginx/secrets.
    const name = str(values, ["gateway", "nginx", "basicAuth", "existingSecret"]);
    if (name && enabled(values, ["gateway", "nginx", "basicAuth", "enabled"], false))
      refs.push({ name, where: "gateway.nginx.basicAuth.existingSecret", how: mount });
  }
  if (release.chart === CHARTS.kubePrometheusStack) {
    // grafana chart values.yaml: admin.existingSecret is read by the grafana container's env secretKeyRef.
    const name = str(values, ["grafana", "admin", "existingSecret"]);
    if (name && enabled(values, ["grafana", "enabled"], true))
      refs.push({
        name,
        where: "grafana.admin.existingSecret",
        how: "Grafana admin env secretKeyRef (CreateContainerConfigError)",
      });
  }
  return refs;
}

/** Whether any resource but the Secret itself holds its name as a string value (a reference to it). */
function referenced(stack: StackView, secretUrn: string, name: string): boolean {
  const holds = (v: unknown): boolean => {
    if (v === name) return true;
    if (Array.isArray(v)) return v.some(holds);
    if (isObject(v)) return Object.values(v).some(holds);
    return false;
  };
  return stack.resources.some((r) => r.urn !== secretUrn && holds(r.props.raw()));
}

export const secretReferencesDeclared = stackRule<object>(
  {
    name: "secret-references-declared",
    rule: "W9",
    description:
      "Secrets the charts mount or read by name (gateway basicAuth existingSecret, env secretKeyRef, envFrom secretRef, secret volumes) are Secrets the stack declares in the release namespace",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Point the reference at the Secret the stack creates in the release namespace (or remove the override so the program's own name is used); a Secret created outside the stack must exist before the release.",
    url: "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets",
    tags: ["wiring", "secrets"],
  },
  (stack, ctx: RuleContext<object>) => {
    // Declared Secrets per namespace: kubernetes:core/v1:Secret resources and Strimzi KafkaUser-made ones.
    const declared = new Map<string, Map<string, string | undefined>>();
    const add = (ns: string, name: string, urn: string | undefined) => {
      if (!declared.has(ns)) declared.set(ns, new Map());
      declared.get(ns)!.set(name, urn);
    };
    for (const secret of stack.ofType(TYPES.kubernetesSecret)) {
      const meta = secret.props.get("metadata");
      const name = meta.get("name").isUnknown ? undefined : meta.get("name").raw();
      const ns = meta.get("namespace").isUnknown ? undefined : meta.get("namespace").raw();
      if (typeof name !== "string") continue;
      add(typeof ns === "string" && ns ? ns : "default", name, secret.urn);
    }
    for (const user of stack.strimzi("KafkaUser")) if (user.namespace) add(user.namespace, user.name, undefined);

    for (const release of stack.helmReleases()) {
      const values = release.values.raw();
      if (isUnknown(values)) continue;
      const refs = chartRefs(release, values);
      walk(values, "", refs);
      const inNs = declared.get(release.namespace) ?? new Map<string, string | undefined>();
      const seen = new Set<string>();
      for (const ref of refs) {
        if (inNs.has(ref.name) || seen.has(`${ref.where}=${ref.name}`)) continue;
        seen.add(`${ref.where}=${ref.name}`);
        const near = [...inNs.keys()].filter((n) => nearMiss(ref.name, n));
        const orphans = [...inNs.entries()]
          .filter(([n, urn]) => urn !== undefined && !referenced(stack, urn, n))
          .map(([n]) => n);
        const at = `${release.label} values.${ref.where}="${ref.name}"`;
        if (near.length > 0 || orphans.length > 0) {
          const why =
            near.length > 0
              ? `it looks like a slip of the Secret the stack declares there, "${near.join('", "')}"`
              : `while the stack's own Secret "${orphans.join('", "')}" there is referenced by nothing, so the override replaced the program's name`;
          ctx.violation(
            `${at} (${ref.how}) names no Secret the stack declares in namespace ${release.namespace}; ${why}. ` +
              `Kubernetes does not start a pod whose required secret volume or env/envFrom Secret is missing, so these pods stay ` +
              `ContainerCreating / CreateContainerConfigError and the component never runs. Fix: use "${near[0] ?? orphans[0]}" ` +
              `(or remove the override so the program's own Secret is used).`,
            release.resource.urn,
          );
        } else {
          ctx.advisory(
            `${at} (${ref.how}) is not a Secret this stack declares in namespace ${release.namespace}: make sure it exists ` +
              `there before the release, or its pods will not start.`,
            release.resource.urn,
          );
        }
      }
    }
  },
);
