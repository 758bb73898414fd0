// W20 (HARD, every write and query through the gateway): every nginx variable the gateway snippets read is defined.
// - The snippets land in the chart's nginx.conf: httpSnippet in the http block, serverSnippet in the server block, Loki's
//   locationSnippet in every location (lib/gateways.ts; loki 18.11.0 templates/_helpers.tpl loki.nginxFile;
//   mimir-distributed 6.0.x values.yaml gateway.nginx.config.file). Each value is one string: an override of
//   httpSnippet replaces the program's whole snippet, including the map that defines $tenant_credential_mismatch,
//   while the program's serverSnippet, which reads it, stays.
// - nginx checks, once the whole configuration is read, that every variable a directive uses is either built in or
//   defined by a directive (map, set, geo, split_clients, ...); for any other it logs
//   `[emerg] unknown "<name>" variable` and refuses the configuration (nginx src/http/ngx_http_variables.c
//   ngx_http_variables_init_vars, NGX_LOG_EMERG). The gateway container exits at start and crash-loops.
// - Which names are built in: the variables of the modules the official nginx image compiles in (nginx docs,
//   "Alphabetical index of variables", http modules; the charts run nginxinc/nginx-unprivileged / nginx images), the
//   prefix families ($http_*, $arg_*, $cookie_*, $sent_http_*, $upstream_http_*, ...), regex captures ($1..$9 and named
//   captures of a regex in the snippets), and the charts' own maps ($loggable in both charts' nginx.conf; Mimir's
//   $ensured_x_scope_orgid).
import { definedVariables, stripHelmTemplates, stripNginxComments, usedVariables } from "../../lib/nginx";
import { GATEWAYS, gatewaySwitches } from "../../lib/gateways";
import { stackRule } from "../../lib/policy";
import { TENANT_BINDING_HTTP_SNIPPET, TENANT_MISMATCH_VARIABLE } from "../../lib/tenant-binding";
import { CHARTS } from "../../lib/types";

/** nginx http variables the official image knows (nginx docs, alphabetical index of variables, http modules). */
const BUILT_IN = new Set(
  [
    // ngx_http_core_module
    "args binary_remote_addr body_bytes_sent bytes_sent connection connection_requests connection_time content_length",
    "content_type document_root document_uri host hostname https is_args limit_rate msec nginx_version pid pipe",
    "proxy_protocol_addr proxy_protocol_port proxy_protocol_server_addr proxy_protocol_server_port query_string",
    "realpath_root remote_addr remote_port remote_user request request_body request_body_file request_completion",
    "request_filename request_id request_length request_method request_time request_uri scheme server_addr",
    "server_name server_port server_protocol status tcpinfo_rtt tcpinfo_rttvar tcpinfo_snd_cwnd tcpinfo_rcv_space",
    "time_iso8601 time_local uri http2 http3",
    // upstream, proxy, realip, ssl, gzip, limit_*, fastcgi, userid, referer, secure_link, ssi, browser, slice
    "upstream_addr upstream_bytes_received upstream_bytes_sent upstream_cache_status upstream_connect_time",
    "upstream_header_time upstream_last_server_name upstream_queue_time upstream_response_length",
    "upstream_response_time upstream_status proxy_host proxy_port proxy_add_x_forwarded_for realip_remote_addr",
    "realip_remote_port ssl_cipher ssl_ciphers ssl_client_cert ssl_client_escaped_cert ssl_client_fingerprint",
    "ssl_client_i_dn ssl_client_i_dn_legacy ssl_client_raw_cert ssl_client_s_dn ssl_client_s_dn_legacy",
    "ssl_client_serial ssl_client_v_end ssl_client_v_remain ssl_client_v_start ssl_client_verify ssl_curve",
    "ssl_curves ssl_early_data ssl_protocol ssl_server_name ssl_session_id ssl_session_reused ssl_sigalg",
    "ssl_client_sigalg ssl_alpn_protocol gzip_ratio limit_conn_status limit_req_status fastcgi_path_info fastcgi_script_name",
    "uid_got uid_reset uid_set invalid_referer secure_link secure_link_expires date_gmt date_local",
    "ancient_browser modern_browser msie slice_range",
    // ngx_http_stub_status_module (the official image builds it: nginx -V --with-http_stub_status_module)
    "connections_active connections_reading connections_writing connections_waiting",
    // ngx_http_auth_jwt_module is commercial; ngx_http_mirror_module, ngx_http_split_clients define none built in
  ]
    .join(" ")
    .split(" "),
);

/** Prefix families: any name after the prefix is built in (nginx docs, $http_name, $arg_name, ...). */
const BUILT_IN_PREFIXES = [
  "http_",
  "sent_http_",
  "sent_trailer_",
  "cookie_",
  "arg_",
  "upstream_http_",
  "upstream_cookie_",
  "upstream_trailer_",
  "proxy_protocol_tlv_",
];

/**
 * Variables the charts' own nginx.conf defines: both `map $status $loggable`; Mimir's file also maps
 * $ensured_x_scope_orgid and $has_multiple_orgid_headers and `set`s $distributor, $alertmanager, $ruler,
 * $query_frontend and $compactor in its locations (grafana/mimir values.yaml gateway.nginx.config.file, as the search
 * index stores it at commit 5c776e4263abc8951a072ccb3fba11264df6c0fc; loki 18.11.0 templates/_helpers.tpl loki.nginxFile).
 */
const CHART_DEFINED: Record<string, ReadonlySet<string>> = {
  [CHARTS.mimir]: new Set([
    "loggable",
    "ensured_x_scope_orgid",
    "has_multiple_orgid_headers",
    "distributor",
    "alertmanager",
    "ruler",
    "query_frontend",
    "compactor",
  ]),
  [CHARTS.loki]: new Set(["loggable"]),
};

function builtIn(name: string): boolean {
  return BUILT_IN.has(name) || BUILT_IN_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length);
}

export const gatewayNginxVariablesDefined = stackRule<object>(
  {
    name: "gateway-nginx-variables-defined",
    rule: "W20",
    description:
      "Every nginx variable the Mimir and Loki gateway snippets read (httpSnippet, serverSnippet, Loki's locationSnippet) is built into nginx or defined by a snippet or the chart's nginx.conf",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Define each variable the snippets read (a map in httpSnippet, a set in the server block) or stop reading it; when overriding httpSnippet, keep the stack's $tenant_credential_mismatch map in it (policies/lib/tenant-binding.ts).",
    url: "https://nginx.org/en/docs/varindex.html; nginx src/http/ngx_http_variables.c (ngx_http_variables_init_vars: unknown variable)",
    tags: ["mimir", "loki", "gateway"],
    judgedPerResource: true,
  },
  (stack, ctx) => {
    for (const spec of GATEWAYS) {
      for (const release of stack.helmReleases(spec.chart)) {
        const v = release.values;
        const keys = ["httpSnippet", "serverSnippet", ...(spec.locationSnippet ? [spec.locationSnippet] : [])];
        const nodes = keys.map((k) => v.at(`${spec.nginxConfig}.${k}`));
        const { enabled } = gatewaySwitches(release, spec);
        const file = v.at(`${spec.nginxConfig}.file`).string();
        ctx.known([enabled, file, ...nodes.map((n) => n.string())] as const, (on, fileText, ...texts) => {
          if (on === false) return;
          // A replaced nginx.conf may define anything: not read (S11 reports the file in staging and prod).
          if (fileText !== undefined && fileText !== null && fileText !== spec.defaultFile) return;
          const snippets = texts.map((t) => stripNginxComments(stripHelmTemplates(typeof t === "string" ? t : "")));
          const defined = new Set(CHART_DEFINED[spec.chart]);
          for (const text of snippets) for (const name of definedVariables(text)) defined.add(name);
          snippets.forEach((text, i) => {
            const unknownNames = [...usedVariables(text)].filter((n) => !builtIn(n) && !defined.has(n));
            if (unknownNames.length === 0) return;
            const list = unknownNames.map((n) => `$${n}`).join(", ");
            const tenantMap = unknownNames.includes(TENANT_MISMATCH_VARIABLE.slice(1));
            ctx.violation(
              `${nodes[i].where} reads ${list}, which neither nginx nor the gateway snippets (${keys
                .map((k) => `${spec.nginxConfig}.${k}`)
                .join(
                  ", ",
                )}) nor the chart's nginx.conf define${tenantMap ? ` (an override of ${spec.nginxConfig}.httpSnippet replaces the whole snippet, including the stack's map that defines ${TENANT_MISMATCH_VARIABLE})` : ""}. ` +
                `nginx refuses to load the configuration ([emerg] unknown "${unknownNames[0]}" variable, ngx_http_variables_init_vars): every gateway pod exits at start and crash-loops, ` +
                `so every write and query through the gateway Service is blocked. Fix: ${
                  tenantMap
                    ? `keep the stack's map in ${spec.nginxConfig}.httpSnippet and append your directives to it (${TENANT_BINDING_HTTP_SNIPPET.split("\n")[0]} ... }).`
                    : `define ${list} (a map in httpSnippet, a set in the server block) or stop reading ${unknownNames.length > 1 ? "them" : "it"}.`
                }`,
              release.resource.urn,
            );
          });
        });
      }
    }
  },
);
