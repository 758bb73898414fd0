#!/usr/bin/env bash
# Regenerates policies/lib/charts/chart-crd-kinds.json: the kinds the pinned charts render from API groups a cluster
# does not serve by itself (tools/facts/extract-chart-crd-kinds.js), keeping the model/note of unchanged entries.
# Usage: regenerate-chart-crd-kinds.sh WORK_DIR
# Needs git clones (bare is fine): GRAFANA_COMMUNITY_CHARTS, PROMETHEUS_COMMUNITY_CHARTS, ALLOY_REPO.
# mimir-distributed 6.0.6 (grafana/mimir, too large to fetch here) is not scanned: its entries were entered by hand
# from the templates the search index stores (templates/*/*-so.yaml, *-servmon.yaml, metamonitoring/*,
# gateway/gateway-route.yaml). With a clone (MIMIR_REPO), add:
#   unpack "$MIMIR_REPO" mimir-distributed-6.0.6 operations/helm/charts/mimir-distributed mimir
#   add mimir mimir-distributed 6.0.6 "grafana/mimir tag mimir-distributed-6.0.6 operations/helm/charts/mimir-distributed (templates)"
set -euo pipefail
work=$1
here=$(cd "$(dirname "$0")" && pwd)
facts="$here/../../policies/lib/charts/chart-crd-kinds.json"
mkdir -p "$work" && cd "$work"
unpack() { # repo tag path dest
  rm -rf "$4" && mkdir -p "$4" && git --git-dir "$1" archive "$2" "$3" | tar -x --strip-components="$(awk -F/ '{print NF}' <<<"$3")" -C "$4"
}
add() { # dir chart version source
  node "$here/extract-chart-crd-kinds.js" "$1" --into "$facts" --chart "$2" --version "$3" --source "$4"
}
unpack "$GRAFANA_COMMUNITY_CHARTS" loki-18.11.0 charts/loki loki
unpack "$ALLOY_REPO" helm-chart/1.11.1 operations/helm/charts/alloy alloy
unpack "$PROMETHEUS_COMMUNITY_CHARTS" kube-prometheus-stack-88.5.3 charts/kube-prometheus-stack kps
add loki loki 18.11.0 "grafana-community/helm-charts tag loki-18.11.0 charts/loki (templates)"
add alloy alloy 1.11.1 "grafana/alloy tag helm-chart/1.11.1 operations/helm/charts/alloy (templates)"
add kps kube-prometheus-stack 88.5.3 "prometheus-community/helm-charts tag kube-prometheus-stack-88.5.3 charts/kube-prometheus-stack (templates; subcharts grafana, kube-state-metrics, prometheus-node-exporter are fetched at packaging, not scanned)"
