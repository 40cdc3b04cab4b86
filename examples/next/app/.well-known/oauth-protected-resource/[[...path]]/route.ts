// OAuth protected-resource metadata (RFC 9728) for /mcp: Next routes these paths to the same
// Wisp server, where an auth hook (e.g. @wisp/auth's protectedResource) answers them. This example
// has no OAuth configured, so Wisp answers 404 here; the route is what a protected app needs.
import { createNextHandler } from "@wisp/next";
import { server } from "../../../../lib/mcp-server";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const { GET, OPTIONS } = createNextHandler(server);
