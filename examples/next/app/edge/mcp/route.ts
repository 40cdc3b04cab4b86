import { createNextHandler } from "@wisp/next";
import { server } from "../../../lib/mcp-server";

export const runtime = "edge";
export const dynamic = "force-dynamic";

export const { GET, POST, DELETE, OPTIONS } = createNextHandler(server);
