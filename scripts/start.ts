// `npm start`: the local stack (wrangler dev with local persistence) on 127.0.0.1:8787.
import { ensureDevVars, LocalStack, portFrom } from "./local-stack.ts";

ensureDevVars();
const stack = new LocalStack(portFrom(process.argv.slice(2)), undefined, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => void stack.stop().then(() => process.exit(0)));
await stack.start();
console.log(`Crease is up on ${stack.base} (Ctrl-C stops it)`);
