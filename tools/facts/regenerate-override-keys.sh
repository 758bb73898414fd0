#!/usr/bin/env bash
# Regenerates settings/overrides/accepted/*.json from the pinned charts and CRDs (never committed here).
# Usage: regenerate-override-keys.sh WORK_DIR STRIMZI_CRD_DIR MIMIR_VALUES_5_7_0
#   WORK_DIR           scratch folder for the chart sources
#   STRIMZI_CRD_DIR    Strimzi 1.2.0 install/cluster-operator CRDs (040-Crd-kafka.yaml, 043-Crd-kafkatopic.yaml)
#   MIMIR_VALUES_5_7_0 grafana/mimir operations/helm/charts/mimir-distributed/values.yaml at commit 5c776e4
# Needs git clones of the chart repositories: set GRAFANA_COMMUNITY_CHARTS, PROMETHEUS_COMMUNITY_CHARTS, ALLOY_REPO
# and STRIMZI_REPO to their paths. For the keys of Loki's and Mimir's own config file (loki-config.json,
# mimir-config.json): LOKI_REPO, a grafana/loki clone with its release tags, and MIMIR_CONFIG_DESCRIPTOR, grafana/mimir
# cmd/mimir/config-descriptor.json of April 2025 (patched to 3.0.4 by tools/facts/mimir-3.0.4-config.patch.json).
set -euo pipefail
work=$1 crds=$2 mimir_values=$3
here=$(cd "$(dirname "$0")" && pwd)
extract="node $here/extract-override-keys.js"
mkdir -p "$work" && cd "$work"

unpack() { # repo tag path dest
  rm -rf "$4" && mkdir -p "$4" && git -C "$1" archive "$2" "$3" | tar -x --strip-components="$(awk -F/ '{print NF}' <<<"$3")" -C "$4"
}
unpack "$GRAFANA_COMMUNITY_CHARTS" loki-18.11.0 charts/loki loki
unpack "$PROMETHEUS_COMMUNITY_CHARTS" kube-prometheus-stack-88.5.3 charts/kube-prometheus-stack kps
unpack "$ALLOY_REPO" helm-chart/1.11.1 operations/helm/charts/alloy alloy
unpack "$STRIMZI_REPO" 1.2.0 packaging/helm-charts/helm3/strimzi-kafka-operator strimzi

$extract chart loki "loki chart 18.11.0 (grafana-community/helm-charts tag loki-18.11.0): values.yaml and templates" loki
$extract chart kubePrometheusStack "kube-prometheus-stack chart 88.5.3 (prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3): values.yaml and templates" kps
$extract chart alloy "alloy chart 1.11.1 (grafana/alloy tag helm-chart/1.11.1): values.yaml and templates" alloy
$extract chart strimzi "strimzi-kafka-operator chart 1.2.0 (strimzi/strimzi-kafka-operator tag 1.2.0, packaging/helm-charts/helm3): values.yaml (the templates are generated at release)" strimzi
$extract crd kafkaCluster "Strimzi 1.2.0 CRD 040-Crd-kafka.yaml, Kafka kafka.strimzi.io/v1 spec" "$crds/040-Crd-kafka.yaml" v1
$extract crd kafkaTopic "Strimzi 1.2.0 CRD 043-Crd-kafkatopic.yaml, KafkaTopic kafka.strimzi.io/v1 spec" "$crds/043-Crd-kafkatopic.yaml" v1

mkdir -p mimir && cp "$mimir_values" mimir/values.yaml
cat >mimir/Chart.yaml <<'CHART'
apiVersion: v2
name: mimir-distributed
version: 5.7.0
dependencies:
  - { name: minio, alias: minio }
  - { name: grafana-agent-operator, alias: grafana-agent-operator }
  - { name: rollout-operator, alias: rollout_operator }
CHART
$extract chart mimir "mimir-distributed chart 6.0.6, approximated: the 5.7.0 values.yaml (grafana/mimir commit 5c776e4) changed as the chart CHANGELOG says for 5.8.0-6.0.6 (tools/facts/mimir-distributed-6.0.6.patch.json); checked two levels deep" mimir --patch "$here/mimir-distributed-6.0.6.patch.json"

# Loki 3.7.6 (the loki chart 18.11.0's appVersion); the older tags only date the keys 3.7.6 no longer has.
node "$here/extract-config-keys.js" loki "$LOKI_REPO" v3.7.6 v2.9.17 v3.0.0 v3.1.0 v3.2.0 v3.3.0 v3.4.0 v3.5.0 v3.6.0 v3.7.0
node "$here/extract-config-keys.js" mimir "$MIMIR_CONFIG_DESCRIPTOR" "$here/mimir-3.0.4-config.patch.json"
