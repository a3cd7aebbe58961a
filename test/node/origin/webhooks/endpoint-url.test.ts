import { describe, expect, it } from "vitest";
import {
  MAX_URL_LENGTH,
  redactedUrl,
  secretLookingName,
  urlProblem,
} from "../../../../origin/webhooks/endpoint-url.ts";
import { judgeHost, parseIpv6 } from "../../../../origin/webhooks/internal-host.ts";

const PRODUCTION = { allowLoopbackHttp: false };
const LOCAL_DEV = { allowLoopbackHttp: true };
const INSIDE = /^must not point inside a network: /;

/**
 * Every address of issue 18's point 6 (the first block), then the neighbours a fix for those
 * alone would miss. Each is refused in production with a reason that names the problem.
 */
const REFUSED: [url: string, reason: RegExp][] = [
  // Issue 18, point 6, as reported.
  ["https://169.254.169.254/latest/meta-data/", /169\.254\.169\.254 is a link-local address .*metadata/],
  ["https://10.0.0.1/hook", /10\.0\.0\.1 is a private address \(10\.0\.0\.0\/8\)/],
  ["https://192.168.1.1/hook", /192\.168\.1\.1 is a private address \(192\.168\.0\.0\/16\)/],
  ["https://[fd00::1]/hook", /\[fd00::1\] is a unique-local address \(fc00::\/7\)/],
  ["https://metadata.google.internal/computeMetadata/v1/", /metadata\.google\.internal is a cloud metadata/],
  ["http://127.1/hook", /127\.0\.0\.1 is a loopback address .*WEBHOOK_ALLOW_LOOPBACK_HTTP/],
  ["http://0x7f000001/hook", /127\.0\.0\.1 is a loopback address .*WEBHOOK_ALLOW_LOOPBACK_HTTP/],
  ["http://2130706433/hook", /127\.0\.0\.1 is a loopback address .*WEBHOOK_ALLOW_LOOPBACK_HTTP/],
  ["http://LOCALHOST:9000/hook", /localhost is a loopback name .*WEBHOOK_ALLOW_LOOPBACK_HTTP/],
  ["  https://partner.example/hook", /leading or trailing whitespace/],
  ["https://partner.example/hook\n", /leading or trailing whitespace/],
  ["https://partner.example/hook?apikey=sk_live_123", /query parameter "apikey" looks like a secret/],
  // Other spellings and neighbours.
  ["https://0177.0.0.1/hook", /127\.0\.0\.1 is a loopback address/],
  ["https://127.0.0.1./hook", /127\.0\.0\.1 is a loopback address/],
  ["https://localhost./hook", /localhost\. is a loopback name/],
  ["https://api.localhost/hook", /api\.localhost is a loopback name/],
  ["https://[::1]/hook", /\[::1\] is the loopback address/],
  ["https://[0:0:0:0:0:0:0:1]/hook", /\[::1\] is the loopback address/],
  ["https://0.0.0.0/hook", /0\.0\.0\.0 is a 'this network' address/],
  ["https://[::]/hook", /\[::\] is the unspecified address/],
  ["https://172.16.0.1/hook", /172\.16\.0\.0\/12/],
  ["https://172.31.255.254/hook", /172\.16\.0\.0\/12/],
  ["https://100.64.0.1/hook", /carrier-grade NAT address \(100\.64\.0\.0\/10\)/],
  ["https://100.100.100.200/latest/meta-data", /carrier-grade NAT/],
  ["https://169.254.170.2/v2/credentials", /link-local/],
  ["https://192.0.0.192/opc/v2/instance", /IETF protocol address/],
  ["https://224.0.0.1/hook", /multicast/],
  ["https://255.255.255.255/hook", /reserved address/],
  ["https://[fe80::1]/hook", /\[fe80::1\] is a link-local address \(fe80::\/10\)/],
  ["https://[fc00::1]/hook", /unique-local/],
  ["https://[fd00:ec2::254]/latest/meta-data", /unique-local/],
  ["https://[::ffff:127.0.0.1]/hook", /IPv4-mapped IPv6 address/],
  ["https://[::ffff:10.0.0.1]/hook", /IPv4-mapped IPv6 address/],
  ["https://[::ffff:8.8.8.8]/hook", /IPv4-mapped IPv6 address/],
  ["https://[::127.0.0.1]/hook", /IPv4-compatible IPv6 address/],
  ["https://[64:ff9b::a00:1]/hook", /NAT64/],
  ["https://[2002:a00:1::]/hook", /6to4/],
  ["https://[ff02::1]/hook", /multicast/],
  ["https://metadata.goog/computeMetadata/v1/", /cloud metadata/],
  ["https://metadata/computeMetadata/v1/", /cloud metadata/],
  ["https://instance-data.ec2.internal/latest/", /cloud metadata/],
  ["https://build-server.internal/hook", /an internal name/],
  ["https://printer.local/hook", /multicast DNS name/],
  ["https://router.home.arpa/hook", /home-network name/],
  ["https://intranet/hook", /intranet is a single-label name \(no dot\)/],
  ["https://INTRANET./hook", /single-label name/],
  ["\thttps://partner.example/hook", /leading or trailing whitespace/],
  ["https://partner.example/hook\r\n", /leading or trailing whitespace/],
  ["https://partner.example/ho\nok", /control character \(U\+000A\)/],
  ["https://partner.example/ho\tok", /control character \(U\+0009\)/],
  ["https://partner.example/ho\u0000ok", /control character \(U\+0000\)/],
  ["https://partner.example/a b", /contains whitespace/],
  ["\u00a0https://partner.example/hook", /leading or trailing whitespace/],
  ["https://user:pw@partner.example/hook", /must not carry credentials/],
  ["https://user@partner.example/hook", /must not carry credentials/],
  ["https://partner.example/hook?api_key=x", /"api_key" looks like a secret/],
  ["https://partner.example/hook?key=x", /"key" looks like a secret/],
  ["https://partner.example/hook?token=x", /"token" looks like a secret/],
  ["https://partner.example/hook?access_token=x", /"access_token" looks like a secret/],
  ["https://partner.example/hook?secret=x", /"secret" looks like a secret/],
  ["https://partner.example/hook?password=x", /"password" looks like a secret/],
  ["https://partner.example/hook?auth=x", /"auth" looks like a secret/],
  ["https://partner.example/hook?signature=x", /"signature" looks like a secret/],
  ["https://partner.example/hook?sig=x", /"sig" looks like a secret/],
  ["https://partner.example/hook?match=ipl&X-Api-Key=x", /"X-Api-Key" looks like a secret/],
  ["https://partner.example/hook?clientSecret=x", /"clientSecret" looks like a secret/],
  ["https://partner.example/hook?accesstoken=x", /"accesstoken" looks like a secret/],
  ["https://partner.example/hook?%61pikey=x", /"apikey" looks like a secret/],
  ["http://partner.example/hook", /must be https/],
  ["ftp://partner.example/hook", /must be an https URL, not ftp:/],
  ["javascript:alert(1)", /must be an https URL/],
  ["partner.example/hook", /not an absolute URL/],
  [`https://partner.example/${"x".repeat(MAX_URL_LENGTH)}`, /at most 2048 characters/],
];

/** Good receivers: accepted whatever the local setting. */
const ACCEPTED = [
  "https://partner.example/hooks/crease",
  "https://hooks.partner.example:8443/crease?match=ipl-2026&format=json",
  "https://partner.example/hook?monkey=1&keyword=wicket&author=me",
  "https://8.8.8.8/hook",
  "https://172.32.0.1/hook",
  "https://100.128.0.1/hook",
  "https://[2606:4700:4700::1111]/hook",
  "https://bücher.example/hook",
  "https://partner.example./hook",
];

describe("receiver URLs (issue 18, point 6)", () => {
  it.each(REFUSED)("refuses %j, naming why", (url, reason) => {
    const problem = urlProblem(url, PRODUCTION);
    expect(problem).not.toBeNull();
    expect(problem).toMatch(reason);
  });

  it.each(ACCEPTED)("accepts %s", (url) => {
    expect(urlProblem(url, PRODUCTION)).toBeNull();
    expect(urlProblem(url, LOCAL_DEV)).toBeNull();
  });

  it("with WEBHOOK_ALLOW_LOOPBACK_HTTP, loopback receivers are allowed (over http too), and nothing else changes", () => {
    for (const url of [
      "http://127.0.0.1:9000/hook",
      "http://127.1/hook",
      "http://0x7f000001/hook",
      "http://2130706433/hook",
      "http://LOCALHOST:9000/hook",
      "http://[::1]:9000/hook",
      "https://localhost/hook",
    ]) {
      expect(urlProblem(url, LOCAL_DEV), url).toBeNull();
    }
    const loopback = /is (a|the) loopback/;
    for (const [url, reason] of REFUSED) {
      const problem = urlProblem(url, LOCAL_DEV);
      if (problem === null) expect(String(reason), url).toMatch(loopback);
      else expect(problem, url).toMatch(reason);
    }
    // Loopback is the only exception: plain http elsewhere, and every other inside address, stay refused.
    expect(urlProblem("http://partner.example/hook", LOCAL_DEV)).toMatch(/must be https/);
    expect(urlProblem("http://10.0.0.1/hook", LOCAL_DEV)).toMatch(INSIDE);
    expect(urlProblem("http://127.0.0.1:9000/hook?token=x", LOCAL_DEV)).toMatch(/looks like a secret/);
  });

  it("every refusal of an inside address says so the same way", () => {
    for (const url of ["https://10.0.0.1/", "https://[fd00::1]/", "https://intranet/", "http://127.1/"]) {
      expect(urlProblem(url, PRODUCTION)).toMatch(INSIDE);
    }
  });
});

describe("hosts", () => {
  it("IPv6 parses in every form the URL parser can hand over", () => {
    expect(parseIpv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("fd00::1")).toEqual([0xfd00, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6("::ffff:7f00:1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6("::ffff:127.0.0.1")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6("1::2::3")).toBeNull();
    expect(parseIpv6("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(parseIpv6("12345::")).toBeNull();
  });
  it("judges the parsed hostname, which the URL parser has normalised", () => {
    for (const spelling of ["127.1", "0x7f000001", "2130706433", "0177.0.0.01", "127.0.0.1"]) {
      const hostname = new URL(`http://${spelling}/`).hostname;
      expect(hostname).toBe("127.0.0.1");
      expect(judgeHost(hostname).kind).toBe("loopback");
    }
    expect(judgeHost(new URL("http://LOCALHOST/").hostname).kind).toBe("loopback");
    expect(judgeHost("partner.example")).toEqual({ kind: "public" });
  });
});

describe("secret-looking query parameters", () => {
  it("are recognised by their words, not by substrings of innocent ones", () => {
    for (const name of ["apikey", "api_key", "apiKey", "X-API-KEY", "token", "authToken", "sig", "pwd"]) {
      expect(secretLookingName(name), name).toBe(true);
    }
    for (const name of ["match", "monkey", "keyword", "author", "signal", "format", "kind"]) {
      expect(secretLookingName(name), name).toBe(false);
    }
  });
  it("are redacted, with credentials, where a URL stored before the refusal is shown", () => {
    expect(redactedUrl("https://partner.example/hook?apikey=sk_live_1&match=ipl")).toBe(
      "https://partner.example/hook?apikey=REDACTED&match=ipl",
    );
    expect(redactedUrl("https://u:p@partner.example/hook")).toBe("https://partner.example/hook");
    expect(redactedUrl("https://partner.example/hook?match=ipl")).toBe(
      "https://partner.example/hook?match=ipl",
    );
    expect(redactedUrl("not a url")).toBe("not a url");
  });
});
