import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";
import { toJsonSchema as valibotToJsonSchema } from "@valibot/to-json-schema";
import { SchemaError, describeError } from "./errors.js";
import { assertJsonSchemaObject } from "./json-schema.js";
import { isStandardSchema } from "./standard.js";
import type { JsonSchema, SchemaLike } from "./types.js";

export interface ToJsonSchemaOptions {
  /** "input" (default) describes what a caller sends, before defaults/transforms; "output" what validation returns. */
  io?: "input" | "output";
}

const TARGET = "draft-2020-12";
const DRAFT_2020_12_URI = "https://json-schema.org/draft/2020-12/schema";

// Conversions are costly and tools/list asks for them on every call.
const convertedInput = new WeakMap<object, JsonSchema>();
const convertedOutput = new WeakMap<object, JsonSchema>();

/**
 * JSON Schema (2020-12) for tools/list, prompts etc.
 *
 * Raw JSON Schema is returned as the very same object, untouched. Standard Schemas are
 * converted once per schema object and io; treat the result as read-only, it is shared.
 *
 * Converted schemas never carry `$schema: ".../draft/2020-12/schema"`: every library here
 * adds it, but 2020-12 is what MCP assumes when `$schema` is absent, so it only costs bytes
 * and trips clients that reject unknown top-level keys. Any other `$schema` is kept.
 */
export function toJsonSchema(schema: SchemaLike, options?: ToJsonSchemaOptions): JsonSchema {
  if (!isStandardSchema(schema)) {
    assertJsonSchemaObject(schema);
    return schema;
  }
  const io = options?.io ?? "input";
  const cache = io === "input" ? convertedInput : convertedOutput;
  const cached = cache.get(schema);
  if (cached !== undefined) return cached;
  const converted = withoutDefaultDialect(convertStandardSchema(schema, io));
  cache.set(schema, converted);
  return converted;
}

function convertStandardSchema(schema: StandardSchemaV1, io: "input" | "output"): JsonSchema {
  const props = schema["~standard"];
  const vendor = props.vendor;
  const convert = converterFor(schema, io);
  let result: unknown;
  try {
    result = convert();
  } catch (error) {
    throw new SchemaError(`cannot convert ${vendor} schema to JSON Schema (${io}): ${describeError(error)}`, {
      cause: error,
      vendor,
    });
  }
  if (typeof result !== "object" || result === null || Array.isArray(result)) {
    throw new SchemaError(`${vendor} produced no JSON Schema object (${io}); pass a JSON Schema object instead`, {
      vendor,
    });
  }
  return result as JsonSchema;
}

/** Prefers the vendor-neutral Standard JSON Schema interface; adapters only for libraries that lack it. */
function converterFor(schema: StandardSchemaV1, io: "input" | "output"): () => unknown {
  const jsonSchema = (schema["~standard"] as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
  if (typeof jsonSchema === "object" && jsonSchema !== null && typeof jsonSchema[io] === "function") {
    return () => jsonSchema[io]({ target: TARGET });
  }
  const vendor = schema["~standard"].vendor;
  // valibot 1.x keeps JSON Schema out of its core; its official converter does the job.
  if (vendor === "valibot") {
    return () =>
      valibotToJsonSchema(schema as unknown as Parameters<typeof valibotToJsonSchema>[0], {
        target: TARGET,
        typeMode: io,
      });
  }
  throw new SchemaError(
    `cannot convert ${vendor} schema to JSON Schema: it does not implement the Standard JSON Schema interface ` +
      `("~standard".jsonSchema); upgrade ${vendor} or pass a JSON Schema object instead`,
    { vendor },
  );
}

function withoutDefaultDialect(schema: JsonSchema): JsonSchema {
  if (typeof schema.$schema !== "string" || schema.$schema.replace(/#$/, "") !== DRAFT_2020_12_URI) return schema;
  const { $schema: _dropped, ...rest } = schema;
  return rest;
}
