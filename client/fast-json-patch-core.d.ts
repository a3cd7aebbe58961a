// fast-json-patch ships its ES module's types as core.d.ts beside core.mjs, which TypeScript
// does not pair with a `.mjs` import by itself.
declare module "fast-json-patch/module/core.mjs" {
  export { applyPatch } from "fast-json-patch/module/core";
}
