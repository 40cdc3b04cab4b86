/**
 * Everything Wisp keeps between requests goes through this interface, so several
 * instances sharing one backend (Redis, a Durable Object) behave as one server.
 * Every method is async: a network round trip must fit behind it.
 */
export interface Storage {
  sessions: SessionStore;
  events: EventStore;
  bus: Bus;
  tasks: TaskStore;
  /** Releases timers and connections. */
  close?(): Promise<void> | void;
}

/** JSON-serialisable session state of a 2025-era client. */
export interface SessionRecord {
  protocolVersion: string;
  clientInfo: { name: string; version: string; [key: string]: unknown };
  clientCapabilities: Record<string, unknown>;
  initialized: boolean;
  /** Minimum log level set with `logging/setLevel`; absent means "send everything". */
  logLevel?: string;
  /** URIs the client subscribed to with `resources/subscribe`. */
  subscriptions: string[];
  /** The authenticated caller who opened the session; others get 404 for its id. */
  principal?: string;
  /** Per-session page size, overriding the server's. */
  paginationLimit?: number;
  createdAt: number;
  [key: string]: unknown;
}

export interface SessionStore {
  /** Returns the session and, when `renewTtlMs` is given, pushes its expiry that far out. */
  get(id: string, renewTtlMs?: number): Promise<SessionRecord | undefined>;
  set(id: string, record: SessionRecord, ttlMs: number): Promise<void>;
  /** Returns whether a session was there. */
  delete(id: string): Promise<boolean>;
}

/** One SSE event as stored for resumption (`Last-Event-ID`). */
export interface StoredEvent {
  id: string;
  data: string;
  /** The stream's last event: the response that ends a POST stream. */
  final?: boolean;
}

export interface EventStore {
  append(sessionId: string, streamId: string, event: StoredEvent, ttlMs: number): Promise<void>;
  /** Events of one stream after `eventId` (exclusive), oldest first; `undefined` when the stream is unknown. */
  after(sessionId: string, streamId: string, eventId: string): Promise<StoredEvent[] | undefined>;
  deleteStream(sessionId: string, streamId: string): Promise<void>;
  deleteSession(sessionId: string): Promise<void>;
}

export type BusListener = (message: unknown) => void;

/** Publish/subscribe by channel; messages are JSON-serialisable values. */
export interface Bus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is live; the returned function ends it. */
  subscribe(channel: string, listener: BusListener): Promise<() => Promise<void>>;
}

export interface TaskStore {
  get(id: string): Promise<Record<string, unknown> | undefined>;
  set(id: string, task: Record<string, unknown>, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
}
