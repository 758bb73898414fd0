// Reads `loki.write` endpoints out of Alloy configuration text (values alloy.configMap.content).
// Alloy syntax: `loki.write "label" { endpoint { url = "..." batch_size = "1MiB" } }`, comments `//` and `/* */`.

export interface LokiWriteEndpoint {
  /** `loki.write "default"` */
  readonly component: string;
  /** The literal URL, undefined when it is an expression (env(...), a reference). */
  readonly url?: string;
  /** The literal batch_size, undefined when not set (Alloy default 1MiB). */
  readonly batchSize?: string;
}

/** Alloy text without its line and block comments (strings kept as they are). */
export function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const end = closingQuote(text, i);
      out += text.slice(i, end + 1);
      i = end + 1;
    } else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

export function closingQuote(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return Math.min(i, text.length - 1);
}

/** Index of the `}` closing the block whose `{` is at `open` (strings skipped). */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '"') i = closingQuote(text, i);
    else if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return text.length;
}

/** Every block whose header matches (`loki.write "label" {`): its label and the text between its braces. */
export function blocks(text: string, header: RegExp): Array<{ label: string; body: string }> {
  const found: Array<{ label: string; body: string }> = [];
  const pattern = new RegExp(header.source, "g");
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const open = match.index + match[0].length - 1;
    const close = closingBrace(text, open);
    found.push({ label: match[1] ?? "", body: text.slice(open + 1, close) });
    pattern.lastIndex = close;
  }
  return found;
}

function stringAttribute(body: string, name: string): string | undefined {
  // Only top-level attributes of the block: nested blocks are removed first.
  let flat = body;
  for (let previous = ""; previous !== flat;) {
    previous = flat;
    flat = flat.replace(/\{[^{}]*\}/g, "");
  }
  const match = new RegExp(`(?:^|[\\s;])${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(flat);
  return match?.[1];
}

/** A top-level numeric attribute of a block (`max_samples_per_send = 2000`); undefined when absent or an expression. */
function numberAttribute(body: string, name: string): number | undefined {
  const match = new RegExp(`(?:^|[\\s;])${name}\\s*=\\s*(\\d+)\\s*(?:[\\n;,}]|$)`).exec(body);
  return match ? Number(match[1]) : undefined;
}

export interface RemoteWriteEndpoint {
  /** `prometheus.remote_write "mimir"` */
  readonly component: string;
  readonly url?: string;
  /** The literal X-Scope-OrgID header, when the endpoint sets one. */
  readonly tenant?: string;
  /** queue_config max_samples_per_send, undefined when not set (Alloy default 2000). */
  readonly maxSamplesPerSend?: number;
}

/** The endpoints of every `prometheus.remote_write` block (Alloy reference, prometheus.remote_write). */
export function remoteWriteEndpoints(configText: string): RemoteWriteEndpoint[] {
  const text = stripComments(configText);
  return blocks(text, /\bprometheus\.remote_write\s+"([^"]*)"\s*\{/).flatMap(({ label, body }) =>
    blocks(body, /\bendpoint\s*()\{/).map((endpoint) => {
      const queue = blocks(endpoint.body, /\bqueue_config\s*()\{/)[0];
      return {
        component: `prometheus.remote_write "${label}"`,
        url: stringAttribute(endpoint.body, "url"),
        tenant: /"X-Scope-OrgID"\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(endpoint.body)?.[1],
        maxSamplesPerSend: queue ? numberAttribute(queue.body, "max_samples_per_send") : undefined,
      };
    }),
  );
}

export function lokiWriteEndpoints(configText: string): LokiWriteEndpoint[] {
  const text = stripComments(configText);
  return blocks(text, /\bloki\.write\s+"([^"]*)"\s*\{/).flatMap(({ label, body }) =>
    blocks(body, /\bendpoint\s*()\{/).map((endpoint) => ({
      component: `loki.write "${label}"`,
      url: stringAttribute(endpoint.body, "url"),
      batchSize: stringAttribute(endpoint.body, "batch_size"),
    })),
  );
}
