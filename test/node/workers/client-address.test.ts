import { describe, expect, it } from "vitest";
import { rateLimitKey } from "../../../workers/client-address.ts";

describe("rateLimitKey", () => {
  it("keeps an IPv4 address whole", () => {
    expect(rateLimitKey("203.0.113.7")).toBe("203.0.113.7");
  });
  it("puts every address of one IPv6 /64 under one key, however it is written", () => {
    const key = rateLimitKey("2001:db8:85a3:42::1");
    expect(key).toBe("2001:db8:85a3:42::/64");
    for (const same of [
      "2001:0db8:85a3:0042:ffff:ffff:ffff:ffff",
      "2001:DB8:85A3:42:1:2:3:4",
      "[2001:db8:85a3:42::abcd]",
      "2001:db8:85a3:42:0:0:0:1%eth0",
    ])
      expect(rateLimitKey(same), same).toBe(key);
    expect(rateLimitKey("2001:db8:85a3:43::1")).not.toBe(key);
    expect(rateLimitKey("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitKey("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(rateLimitKey("::ffff:192.0.2.1")).toBe("0:0:0:0::/64");
  });
  it("keeps anything unparseable as its own (bounded) key", () => {
    expect(rateLimitKey("not:an:address:::x")).toBe("not:an:address:::x");
    expect(rateLimitKey("x".repeat(500))).toHaveLength(64);
  });
});
