// Reading the nginx text the stack writes into the Mimir and Loki gateways' snippets: which variables a text defines
// and reads (nginx docs: ngx_http_map_module map, ngx_http_rewrite_module set, ngx_http_geo_module geo,
// ngx_http_split_clients_module split_clients; PCRE named captures become variables, ngx_http_regex_compile).

/** Variables a text defines: map / geo / split_clients / perl_set / js_set targets, `set`, named regex captures. */
export function definedVariables(text: string): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /\bmap\s+(?:"[^"]*"|'[^']*'|\S+)\s+\$([A-Za-z_][A-Za-z0-9_]*)/g,
    /\bgeo\s+(?:\$\S+\s+)?\$([A-Za-z_][A-Za-z0-9_]*)\s*\{/g,
    /\bsplit_clients\s+(?:"[^"]*"|'[^']*'|\S+)\s+\$([A-Za-z_][A-Za-z0-9_]*)/g,
    /\b(?:set|perl_set|js_set)\s+\$([A-Za-z_][A-Za-z0-9_]*)/g,
    /\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(m[1]);
  return found;
}

/** Variables a text reads: `$name` and `${name}`, numbered captures left out. */
export function usedVariables(text: string): Set<string> {
  const found = new Set<string>();
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)) found.add(m[1]);
  return found;
}

/** Drops Helm template actions (`{{ ... }}`): the Loki chart passes its snippets through `tpl`. */
export function stripHelmTemplates(text: string): string {
  return text.replace(/\{\{[\s\S]*?\}\}/g, "");
}

/** Drops nginx comments (`#` to the end of the line, outside quotes). */
export function stripNginxComments(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      let quote: string | undefined;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quote) {
          if (c === "\\") i++;
          else if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === "#") return line.slice(0, i);
      }
      return line;
    })
    .join("\n");
}
