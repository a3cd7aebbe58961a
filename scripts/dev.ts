// `npm run dev [-- --port N]`: wrangler dev with local persistence and the settings in .dev.vars.
import {
  ensureDevVars,
  LocalStack,
  launcherChain,
  PortBusyError,
  portFrom,
  portIsFree,
} from "./local-stack.ts";

const port = portFrom(process.argv.slice(2));
/** One line and exit status 1: nothing was started. */
function busy(err: PortBusyError): never {
  console.error(`npm run dev: ${err.message}`);
  process.exit(1);
}
// Before anything is written or started.
if (!(await portIsFree(port))) busy(new PortBusyError(port));

const stack = new LocalStack(port, undefined, {
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
  console.log(
    `Crease is up on ${stack.base} (inspector on 127.0.0.1:${stack.inspectorPort}; Ctrl-C stops it)`,
  );
} catch (err) {
  if (err instanceof PortBusyError) busy(err);
  // A signal during startup: its handler finishes the stop.
  if (!stopping) throw err;
}
