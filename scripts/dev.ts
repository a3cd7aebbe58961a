// `npm run dev [-- --port N]`: wrangler dev with local persistence and development secrets.
import { ensureDevVars, LocalStack, portFrom } from "./local-stack.ts";

ensureDevVars();
const stack = new LocalStack(portFrom(process.argv.slice(2)), undefined, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => void stack.stop().then(() => process.exit(0)));
await stack.start();
console.log(`Crease is up on ${stack.base} (Ctrl-C stops it)`);
