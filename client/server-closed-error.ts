/**
 * The server closed the feed with a code that says "do not come back" (policy violation,
 * refused token, unknown match, or a normal end): the subscription is over.
 */
export class ServerClosedError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string) {
    super(`the server closed the feed for good (code ${code}${reason ? `: ${reason}` : ""})`);
    this.name = "ServerClosedError";
    this.code = code;
    this.reason = reason;
  }
}
