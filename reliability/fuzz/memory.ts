/** Memory figures after a full garbage collection, so before/after compare live data, not garbage. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

export interface MemoryFigures {
  rssMb: number;
  heapUsedMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function measure(): Promise<MemoryFigures> {
  // Twice, with a turn of the event loop between: finalizers and weak refs settle after the first.
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: mb(rss), heapUsedMb: mb(heapUsed) };
}
