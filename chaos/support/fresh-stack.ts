import { rmSync } from "node:fs";
import { freePort, LocalStack, tempStateDir } from "../../scripts/local-stack.ts";

/**
 * A started `wrangler dev` on a free loopback port with its own temporary state, both of which
 * `cleanup` removes (the stack stopped first, then its state directory deleted).
 */
export async function freshStack(
  cleanup: (fn: () => unknown) => void,
  vars: Record<string, string> = {},
): Promise<LocalStack> {
  const dir = tempStateDir();
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const stack = new LocalStack(await freePort(), dir, { vars });
  cleanup(() => stack.stop());
  await stack.start();
  return stack;
}
