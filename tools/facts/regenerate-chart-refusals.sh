#!/usr/bin/env bash
# Regenerates policies/lib/charts/chart-refusals.json: every `fail`/`required` in the pinned charts' templates
# (tools/facts/extract-chart-refusals.js), keeping the predicate/unreachable notes of unchanged entries.
# Usage: regenerate-chart-refusals.sh WORK_DIR
# Needs git clones (bare is fine) of the chart repositories: GRAFANA_COMMUNITY_CHARTS, PROMETHEUS_COMMUNITY_CHARTS,
# ALLOY_REPO, STRIMZI_REPO, AUTOSCALER_REPO. mimir-distributed 6.0.6 (grafana/mimir, too large to fetch here) is not
# scanned by this script: its entries were made by hand-copying templates/validate.yaml as the search index stores it
# at grafana/mimir commit 4fa848c4fcbcd56163b5dcb92becd618421902d7 (read_file; no commit at tag mimir-distributed-6.0.6
# is in the index) into DIR/templates/validate.yaml and running `node extract-chart-refusals.js DIR`, then
# templates/_helpers.tpl at commit 01064b3a31821d6fc7bfe49809eafdca4918c42a into DIR2/templates/ and running
# `node extract-chart-refusals.js DIR2 --into ... --chart mimir-distributed --version 6.0.6 --source ... --keep-unscanned`
# (the chart's source note in the JSON was then written by hand); the predicate and unreachable notes were added per
# entry. The other templates are not scanned. With a clone (MIMIR_REPO), replace that by:
#   unpack "$MIMIR_REPO" mimir-distributed-6.0.6 operations/helm/charts/mimir-distributed mimir
#   add mimir mimir-distributed 6.0.6 "grafana/mimir tag mimir-distributed-6.0.6 operations/helm/charts/mimir-distributed (templates)"
# (the `into` step keeps the notes of entries whose file and message are unchanged; new ones need a predicate).
set -euo pipefail
work=$1
here=$(cd "$(dirname "$0")" && pwd)
facts="$here/../../policies/lib/charts/chart-refusals.json"
mkdir -p "$work" && cd "$work"

unpack() { # repo tag path dest
  rm -rf "$4" && mkdir -p "$4" && git --git-dir "$1" archive "$2" "$3" | tar -x --strip-components="$(awk -F/ '{print NF}' <<<"$3")" -C "$4"
}
add() { # dir chart version source
  node "$here/extract-chart-refusals.js" "$1" --into "$facts" --chart "$2" --version "$3" --source "$4"
}
unpack "$GRAFANA_COMMUNITY_CHARTS" loki-18.11.0 charts/loki loki
unpack "$PROMETHEUS_COMMUNITY_CHARTS" kube-prometheus-stack-88.5.3 charts/kube-prometheus-stack kps
# kube-prometheus-stack's subcharts are fetched at packaging (Chart.yaml dependencies at kube-prometheus-stack-88.5.3:
# grafana 12.11.1 from grafana-community, kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1 and
# prometheus-windows-exporter 0.12.* from prometheus-community; 0.12.8, 2026-07-22, is the last 0.12 tag, before the
# 88.5.3 release of 2026-08-21). Unpacked under kps/charts/ as `helm dependency build` places them, so the extractor
# scans them with the chart (file paths charts/<subchart>/templates/...); their values sit under the subchart's key.
unpack "$GRAFANA_COMMUNITY_CHARTS" grafana-12.11.1 charts/grafana kps/charts/grafana
unpack "$PROMETHEUS_COMMUNITY_CHARTS" kube-state-metrics-8.4.0 charts/kube-state-metrics kps/charts/kube-state-metrics
unpack "$PROMETHEUS_COMMUNITY_CHARTS" prometheus-node-exporter-4.56.1 charts/prometheus-node-exporter kps/charts/prometheus-node-exporter
unpack "$PROMETHEUS_COMMUNITY_CHARTS" prometheus-windows-exporter-0.12.8 charts/prometheus-windows-exporter kps/charts/prometheus-windows-exporter
unpack "$PROMETHEUS_COMMUNITY_CHARTS" prometheus-operator-crds-31.0.1 charts/prometheus-operator-crds crds
unpack "$ALLOY_REPO" helm-chart/1.11.1 operations/helm/charts/alloy alloy
unpack "$STRIMZI_REPO" 1.2.0 packaging/helm-charts/helm3/strimzi-kafka-operator strimzi
unpack "$AUTOSCALER_REPO" cluster-autoscaler-chart-9.59.0 cluster-autoscaler/charts/cluster-autoscaler autoscaler

KPS_SOURCE="prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 (ea930ba) charts/kube-prometheus-stack (templates and charts/crds) with the subcharts its Chart.yaml pins, scanned under charts/<name>/templates: grafana-community/helm-charts tag grafana-12.11.1 (864f779) charts/grafana; prometheus-community/helm-charts tags kube-state-metrics-8.4.0 (1982f1c), prometheus-node-exporter-4.56.1 (8b8e639) and prometheus-windows-exporter-0.12.8 (43a82e9; the pin is 0.12.*, 0.12.8 the last 0.12 tag before the 88.5.3 release)"
add loki loki 18.11.0 "grafana-community/helm-charts tag loki-18.11.0 charts/loki (templates; subcharts minio and rollout-operator are fetched at packaging, not scanned)"
add kps kube-prometheus-stack 88.5.3 "$KPS_SOURCE"
add crds prometheus-operator-crds 31.0.1 "prometheus-community/helm-charts tag prometheus-operator-crds-31.0.1 charts/prometheus-operator-crds (templates and charts/crds)"
add alloy alloy 1.11.1 "grafana/alloy tag helm-chart/1.11.1 operations/helm/charts/alloy (templates and charts/crds)"
add strimzi strimzi-kafka-operator 1.2.0 "strimzi/strimzi-kafka-operator tag 1.2.0 packaging/helm-charts/helm3/strimzi-kafka-operator (templates)"
add autoscaler cluster-autoscaler 9.59.0 "kubernetes/autoscaler tag cluster-autoscaler-chart-9.59.0 cluster-autoscaler/charts/cluster-autoscaler (templates)"
