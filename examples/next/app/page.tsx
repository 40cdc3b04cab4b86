export default function Home() {
  return (
    <main>
      <h1>Wisp on Next.js</h1>
      <p>
        MCP endpoints: <code>/mcp</code> (Node.js runtime) and <code>/edge/mcp</code> (Edge runtime).
      </p>
    </main>
  );
}
