/** Turns generated JSON trees (model.ts `JNode`) into the bytes a request carries. */
import type { BodyPlan, JNode } from "./model.js";

const encoder = new TextEncoder();

export const lit = (value: unknown): JNode => ({ t: "lit", text: JSON.stringify(value) ?? "null" });
export const obj = (entries: [string, JNode][]): JNode => ({ t: "obj", entries });

/** Nesting as text: `{"a":{"a":…0…}}`, `[[…0…]]`, or both alternating. */
function deepText(depth: number, shape: "obj" | "arr" | "mixed"): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let level = 0; level < depth; level++) {
    const asObject = shape === "obj" || (shape === "mixed" && level % 2 === 0);
    open.push(asObject ? '{"a":' : "[");
    close.push(asObject ? "}" : "]");
  }
  return `${open.join("")}0${close.reverse().join("")}`;
}

/** Appends the node's bytes as chunks; recursion is bounded by the generators (a few levels). */
function write(node: JNode, out: (string | Uint8Array)[]): void {
  switch (node.t) {
    case "lit":
      out.push(node.text);
      return;
    case "deep":
      out.push(deepText(node.depth, node.shape));
      return;
    case "bytes":
      out.push(Uint8Array.from(node.bytes));
      return;
    case "arr":
      out.push("[");
      node.items.forEach((item, index) => {
        if (index > 0) out.push(",");
        write(item, out);
      });
      out.push("]");
      return;
    case "obj":
      out.push("{");
      node.entries.forEach(([key, value], index) => {
        out.push(`${index > 0 ? "," : ""}${JSON.stringify(key)}:`);
        write(value, out);
      });
      out.push("}");
  }
}

function concat(chunks: (string | Uint8Array)[]): Uint8Array {
  const parts = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  const all = new Uint8Array(parts.reduce((size, part) => size + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}

export function nodeBytes(node: JNode): Uint8Array {
  const out: (string | Uint8Array)[] = [];
  write(node, out);
  return concat(out);
}

const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/** The body bytes of a plan, or null for no body. */
export function bodyBytes(body: BodyPlan): Uint8Array | null {
  switch (body.kind) {
    case "none":
      return null;
    case "json":
      return body.bom ? concat([BOM, nodeBytes(body.node)]) : nodeBytes(body.node);
    case "truncated": {
      const full = nodeBytes(body.node);
      return full.subarray(0, Math.max(1, Math.min(full.length - 1, Math.floor(full.length * body.keep))));
    }
    case "text":
      return encoder.encode(body.text);
    case "oversize": {
      // Valid JSON all the way, so only its size can be the reason for a refusal.
      const padding = "x".repeat(body.bytes);
      return encoder.encode(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"${padding}"}}`);
    }
  }
}
