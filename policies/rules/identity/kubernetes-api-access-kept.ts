// I4: a release whose pods call the Kubernetes API must keep the service account and RBAC that let them, unless the
// stack declares its own. Kubernetes RBAC denies what no binding grants (Kubernetes docs, "Using RBAC Authorization":
// "there are no deny rules"; the API answers 403 Forbidden), and the ServiceAccount admission plugin rejects a pod
// whose service account does not exist (k8s.io/kubernetes plugin/pkg/admission/serviceaccount NewServiceAccount: "It
// ensures the ServiceAccount referenced by the pod exists"), so the workload controller never gets a pod running.
//
// The charts' values that stop the RBAC or the account (each template condition read in the chart source):
// - alloy 1.11.1 (grafana/alloy tag helm-chart/1.11.1, operations/helm/charts/alloy): templates/rbac.yaml
//   `{{- if .Values.rbac.create }}` renders the ClusterRole/Binding (Roles with rbac.namespaces) whose rules values.yaml
//   lists per component ("Rules required for the `discovery.kubernetes` component", loki.source.kubernetes,
//   loki.source.podlogs, mimir.rules.kubernetes, mimir.alerts.kubernetes, prometheus.operator.*,
//   loki.source.kubernetes_events, remote.kubernetes.*, otelcol.processor.k8sattributes, discovery.kubelet). Without it
//   those components' informers get 403 and never sync (internal/component/loki/source/kubernetes_events
//   event_controller.go runError: "informer caches failed to sync"): no target is discovered and no event is read,
//   while the rest of the pipeline runs - silent loss. Judged only when alloy.configMap.content uses one of them.
//   templates/serviceaccount.yaml `{{- if .Values.serviceAccount.create -}}`; the pod runs as
//   _helpers.tpl `alloy.serviceAccountName` (serviceAccount.name, else "default" when create is false).
// - strimzi-kafka-operator 1.2.0 (strimzi/strimzi-kafka-operator tag 1.2.0, packaging/helm-charts/helm3/...):
//   the RoleBindings 020/022/023/031 render under `{{- if .Values.rbac.create }}`, the ClusterRoles they refer to
//   (strimzi-cluster-operator-namespaced, -leader-election, -watched, strimzi-entity-operator, ...) and the
//   ClusterRoleBindings 021/030/033 under `{{- if and .Values.rbac.create .Values.createGlobalResources }}`; the
//   Deployment runs as `.Values.serviceAccount` (default "strimzi-cluster-operator"), created only with
//   `{{- if .Values.serviceAccountCreate }}` (010-ServiceAccount). Without its permissions the Cluster Operator
//   cannot read or write Kafka, KafkaNodePool, KafkaTopic or KafkaUser resources nor the pods it runs for them.
// - kube-prometheus-stack 88.5.3 (prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3):
//   templates/prometheus-operator/clusterrole(binding).yaml `{{- if and .Values.prometheusOperator.enabled
//   .Values.global.rbac.create }}`, templates/prometheus/clusterrole(binding).yaml `{{- if and .Values.prometheus.enabled
//   .Values.global.rbac.create }}` (the rules Prometheus' kubernetes_sd needs for every ServiceMonitor), and the
//   admission-webhooks/job-patch Role/ClusterRole/bindings `... .Values.global.rbac.create ...` for the
//   pre-install,pre-upgrade hook Jobs that run as "<fullname>-admission" (job-createSecret.yaml), created only with
//   prometheusOperator.admissionWebhooks.patch.serviceAccount.create. The operator, Prometheus and Alertmanager run as
//   _helpers.tpl `kube-prometheus-stack.{operator,prometheus,alertmanager}.serviceAccountName` (<section>.serviceAccount.name,
//   else "default" when create is false). The kube-state-metrics 8.4.0 subchart does not read global.rbac: its
//   clusterrolebinding.yaml renders under `{{- if and .Values.rbac.create .Values.rbac.useClusterRole -}}` and
//   rolebinding.yaml under rbac.create; it runs as _helpers.tpl `kube-state-metrics.serviceAccountName`. The grafana
//   12.11.1 subchart (grafana-community/helm-charts) binds its sidecars' role under `.Values.rbac.create`.
//   What each does without it is INFERRED from the roles' rules (not run): the operator lists/watches its CRs and
//   creates StatefulSets (its ClusterRole), Prometheus' kubernetes_sd lists endpoints/pods/services, kube-state-metrics
//   lists every object it exports, each through client-go informers that log the 403 and retry, exporting nothing;
//   the grafana sidecar (kiwigrid/k8s-sidecar src/resources.py `_watch_resource_loop`) logs the ApiException and retries.
//
// Accepted: a RoleBinding/ClusterRoleBinding of this stack with a ServiceAccount subject in the release's namespace
// (the operator supplies the RBAC), or, for a missing account, a ServiceAccount of that name the stack declares.
import { stripComments } from "../../lib/alloy";
import { kubePrometheusStackFullname } from "../../lib/chart-names";
import { PropNode } from "../../lib/node";
import { stackRule } from "../../lib/policy";
import { HelmRelease, StackResource, StackView } from "../../lib/stack";
import { CHARTS } from "../../lib/types";
import { Inconclusive, isUnknown, Unknown } from "../../lib/unknown";
import { eachKnown } from "./common";

// @pulumi/kubernetes 4.34 `__pulumiType`.
const K8S = {
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
} as const;

/**
 * Alloy components that call the Kubernetes API, as the alloy chart's values.yaml rbac.rules/clusterRules comments
 * name them ("Rules required for the `<component>` component").
 */
const ALLOY_API_COMPONENT =
  /(?:^|[^\w.])((?:discovery\.kubernetes|discovery\.kubelet|loki\.source\.kubernetes(?:_events)?|loki\.source\.podlogs|prometheus\.operator\.(?:podmonitors|servicemonitors|probes|scrapeconfigs)|mimir\.rules\.kubernetes|mimir\.alerts\.kubernetes|remote\.kubernetes\.(?:configmap|secret)|otelcol\.processor\.k8sattributes))\s+"[^"]*"\s*\{/g;

/** Go template truth of a value (false, 0, "", empty list or map are false); absent or null gives the chart default. */
function helmTruthy(node: PropNode, chartDefault: boolean): boolean {
  const raw = node.raw();
  if (isUnknown(raw)) throw new Inconclusive(raw);
  if (raw === undefined || raw === null) return chartDefault;
  if (Array.isArray(raw)) return raw.length > 0;
  if (typeof raw === "object") return Object.keys(raw).length > 0;
  return raw !== false && raw !== 0 && raw !== "";
}

/** The value as written, for messages. */
function shown(node: PropNode): string {
  return `${node.where}=${JSON.stringify(node.raw())}`;
}

/** A set, non-empty string value (Helm's `default` treats "" as unset); undefined when absent. */
function setName(node: PropNode): string | undefined {
  const raw = node.raw();
  if (isUnknown(raw)) throw new Inconclusive(raw);
  return typeof raw === "string" && raw !== "" ? raw : undefined;
}

function metaText(resource: StackResource, key: string): string | Unknown | undefined {
  const node = resource.props.get("metadata", key);
  if (node.isUnknown) return node.unknown();
  const raw = node.raw();
  return typeof raw === "string" ? raw : undefined;
}

/**
 * A RoleBinding or ClusterRoleBinding of this stack with a ServiceAccount subject in `namespace`. A subject without a
 * namespace in a RoleBinding means the binding's own (k8s.io/kubernetes pkg/registry/rbac/validation/rule.go
 * appliesToUser: "default the namespace to namespace we're working in").
 */
function bindingFor(stack: StackView, namespace: string): StackResource | undefined {
  let undecided: Unknown | undefined;
  for (const type of [K8S.roleBinding, K8S.clusterRoleBinding]) {
    for (const binding of stack.ofType(type)) {
      const subjects = binding.props.get("subjects");
      if (subjects.isUnknown) {
        undecided ??= subjects.unknown();
        continue;
      }
      const items = subjects.items();
      if (isUnknown(items)) {
        undecided ??= items;
        continue;
      }
      for (const subject of items ?? []) {
        const kind = subject.get("kind").raw();
        const ns = subject.get("namespace").raw();
        if (isUnknown(kind) || isUnknown(ns)) {
          undecided ??= subject.unknown();
          continue;
        }
        if (kind !== "ServiceAccount") continue;
        let subjectNamespace: string | Unknown | undefined = typeof ns === "string" && ns !== "" ? ns : undefined;
        if (subjectNamespace === undefined && type === K8S.roleBinding) {
          subjectNamespace = metaText(binding, "namespace") ?? "default";
        }
        if (isUnknown(subjectNamespace)) undecided ??= subjectNamespace;
        else if (subjectNamespace === namespace) return binding;
      }
    }
  }
  if (undecided) throw new Inconclusive(undecided);
  return undefined;
}

/** Whether the stack declares an object of `type` with this name (and namespace, for a namespaced one). */
function declared(stack: StackView, type: string, name: string, namespace?: string): boolean {
  let undecided: Unknown | undefined;
  for (const resource of stack.ofType(type)) {
    const own = metaText(resource, "name");
    const ns = namespace === undefined ? namespace : (metaText(resource, "namespace") ?? "default");
    if (isUnknown(own)) undecided ??= own;
    else if (isUnknown(ns)) undecided ??= ns;
    else if (own === name && ns === namespace) return true;
  }
  if (undecided) throw new Inconclusive(undecided);
  return false;
}

/** kube-prometheus-stack's fullname (policies/lib/chart-names.ts). */
function kpsFullname(release: HelmRelease): string {
  const name = kubePrometheusStackFullname(release);
  if (isUnknown(name)) throw new Inconclusive(name);
  return name;
}

interface Gap {
  /** The setting, as written: `alloy release "alloy" values.rbac.create=false`. */
  readonly setting: string;
  /** What breaks and how (ends with the consequence class). */
  readonly consequence: string;
  readonly fix: string;
  /** The stack supplies what the chart no longer renders. */
  readonly supplied: () => boolean;
  readonly advisory?: true;
}

/**
 * A `<section>.serviceAccount.create: false` that leaves the pods naming an account nothing creates: the chart then
 * runs them as `<section>.serviceAccount.name`, or as the namespace's "default" account when that is unset (which
 * always exists, so that case is fine).
 */
function missingAccount(
  stack: StackView,
  release: HelmRelease,
  section: PropNode,
  pods: string,
  consequence: string,
): Gap | undefined {
  const create = section.get("create");
  if (helmTruthy(create, true)) return undefined;
  const name = setName(section.get("name"));
  if (name === undefined || name === "default") return undefined;
  return {
    setting: `${shown(create)}, ${section.get("name").pathText}=${JSON.stringify(name)}`,
    consequence:
      `${pods} run as service account "${release.namespace}/${name}", which the chart no longer creates and this stack does not declare: ` +
      `the ServiceAccount admission plugin rejects every such pod, so ${consequence}`,
    fix: `keep ${create.pathText.replace(/^values\.?/, "")}: true, or declare ServiceAccount "${name}" in namespace ${release.namespace} (with the RBAC it needs)`,
    supplied: () => declared(stack, K8S.serviceAccount, name, release.namespace),
  };
}

function alloyGaps(stack: StackView, release: HelmRelease): Gap[] {
  const values = release.values;
  const gaps: Gap[] = [];
  const account = missingAccount(
    stack,
    release,
    values.get("serviceAccount"),
    "The Alloy pods",
    "Alloy never runs and collects nothing (pods never start).",
  );
  if (account) gaps.push(account);
  const rbac = values.get("rbac", "create");
  if (helmTruthy(rbac, true)) return gaps;
  const content = values.at("alloy.configMap.content").raw();
  if (isUnknown(content)) throw new Inconclusive(content);
  if (typeof content !== "string") return gaps;
  const used = [...new Set([...stripComments(content).matchAll(ALLOY_API_COMPONENT)].map((m) => m[1]))];
  if (used.length === 0) return gaps;
  gaps.push({
    setting: shown(rbac),
    consequence:
      `the chart renders no ClusterRole or binding for the Alloy service account, but values.alloy.configMap.content uses ${used.join(", ")}, ` +
      `which read the Kubernetes API: every call gets 403 Forbidden, their informers never sync, and Alloy discovers no target and reads no ` +
      `event or pod log while the rest of its pipeline runs (silent loss).`,
    fix: `keep rbac.create: true, or declare a ClusterRoleBinding granting the Alloy service account in namespace ${release.namespace} the rules of the chart's values.yaml rbac.rules`,
    supplied: () => bindingFor(stack, release.namespace) !== undefined,
  });
  return gaps;
}

const STRIMZI_ROLE = "strimzi-cluster-operator-namespaced";

function strimziGaps(stack: StackView, release: HelmRelease): Gap[] {
  const values = release.values;
  const gaps: Gap[] = [];
  const crs = (["Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"] as const).flatMap((kind) =>
    stack.strimzi(kind).map((r) => `${kind} "${r.name}"`),
  );
  const stranded =
    crs.length > 0
      ? `it cannot reconcile ${crs.join(", ")}: no broker, topic, user or ACL is created or updated, and Mimir's writes fail`
      : `it cannot reconcile any Kafka, KafkaNodePool, KafkaTopic or KafkaUser`;
  const accountName = setName(values.get("serviceAccount")) ?? "strimzi-cluster-operator";
  const create = values.get("serviceAccountCreate");
  if (!helmTruthy(create, true) && accountName !== "default") {
    gaps.push({
      setting: shown(create),
      consequence:
        `the Cluster Operator runs as service account "${release.namespace}/${accountName}" (values serviceAccount), which the chart no longer creates ` +
        `and this stack does not declare: the ServiceAccount admission plugin rejects its pod, so the operator never runs and ${stranded}.`,
      fix: `keep serviceAccountCreate: true, or declare ServiceAccount "${accountName}" in namespace ${release.namespace}`,
      supplied: () => declared(stack, K8S.serviceAccount, accountName, release.namespace),
    });
  }
  const rbac = values.get("rbac", "create");
  if (!helmTruthy(rbac, true)) {
    gaps.push({
      setting: shown(rbac),
      consequence:
        `the chart renders none of the Cluster Operator's ClusterRoles, RoleBindings or ClusterRoleBindings, so its service account may read or ` +
        `write nothing: the operator gets 403 Forbidden on every call and ${stranded} (operator stopped).`,
      fix: `keep rbac.create: true, or declare the bindings of the chart's templates 020-033 for service account ${release.namespace}/${accountName}`,
      supplied: () => bindingFor(stack, release.namespace) !== undefined,
    });
    return gaps;
  }
  const global = values.get("createGlobalResources");
  if (!helmTruthy(global, true)) {
    const otherCreates = () =>
      stack
        .helmReleases(CHARTS.strimzi)
        .some(
          (r) =>
            r.resource.urn !== release.resource.urn &&
            helmTruthy(r.values.get("rbac", "create"), true) &&
            helmTruthy(r.values.get("createGlobalResources"), true),
        );
    gaps.push({
      setting: shown(global),
      consequence:
        `the chart still binds the Cluster Operator to ClusterRoles ${STRIMZI_ROLE}, strimzi-cluster-operator-watched, ` +
        `strimzi-cluster-operator-leader-election and strimzi-entity-operator, but renders them only with createGlobalResources, and no ` +
        `release or resource of this stack declares them: a binding to a missing role grants nothing, so ${stranded} (operator stopped).`,
      fix: `keep createGlobalResources: true, or declare ClusterRole "${STRIMZI_ROLE}" and the other cluster-scoped resources of the chart in this stack`,
      supplied: () =>
        declared(stack, K8S.clusterRole, STRIMZI_ROLE) ||
        otherCreates() ||
        bindingFor(stack, release.namespace) !== undefined,
    });
  }
  return gaps;
}

function kubePrometheusStackGaps(stack: StackView, release: HelmRelease): Gap[] {
  const values = release.values;
  const gaps: Gap[] = [];
  const operatorOn = helmTruthy(values.at("prometheusOperator.enabled"), true);
  const prometheusOn = helmTruthy(values.at("prometheus.enabled"), true);
  const alertmanagerOn = helmTruthy(values.at("alertmanager.enabled"), true);
  const webhooks = values.at("prometheusOperator.admissionWebhooks");
  const patchJobs =
    operatorOn &&
    helmTruthy(webhooks.get("enabled"), true) &&
    helmTruthy(webhooks.at("patch.enabled"), true) &&
    !helmTruthy(webhooks.at("certManager.enabled"), false);
  const bound = () => bindingFor(stack, release.namespace) !== undefined;

  const rbac = values.at("global.rbac.create");
  if (!helmTruthy(rbac, true) && (operatorOn || prometheusOn)) {
    const lost = [
      operatorOn
        ? "the Prometheus Operator may not watch its custom resources nor create the StatefulSets, so no Prometheus or Alertmanager is deployed"
        : undefined,
      prometheusOn
        ? "Prometheus' kubernetes_sd gets 403 Forbidden for the endpoints, pods and services of every ServiceMonitor, so it scrapes no target and sends Mimir nothing"
        : undefined,
      patchJobs
        ? "the admission-webhook Jobs (pre-install/pre-upgrade hooks) may not create their Secret, so the hook fails and the release with it"
        : undefined,
    ].filter((s): s is string => s !== undefined);
    gaps.push({
      setting: shown(rbac),
      consequence: `the chart renders no ClusterRole or binding for the operator, Prometheus or the webhook Jobs: ${lost.join("; ")} (silent loss of every metric, or a failed release).`,
      fix: `keep global.rbac.create: true, or declare ClusterRoleBindings for the operator's and Prometheus' service accounts in namespace ${release.namespace}`,
      supplied: bound,
    });
  }

  const sections: Array<[boolean, string, string, string]> = [
    [
      operatorOn,
      "prometheusOperator",
      "The Prometheus Operator pods",
      "no Prometheus or Alertmanager is ever deployed (operator stopped).",
    ],
    [
      operatorOn && prometheusOn,
      "prometheus",
      "The Prometheus pods",
      "the StatefulSet runs no Prometheus and no metric is scraped or sent to Mimir (silent loss).",
    ],
    [
      operatorOn && alertmanagerOn,
      "alertmanager",
      "The Alertmanager pods",
      "the StatefulSet runs no Alertmanager and no alert is delivered.",
    ],
  ];
  for (const [on, key, pods, consequence] of sections) {
    if (!on) continue;
    const gap = missingAccount(stack, release, values.get(key, "serviceAccount"), pods, consequence);
    if (gap) gaps.push(gap);
  }

  const patchAccount = webhooks.at("patch.serviceAccount.create");
  if (patchJobs && !helmTruthy(patchAccount, true)) {
    const name = `${kpsFullname(release)}-admission`;
    gaps.push({
      setting: shown(patchAccount),
      consequence:
        `the admission-webhook Jobs (helm.sh/hook pre-install,pre-upgrade) always run as service account "${release.namespace}/${name}", ` +
        `which the chart then does not create and this stack does not declare: their pods are rejected, the hook fails and so does the release.`,
      fix: `keep prometheusOperator.admissionWebhooks.patch.serviceAccount.create: true, or declare ServiceAccount "${name}" in namespace ${release.namespace}`,
      supplied: () => declared(stack, K8S.serviceAccount, name, release.namespace),
    });
  }

  if (helmTruthy(values.at("kubeStateMetrics.enabled"), true)) {
    const ksm = values.get("kube-state-metrics");
    const ksmRbac = ksm.at("rbac.create");
    if (!helmTruthy(ksmRbac, true)) {
      gaps.push({
        setting: shown(ksmRbac),
        consequence:
          `the kube-state-metrics subchart renders no ClusterRole or binding, so its list and watch calls get 403 Forbidden and it exports ` +
          `no kube_* series: every dashboard and alert on pod, deployment or node state goes blank without an error (silent loss).`,
        fix: `keep kube-state-metrics.rbac.create: true, or declare a ClusterRoleBinding for its service account in namespace ${release.namespace}`,
        supplied: bound,
      });
    }
    const gap = missingAccount(
      stack,
      release,
      ksm.get("serviceAccount"),
      "The kube-state-metrics pods",
      "no kube_* series is exported (silent loss).",
    );
    if (gap) gaps.push(gap);
  }

  if (helmTruthy(values.at("grafana.enabled"), true)) {
    const grafanaRbac = values.at("grafana.rbac.create");
    const sidecars =
      helmTruthy(values.at("grafana.sidecar.datasources.enabled"), true) ||
      helmTruthy(values.at("grafana.sidecar.dashboards.enabled"), true);
    if (!helmTruthy(grafanaRbac, true) && sidecars) {
      gaps.push({
        setting: shown(grafanaRbac),
        consequence:
          `the grafana subchart renders no role for its sidecars, which list the datasource and dashboard ConfigMaps through the API: ` +
          `they get 403 Forbidden and retry, so Grafana starts without the stack's datasources and dashboards (no data is lost).`,
        fix: `keep grafana.rbac.create: true, or declare a binding for Grafana's service account in namespace ${release.namespace}`,
        supplied: bound,
        advisory: true,
      });
    }
  }
  return gaps;
}

export const kubernetesApiAccessKept = stackRule<object>(
  {
    name: "kubernetes-api-access-kept",
    rule: "I4",
    description:
      "A release whose pods call the Kubernetes API (Alloy's Kubernetes components, the Strimzi and Prometheus operators, Prometheus, kube-state-metrics) must keep the service account and RBAC its chart creates, or the stack must declare them",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Keep the chart's rbac.create / global.rbac.create / createGlobalResources / serviceAccount.create at their defaults, or declare the ServiceAccount and a RoleBinding/ClusterRoleBinding for it in the release's namespace in this stack.",
    url: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
    tags: ["identity", "alloy", "kafka", "prometheus"],
  },
  (stack, ctx) => {
    const judged: Array<[HelmRelease, (stack: StackView, release: HelmRelease) => Gap[]]> = [
      ...stack.helmReleases(CHARTS.alloy).map((r) => [r, alloyGaps] as [HelmRelease, typeof alloyGaps]),
      ...stack.helmReleases(CHARTS.strimzi).map((r) => [r, strimziGaps] as [HelmRelease, typeof strimziGaps]),
      ...stack
        .helmReleases(CHARTS.kubePrometheusStack)
        .map((r) => [r, kubePrometheusStackGaps] as [HelmRelease, typeof kubePrometheusStackGaps]),
    ];
    eachKnown(ctx, judged, ([release, gapsOf]) => {
      for (const gap of gapsOf(stack, release)) {
        let supplied: boolean;
        try {
          supplied = gap.supplied();
        } catch (error) {
          if (error instanceof Inconclusive) {
            ctx.inconclusive(error.unknown);
            continue;
          }
          throw error;
        }
        if (supplied) continue;
        const message = `${gap.setting}: ${gap.consequence} Fix: ${gap.fix}.`;
        if (gap.advisory) ctx.advisory(message, release.resource.urn);
        else ctx.violation(message, release.resource.urn);
      }
    });
  },
);
