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
  leases: LeaseStore;
  /** Releases timers and connections. */
  close?(): Promise<void> | void;
}

/**
 * A change to a stored record, applied by compare-and-swap: it gets the current record and
 * returns the next one, or `undefined` to leave the record as it is. A driver may call it more
 * than once (when another instance wrote in between), so it must not have side effects.
 */
export type RecordChange<T> = (current: T) => T | undefined;

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
  /**
   * Changes a record atomically against writers on every instance; a changed record gets `ttlMs`
   * to live (a change returning `undefined` writes nothing). Resolves with the record as stored
   * afterwards, or `undefined` when there is none (an update never creates a session).
   */
  update(id: string, change: RecordChange<SessionRecord>, ttlMs: number): Promise<SessionRecord | undefined>;
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
  /** Appends one event, or several in order as one write (a stream's first events often come together). */
  append(sessionId: string, streamId: string, event: StoredEvent | readonly StoredEvent[], ttlMs: number): Promise<void>;
  /** Events of one stream after `eventId` (exclusive), oldest first; `undefined` when the stream is unknown. */
  after(sessionId: string, streamId: string, eventId: string): Promise<StoredEvent[] | undefined>;
  deleteStream(sessionId: string, streamId: string): Promise<void>;
  deleteSession(sessionId: string): Promise<void>;
}

export type BusListener = (message: unknown) => void;

export interface SubscribeOptions {
  /**
   * Called when the subscription was interrupted and is live again (a reconnect): messages
   * published meanwhile may be lost, so the subscriber re-reads what it needs from storage.
   * Drivers whose messages cannot be lost never call it.
   */
  onResume?: () => void;
}

/**
 * Publish/subscribe by channel; messages are JSON-serialisable values. Delivery is at most once
 * (Redis pub/sub is): whatever must not be lost is written to storage before it is published.
 */
export interface Bus {
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is live; the returned function ends it. */
  subscribe(channel: string, listener: BusListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
}

export interface TaskStore {
  get(id: string): Promise<Record<string, unknown> | undefined>;
  set(id: string, task: Record<string, unknown>, ttlMs: number): Promise<void>;
  /** Like `SessionStore.update`: compare-and-swap, so a cancelled task never flips back to working. */
  update(id: string, change: RecordChange<Record<string, unknown>>, ttlMs: number): Promise<Record<string, unknown> | undefined>;
  delete(id: string): Promise<void>;
}

/**
 * One lease per session, held by one owner at a time across every instance: it makes a
 * session's GET stream exclusive. A holder renews it while the stream is open; a lease not
 * renewed within its TTL is free again (the holder died).
 */
export interface LeaseStore {
  /** Takes the lease when it is free or already `owner`'s; resolves true when `owner` holds it now. */
  acquire(sessionId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Takes the lease whoever holds it; resolves with the previous holder, if any. */
  takeOver(sessionId: string, owner: string, ttlMs: number): Promise<string | undefined>;
  /** Extends the lease when `owner` still holds it; false when it was lost. */
  renew(sessionId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Frees the lease when `owner` holds it; otherwise does nothing. */
  release(sessionId: string, owner: string): Promise<void>;
}
