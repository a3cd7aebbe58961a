// `npm run dev [-- --port N]`: wrangler dev with local persistence and the settings in .dev.vars.
import { ensureDevVars, LocalStack, launcherChain, portFrom } from "./local-stack.ts";

const stack = new LocalStack(portFrom(process.argv.slice(2)), undefined, {
  stdio: "inherit",
  envFile: ensureDevVars(),
  owners: launcherChain(),
});
let stopping = false;
// SIGHUP too (the terminal closed): wrangler runs in its own process group, so nothing else would stop it.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(() => process.exit(0));
  });

try {
  await stack.start();
  // Its watchdog stopped it (a launcher gone), or it crashed: nothing is left to serve.
  void stack.exited.then((code) => {
    if (stopping) return;
    console.error(`wrangler dev exited (code ${code})`);
    process.exit(1);
  });
  console.log(`Crease is up on ${stack.base} (Ctrl-C stops it)`);
} catch (err) {
  // A signal during startup: its handler finishes the stop.
  if (!stopping) throw err;
}
