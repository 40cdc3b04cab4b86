/**
 * The Durable Object driver against the storage contract every driver passes. One object serves
 * all of a session's traffic, so the contract's "two instances" are the same driver object here.
 */
import { storageContract } from "@wisp/core/storage-contract";
import { describe, it } from "vitest";
import { type DurableStorage, durableObjectStorage } from "./storage.js";
import { FakeDurableStorage } from "./testing/fake-storage.js";

describe("durableObjectStorage passes the storage contract", () => {
  let shared: DurableStorage | undefined;
  const cases = storageContract({ create: () => (shared ??= durableObjectStorage(new FakeDurableStorage())), dispose: () => {} });
  for (const { name, run } of cases) it(name, run);
});
