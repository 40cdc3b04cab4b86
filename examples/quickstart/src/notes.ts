import { ErrorCode, McpError, createServer, resourceLink, text } from "@wisp/core";
import * as v from "valibot";

interface Note {
  id: string;
  title: string;
  body: string;
  tags: string[];
}

/**
 * A small notes server: typed tools with output schemas, a resource template,
 * a prompt with completion, progress reporting and elicitation.
 */
export function createNotesServer() {
  const notes = new Map<string, Note>();
  let nextId = 1;

  const NoteOutput = v.object({ id: v.string(), title: v.string(), tags: v.array(v.string()) });

  return createServer({
    name: "wisp-notes",
    title: "Wisp Notes",
    version: "0.1.0",
    instructions: "Keep short notes. Use add_note to save, search_notes to find, and read notes://{id} for a note's text.",
  })
    .tool(
      "add_note",
      {
        title: "Add a note",
        description: "Save a note and return its id",
        input: v.object({
          title: v.pipe(v.string(), v.minLength(1), v.description("A short title")),
          body: v.pipe(v.string(), v.description("The note text (markdown)")),
          tags: v.optional(v.array(v.string()), []),
        }),
        output: NoteOutput,
      },
      ({ title, body, tags }) => {
        const note = { id: String(nextId++), title, body, tags };
        notes.set(note.id, note);
        return { id: note.id, title, tags };
      },
    )
    .tool(
      "search_notes",
      {
        title: "Search notes",
        description: "Find notes whose title, text or tags contain a word",
        input: v.object({ query: v.pipe(v.string(), v.minLength(1)) }),
        annotations: { readOnlyHint: true },
      },
      ({ query }) => {
        const q = query.toLowerCase();
        const found = [...notes.values()].filter((n) => `${n.title} ${n.body} ${n.tags.join(" ")}`.toLowerCase().includes(q));
        if (found.length === 0) return `No note matches "${query}".`;
        return found.map((n) => resourceLink({ uri: `notes://${n.id}`, name: n.title, mimeType: "text/markdown" }));
      },
    )
    .tool(
      "reindex",
      { description: "Rebuild the search index, reporting progress", annotations: { idempotentHint: true } },
      async (_args, ctx) => {
        const all = [...notes.values()];
        for (let i = 0; i < all.length; i++) {
          if (ctx.signal.aborted) return "Reindex cancelled.";
          ctx.progress(i + 1, all.length, `indexed ${all[i].title}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        ctx.log("info", `Reindexed ${all.length} notes`);
        return `Reindexed ${all.length} notes.`;
      },
    )
    .tool(
      "delete_note",
      {
        description: "Delete a note after asking the user to confirm",
        input: v.object({ id: v.string() }),
        annotations: { destructiveHint: true },
      },
      async ({ id }, ctx) => {
        const note = notes.get(id);
        if (!note) return { content: [text(`No note with id ${id}.`)], isError: true };
        const answer = await ctx.elicit({
          message: `Delete "${note.title}"?`,
          schema: v.object({ confirm: v.pipe(v.boolean(), v.title("Yes, delete it")) }),
        });
        if (answer.action !== "accept" || !answer.content.confirm) return "Kept the note.";
        notes.delete(id);
        return `Deleted "${note.title}".`;
      },
    )
    .resourceTemplate(
      "notes://{id}",
      {
        name: "note",
        title: "A note",
        mimeType: "text/markdown",
        list: () => [...notes.values()].map((n) => ({ uri: `notes://${n.id}`, name: n.title })),
        complete: { id: (prefix) => [...notes.keys()].filter((id) => id.startsWith(prefix)) },
      },
      ({ params }) => {
        const note = notes.get(String(params.id));
        if (!note) throw new McpError(ErrorCode.ResourceNotFound, `No note with id ${String(params.id)}`);
        return `# ${note.title}\n\n${note.body}`;
      },
    )
    .prompt(
      "summarize_tag",
      {
        description: "Summarize every note carrying a tag",
        args: v.object({ tag: v.pipe(v.string(), v.description("The tag to summarize")) }),
        complete: { tag: (prefix) => [...new Set([...notes.values()].flatMap((n) => n.tags))].filter((t) => t.startsWith(prefix)) },
      },
      ({ tag }) => {
        const tagged = [...notes.values()].filter((n) => n.tags.includes(tag));
        return `Summarize these notes tagged "${tag}":\n\n${tagged.map((n) => `## ${n.title}\n${n.body}`).join("\n\n") || "(none yet)"}`;
      },
    );
}
