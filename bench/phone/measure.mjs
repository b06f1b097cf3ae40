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
    warnings: lhr.runWarnings ?? [],
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
    longTasks: (audits["long-tasks"]?.details?.items ?? []).map((item) => [item.url, Math.round(item.duration)]),
    mainThread: (audits["mainthread-work-breakdown"]?.details?.items ?? []).map((item) => [item.group, Math.round(item.duration)]),
    failingAccessibility: failing("accessibility"),
  };
}

// A fresh Chromium for each measurement, as the Lighthouse command line does: nothing left by
// one run (a tab, a service worker, code caches) weighs on the next.
async function inChrome(work) {
  const chrome = await chromeLauncher.launch({ chromePath: job.chrome, chromeFlags: FLAGS });
  try {
    // The session goes into the browser's cookie jar, as after signing in on a phone:
    // Lighthouse's extraHeaders would not reach what the service worker fetches (it fetches
    // the pages itself). Lighthouse's storage reset leaves cookies alone.
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
    return await work(once);
  } finally {
    await chrome.kill();
  }
}

// A run that failed (Lighthouse's runtimeError, such as NO_NAVSTART when the trace of the
// page load could not be recorded, or no performance score) has no figures to choose by: it
// is run again, up to EXTRA_RUNS more runs in all, and the median is taken over the runs that
// succeeded. When none did, the last failure is reported as it is (phone.py says it is an error).
const EXTRA_RUNS = 3;

function failure(lhr) {
  if (lhr.runtimeError) return `${lhr.runtimeError.code}: ${lhr.runtimeError.message}`;
  if (typeof lhr.categories?.performance?.score !== "number") return "no performance score";
  return null;
}

async function median(measure) {
  const good = [];
  const failures = [];
  let last = null;
  while (good.length < job.runs && good.length + failures.length < job.runs + EXTRA_RUNS) {
    const lhr = await inChrome(measure);
    const why = failure(lhr);
    if (why) {
      failures.push(why);
      last = lhr;
    } else good.push(lhr);
  }
  if (good.length === 0) return { ...figures(last), runtimeError: failures.at(-1), failedRuns: failures };
  return { ...figures(computeMedianRun(good)), runs: good.length, failedRuns: failures };
}

const results = {};
for (const page of job.pages) results[page.name] = await median((once) => once(page.url, false));
const repeat = job.pages.find((page) => page.name === job.repeat);
// Lighthouse clears the cache and the service worker before a run unless told not to: a
// fresh-cache visit first, then the measured visit keeps what that one left.
results[`${repeat.name} (repeat visit)`] = await median(async (once) => {
  await once(repeat.url, false);
  return await once(repeat.url, true);
});
process.stdout.write(JSON.stringify(results) + "\n");
