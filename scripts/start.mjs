// `npm start`: the local stack (for now: wrangler dev with local persistence).
import { ensureDevVars, portFrom, startWrangler } from "./local-stack.mjs";

ensureDevVars();
const child = startWrangler({ port: portFrom(process.argv.slice(2)) });
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
