// Lighthouse (mobile preset, its default simulated throttling) on the pages named in the job,
// each in a fresh-cache run, then the repeat page again on a warm cache (a repeat visit). Each
// is run `runs` times and the median run kept (Lighthouse's own computeMedianRun: by first
// contentful paint and time to interactive), as Lighthouse advises on a noisy machine.
// Called by bench/phone.py: reads the job as JSON on stdin, prints one JSON line of results.
//   {"chrome": "/usr/bin/chromium", "origin": "http://127.0.0.1:PORT",
//    "cookie": {"name": "sessionid", "value": "…"}, "pages": [{"name", "url"}…], "repeat": "today",
//    "runs": 3}
import { readFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";
import puppeteer from "puppeteer-core";

const job = JSON.parse(readFileSync(0, "utf8"));
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

function figures(lhr) {
  const audits = lhr.audits;
  const requests = audits["network-requests"].details?.items ?? [];
  const failing = (category) =>
    lhr.categories[category].auditRefs
      .map((ref) => audits[ref.id])
      .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== "informative"
        && audit.scoreDisplayMode !== "manual" && audit.scoreDisplayMode !== "notApplicable")
      .map((audit) => audit.id);
  return {
    url: lhr.finalDisplayedUrl,
    benchmarkIndex: lhr.environment.benchmarkIndex,
    lcpElement: audits["largest-contentful-paint-element"]?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? null,
    runtimeError: lhr.runtimeError?.message ?? null,
    performance: Math.round((lhr.categories.performance.score ?? 0) * 100),
    accessibility: Math.round((lhr.categories.accessibility.score ?? 0) * 100),
    lcpMs: audits["largest-contentful-paint"].numericValue,
    fcpMs: audits["first-contentful-paint"].numericValue,
    tbtMs: audits["total-blocking-time"].numericValue,
    cls: audits["cumulative-layout-shift"].numericValue,
    bytes: audits["total-byte-weight"].numericValue,
    requests: requests.length,
    // What the page itself came in as: 0 when the service worker answered (it fetches pages
    // from the network itself, out of Lighthouse's sight).
    documentBytes: requests.find((item) => item.resourceType === "Document")?.transferSize ?? 0,
    perRequest: requests.map((item) => [item.url.replace(/^https?:\/\/[^/]+/, ""), item.transferSize]),
    failingPerformance: failing("performance"),
    failingAccessibility: failing("accessibility"),
  };
}

const chrome = await chromeLauncher.launch({ chromePath: job.chrome, chromeFlags: FLAGS });
const results = {};
try {
  // The session goes into the browser's cookie jar, as after signing in on a phone: Lighthouse's
  // extraHeaders would not reach what the service worker fetches (it fetches the pages itself).
  // Lighthouse's storage reset leaves cookies alone.
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  await browser.setCookie({ ...job.cookie, url: job.origin, httpOnly: true, sameSite: "Lax" });
  await browser.disconnect();
  const once = async (url, disableStorageReset) => {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility"],
      disableStorageReset,
    });
    return result.lhr;
  };
  const median = async (url, disableStorageReset, before) => {
    const runs = [];
    for (let n = 0; n < job.runs; n++) {
      if (before) await before();
      runs.push(await once(url, disableStorageReset));
    }
    return figures(computeMedianRun(runs));
  };
  for (const page of job.pages) results[page.name] = await median(page.url, false);
  const repeat = job.pages.find((page) => page.name === job.repeat);
  // Lighthouse clears the cache before each run unless told not to: a fresh-cache visit to the
  // page first, then the measured one keeps what that visit left (cache, service worker).
  results[`${repeat.name} (repeat visit)`] = await median(repeat.url, true, () => once(repeat.url, false));
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results) + "\n");
