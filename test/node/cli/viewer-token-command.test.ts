import { describe, expect, it } from "vitest";
import { verifyViewerToken } from "../../../edge/viewer-token.ts";
import { UsageError } from "../../../scripts/cli/command.ts";
import { viewerTokenCommand } from "../../../scripts/cli/viewer-token-command.ts";

async function mint(args: string[]): Promise<string> {
  let out = "";
  await viewerTokenCommand.run(args, { stdout: (t) => (out += t), stderr: () => undefined });
  return out.trim();
}

describe("cli viewer-token", () => {
  const now = () => Math.floor(Date.now() / 1000);

  it("mints a token the Worker accepts for that match, and for every match under a prefix", async () => {
    const one = await mint(["--secret", "s3cret", "private-final"]);
    expect(await verifyViewerToken("s3cret", "private-final", one, now())).toEqual({ ok: true });
    expect((await verifyViewerToken("s3cret", "private-other", one, now())).ok).toBe(false);
    const prefix = await mint(["--secret", "s3cret", "private-*"]);
    expect(await verifyViewerToken("s3cret", "private-other", prefix, now())).toEqual({ ok: true });
    expect((await verifyViewerToken("s3cret", "public-final", prefix, now())).ok).toBe(false);
  });

  it("expires after --ttl seconds", async () => {
    const token = await mint(["--secret", "s3cret", "--ttl", "60", "m1"]);
    expect((await verifyViewerToken("s3cret", "m1", token, now() + 59)).ok).toBe(true);
    expect(await verifyViewerToken("s3cret", "m1", token, now() + 120)).toEqual({
      ok: false,
      reason: "viewer token expired",
    });
  });

  it.each([
    [["--secret", "s", "bad/id"], /neither a match id nor a prefix/],
    [["--secret", "s", "--ttl", "0", "m1"], /--ttl must be whole seconds/],
    [["--secret", "s", "--ttl", "1e9", "m1"], /--ttl must be whole seconds/],
    [["m1"], /no secret/],
    [["--secret", "s"], /missing MATCH_ID/],
  ])("refuses %j with a usage error", async (args, message) => {
    const saved = process.env.VIEWER_TOKEN_SECRET;
    delete process.env.VIEWER_TOKEN_SECRET;
    try {
      await expect(mint(args)).rejects.toThrow(UsageError);
      await expect(mint(args)).rejects.toThrow(message);
    } finally {
      if (saved !== undefined) process.env.VIEWER_TOKEN_SECRET = saved;
    }
  });
});
