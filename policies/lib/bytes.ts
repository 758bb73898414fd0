// Byte sizes as the components write them.

// Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource/quantity.go): a decimal number with a
// binary suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (1e9).
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a Kubernetes quantity ("500m" -> 0.5, "6Gi" -> 6 * 2^30, "1e9"); undefined when malformed. */
export function parseQuantity(quantity: string | number): number | undefined {
  if (typeof quantity === "number") return Number.isFinite(quantity) ? quantity : undefined;
  const match = QUANTITY.exec(quantity.trim());
  if (!match) return undefined;
  const suffix = match[2] ?? "";
  const multiplier =
    suffix in BINARY ? BINARY[suffix] : suffix in DECIMAL ? DECIMAL[suffix] : 10 ** Number(suffix.slice(1));
  return Number(match[1]) * multiplier;
}

/** Bytes of a Kubernetes quantity ("6Gi", "1500M", "1e9", 1073741824), rounded up; undefined when malformed. */
export function parseQuantityBytes(quantity: string | number): number | undefined {
  const value = parseQuantity(quantity);
  // Same rounding as the mimir-distributed chart's siToBytes helper (ceil).
  return value === undefined ? undefined : Math.ceil(value);
}

// Alloy `loki.write` sizes are alecthomas/units Base2Bytes: KB and KiB both mean 1024 (ParseBase2Bytes).
const BASE2 = /^(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/;
const BASE2_UNITS: Record<string, number> = {
  B: 1,
  KB: 2 ** 10,
  KiB: 2 ** 10,
  MB: 2 ** 20,
  MiB: 2 ** 20,
  GB: 2 ** 30,
  GiB: 2 ** 30,
  TB: 2 ** 40,
  TiB: 2 ** 40,
};

/** Bytes of an Alloy size ("1MiB", "512KB"); undefined when malformed. */
export function parseBase2Bytes(text: string): number | undefined {
  const match = BASE2.exec(text.trim());
  if (!match) return undefined;
  return Math.ceil(Number(match[1]) * BASE2_UNITS[match[2] ?? "B"]);
}

/** 1073741824 -> "1Gi (1073741824 bytes)"; exact binary units only, else plain bytes. */
export function formatBytes(bytes: number): string {
  for (const [suffix, size] of [
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix} (${bytes} bytes)`;
  }
  return `${bytes} bytes`;
}
