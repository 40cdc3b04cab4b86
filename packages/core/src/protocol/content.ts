/** Content blocks a tool or prompt returns, and helpers that build them. */

export interface Annotations {
  audience?: ("user" | "assistant")[];
  priority?: number;
  lastModified?: string;
}
export interface Icon {
  src: string;
  mimeType?: string;
  sizes?: string[];
  theme?: "light" | "dark";
}
export type TextContent = { type: "text"; text: string; annotations?: Annotations; _meta?: Record<string, unknown> };
export type ImageContent = { type: "image"; data: string; mimeType: string; annotations?: Annotations; _meta?: Record<string, unknown> };
export type AudioContent = { type: "audio"; data: string; mimeType: string; annotations?: Annotations; _meta?: Record<string, unknown> };
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string; _meta?: Record<string, unknown> }
  | { uri: string; mimeType?: string; blob: string; _meta?: Record<string, unknown> };
export type EmbeddedResource = { type: "resource"; resource: ResourceContents; annotations?: Annotations; _meta?: Record<string, unknown> };
export type ResourceLink = {
  type: "resource_link";
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  icons?: Icon[];
  annotations?: Annotations;
};
export type ContentBlock = TextContent | ImageContent | AudioContent | EmbeddedResource | ResourceLink;

/** Base64 without Buffer, so the core runs on every runtime. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000; // keeps String.fromCharCode's argument list well under engine limits
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

const asBase64 = (data: string | Uint8Array | ArrayBuffer): string =>
  typeof data === "string" ? data : toBase64(data instanceof Uint8Array ? data : new Uint8Array(data));

/** @example return text("Saved.") */
export const text = (value: string, annotations?: Annotations): TextContent =>
  annotations ? { type: "text", text: value, annotations } : { type: "text", text: value };

/** @example return image(pngBytes, "image/png") — bytes are base64-encoded for you; a string is taken as base64 already. */
export const image = (data: string | Uint8Array | ArrayBuffer, mimeType: string, annotations?: Annotations): ImageContent =>
  annotations ? { type: "image", data: asBase64(data), mimeType, annotations } : { type: "image", data: asBase64(data), mimeType };

/** @example return audio(wavBytes, "audio/wav") */
export const audio = (data: string | Uint8Array | ArrayBuffer, mimeType: string, annotations?: Annotations): AudioContent =>
  annotations ? { type: "audio", data: asBase64(data), mimeType, annotations } : { type: "audio", data: asBase64(data), mimeType };

/**
 * An embedded resource: `text` for text, `blob` (bytes or base64) for binary.
 * @example return resource({ uri: "notes://1", mimeType: "text/markdown", text: "# Hi" })
 */
export function resource(contents: { uri: string; mimeType?: string; text: string } | { uri: string; mimeType?: string; blob: string | Uint8Array }, annotations?: Annotations): EmbeddedResource {
  const inner: ResourceContents = "blob" in contents ? { ...contents, blob: asBase64(contents.blob) } : contents;
  return annotations ? { type: "resource", resource: inner, annotations } : { type: "resource", resource: inner };
}

/** @example return resourceLink({ uri: "notes://1", name: "note-1", mimeType: "text/markdown" }) */
export const resourceLink = (link: Omit<ResourceLink, "type">): ResourceLink => ({ type: "resource_link", ...link });
