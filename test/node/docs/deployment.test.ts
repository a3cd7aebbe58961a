import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

const ROOT = join(import.meta.dirname, "../../..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const deployment = readme.slice(
  readme.indexOf("## Deployment\n"),
  readme.indexOf("\n## ", readme.indexOf("## Deployment\n") + 1),
);
/** The fields read here; wrangler types its config loosely. */
const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }) as unknown as {
  queues: { producers?: { queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { tag: string; new_sqlite_classes?: string[] }[];
  assets?: { directory: string };
};

/** The Deployment table: `| \`name\` | kind | created by |`. */
const rows = [...deployment.matchAll(/^\| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
  name: m[1] ?? "",
  kind: (m[2] ?? "").trim(),
  createdBy: (m[3] ?? "").trim(),
}));
/** The commands of the Deployment section's sh blocks, in order. */
const commands = [...deployment.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  (m[1] ?? "")
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean),
);

describe("the README's Deployment section", () => {
  const queues = new Set([
    ...(config.queues.producers ?? []).map((q) => q.queue),
    ...(config.queues.consumers ?? []).flatMap((q) => [
      q.queue,
      ...(q.dead_letter_queue ? [q.dead_letter_queue] : []),
    ]),
  ]);
  const objects = config.durable_objects.bindings.map((b) => ({ binding: b.name, className: b.class_name }));

  it("lists every resource wrangler.toml binds, and only those", () => {
    const listed = rows.map((r) => r.name).sort();
    const bound = [
      ...queues,
      ...objects.map((o) => o.className),
      ...(config.assets ? [config.assets.directory] : []),
    ];
    expect(listed).toEqual(bound.sort());
  });

  it.each([...queues].map((queue) => [queue]))("creates the queue %s before the deploy", (queue) => {
    const create = `npx wrangler queues create ${queue}`;
    expect(rows.find((r) => r.name === queue)?.createdBy).toBe(`\`${create}\``);
    expect(commands).toContain(create);
    expect(commands.indexOf(create)).toBeLessThan(commands.indexOf("npx wrangler deploy"));
  });

  it.each(objects)(
    "names $className's binding $binding and the migration that creates it",
    ({ binding, className }) => {
      const row = rows.find((r) => r.name === className);
      expect(row?.kind).toContain(`binding \`${binding}\``);
      const migration = config.migrations.find((m) => m.new_sqlite_classes?.includes(className));
      expect(migration, `${className} has no migration`).toBeDefined();
      expect(row?.createdBy).toBe(`\`npx wrangler deploy\` (migration ${migration?.tag})`);
    },
  );

  it("puts every secret of the configuration table with wrangler secret put", () => {
    const secrets = [...readme.matchAll(/^\| `([A-Z_]+)` \| secret \|/gm)].map((m) => m[1]);
    expect(secrets.length).toBeGreaterThan(0);
    for (const name of secrets) expect(commands).toContain(`npx wrangler secret put ${name}`);
  });

  it("checks the deploy with the smoke command, which package.json provides", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    expect(scripts.smoke).toBeDefined();
    const smoke = commands.findIndex((c) => c.startsWith("npm run smoke -- "));
    expect(smoke).toBeGreaterThan(commands.indexOf("npx wrangler deploy"));
  });
});

describe("the README's commands and the repository", () => {
  it("names only npm scripts that exist", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    const named = new Set([...readme.matchAll(/npm run (?:-s )?([a-z][a-z0-9:-]*)/g)].map((m) => m[1] ?? ""));
    for (const name of named) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
    expect(scripts["test:e2e"]).toBe("vitest run --project e2e");
  });

  it("ignores no tracked file (.gitignore)", () => {
    const ignoredButTracked = execFileSync(
      "git",
      ["ls-files", "--cached", "--ignored", "--exclude-standard"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    ).trim();
    expect(ignoredButTracked).toBe("");
  });
});
