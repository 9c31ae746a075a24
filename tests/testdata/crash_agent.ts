// A fixture agent for crash tests: records `steps` completed nested steps,
// then begins one more and hangs until it is killed.
// Usage: crash_agent.ts <traceDir> <steps>
import process from "node:process";
import { Tracer } from "../../mod.ts";

const [dir, count] = process.argv.slice(-2);
const tracer = new Tracer("crash_agent", { traceDir: dir });
console.log(`PATH ${tracer.path}`);
for (let i = 0; i < Number(count); i++) {
  await tracer.step("outer", { i }, async (step) => {
    await tracer.step("inner", { i }, (inner) => inner.log({ half: i / 2 }));
    step.log({ i, note: "x".repeat(200) });
  });
}
const hanging = tracer.step("in_flight_step", { order: "A-1" });
hanging.start();
console.log("READY");
setInterval(() => {}, 1000);
