/** Reading a wire request the way the server receives it. */
import type { WireRequest } from "../model.js";

/** Header value as the server receives it: both transports strip surrounding SP/HTAB. */
export function headerOf(request: WireRequest, name: string): string | undefined {
  const found = request.headers.find(([key]) => key === name);
  return found ? found[1].replace(/^[ \t]+|[ \t]+$/g, "") : undefined;
}

/** A media-type list allows `type` (parameters such as q are not weighed). */
export function accepts(accept: string, type: string): boolean {
  const major = type.split("/")[0];
  return accept.split(",").some((part) => {
    const range = part.split(";")[0].trim().toLowerCase();
    return range === type || range === "*/*" || range === `${major}/*`;
  });
}
