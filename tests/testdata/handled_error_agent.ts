// A fixture agent that handles its own unhandled rejection (a listener added
// after the tracer) and goes on recording. Usage: handled_error_agent.ts <traceDir>
import process from "node:process";
import { Tracer } from "../../mod.ts";

const dir = process.argv.at(-1)!;
const tracer = new Tracer("handled_agent", { traceDir: dir });
tracer.step("before", () => {});
const deno = (globalThis as { Deno?: unknown }).Deno;
if (deno) globalThis.addEventListener("unhandledrejection", (event) => event.preventDefault());
else process.on("unhandledRejection", () => {});
Promise.reject(new Error("handled by the program"));
await new Promise((resolve) => setTimeout(resolve, 20));
tracer.step("after", () => {});
console.log(`PATH ${tracer.path}`);
