import type { SchemaIssue } from "../protocol/schema-issues.ts";

/**
 * The input is not a Cricsheet match the adapter can use. The message is one line that
 * names what is wrong; `issues` has the detail when the problem was found by the schema.
 */
export class CricsheetError extends Error {
  override readonly name = "CricsheetError";
  readonly issues: readonly SchemaIssue[];

  constructor(message: string, issues: readonly SchemaIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}
