/**
 * The headers a 2026-07-28 client mirrors from its JSON-RPC body, so a server (or a proxy in
 * front of it) can route without parsing the body: `Mcp-Method`, `Mcp-Name`, and
 * `Mcp-Param-{Name}` for tool arguments annotated with `x-mcp-header`. Values a header cannot
 * carry as they are travel as `=?base64?…?=`, as the official clients send them.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** The params field each method's `Mcp-Name` mirrors; other methods carry none. */
const NAME_FIELD: Record<string, string> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

/**
 * Every mirrored header of one 2026 request. `inputSchema` is the called tool's, for its
 * `x-mcp-header` annotations.
 * @example
 * mirroredHeaders("tools/call", { name: "forecast", arguments: { region: "Zürich" } }, schema)
 * // { "mcp-method": "tools/call", "mcp-name": "forecast", "mcp-param-region": "=?base64?WsO8cmljaA==?=" }
 */
export function mirroredHeaders(method: string, params: Json, inputSchema?: unknown): Record<string, string> {
  const headers: Record<string, string> = { "mcp-method": encodeHeaderValue(method) };
  const field = NAME_FIELD[method];
  if (field !== undefined && typeof params[field] === "string") headers["mcp-name"] = encodeHeaderValue(params[field]);
  if (method === "tools/call" && inputSchema !== undefined) Object.assign(headers, paramHeaders(inputSchema, params.arguments));
  return headers;
}

/**
 * `Mcp-Param-*` headers for the annotated arguments that are present. The spec allows the
 * annotation only on properties reached through `properties` alone, so that is all this walks.
 */
function paramHeaders(schema: unknown, args: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  const walk = (node: unknown, value: unknown) => {
    if (!isObject(node) || !isObject(node.properties)) return;
    for (const [key, child] of Object.entries(node.properties)) {
      const argument = isObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
      const name = isObject(child) ? child["x-mcp-header"] : undefined;
      const text = primitiveText(argument);
      if (typeof name === "string" && text !== undefined) headers[`mcp-param-${name.toLowerCase()}`] = encodeHeaderValue(text);
      walk(child, argument);
    }
  };
  walk(schema, args);
  return headers;
}

/** The spec's conversions: strings as they are, numbers in decimal, booleans as `true`/`false`; nothing else is mirrored. */
function primitiveText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value);
  return undefined;
}

/**
 * A value as a header carries it: plain when it is visible ASCII without surrounding
 * whitespace, else base64 of its UTF-8 in the `=?base64?…?=` wrapper (a value that already
 * looks wrapped is wrapped again, so it cannot be misread).
 * @example encodeHeaderValue("Zürich") // "=?base64?WsO8cmljaA==?="
 */
export function encodeHeaderValue(value: string): string {
  const plain = value !== "" && value === value.trim() && /^[\x20-\x7e\t]*$/.test(value) && !(value.startsWith("=?base64?") && value.endsWith("?="));
  if (plain) return value;
  let binary = "";
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return `=?base64?${btoa(binary)}?=`;
}
