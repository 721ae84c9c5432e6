// Time to first frame of built web apps in headless Chromium (SwiftShader),
// for docs/PERFORMANCE.md: each dist is served from a plain static server
// on loopback and loaded RUNS times in a fresh browser context (the dists
// taking turns, after a round that is not counted); the first
// frame is the app's `<html data-first-frame>` mark (src/web/mod.rs, shared by
// the bare baseline example). Prints one JSON object: per name, the runs
// and their median in milliseconds after navigation, and the medians of the
// phases the page and the app mark (downloaded, compiled, started: see
// index.html; built, renderer ready, first update: src/web/mod.rs), and
// each dist's paired ratio against the last one named (the baseline).
//
//   node web/tests/first-frame.mjs NAME=DIST [NAME=DIST ...]
import { launchChromium, serveStatic } from "./support.mjs";

const RUNS = Number(process.env.RUNS || 3);
const dists = process.argv.slice(2).map((arg) => arg.split("="));
if (!dists.length || dists.some((d) => d.length !== 2)) {
  console.error("usage: node first-frame.mjs NAME=DIST [NAME=DIST ...]");
  process.exit(2);
}
const browser = await launchChromium();
const results = {};
const runs = Object.fromEntries(dists.map(([name]) => [name, []]));
const servers = [];
try {
  for (const [name, dist] of dists) servers.push([name, await serveStatic(dist)]);
  // The dists take turns, load by load, so that the machine's drift falls
  // on all of them alike; the first round warms the browser up and is not
  // counted.
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, { base }] of servers) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.waitForFunction(() => document.documentElement.dataset.firstFrame, null, { timeout: 300_000, polling: 50 });
      const run = await page.evaluate(() => {
        const at = (name) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? NaN);
        const first = Math.round(Number(document.documentElement.dataset.firstFrame) - performance.timeOrigin);
        return {
          first,
          downloaded: at("yunzhan-downloaded"),
          compiled: at("yunzhan-compiled"),
          built: at("yunzhan-built"),
          updating: at("yunzhan-first-update"),
        };
      });
      if (round > 0) runs[name].push(run);
      await context.close();
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [name] of dists) {
    const own = runs[name];
    results[name] = {
      runs: own.map((run) => run.first),
      median_ms: median(own.map((run) => run.first)),
      // Medians of the phases: files downloaded, wasm compiled, then the
      // app's start (building it, the renderer, the first frame).
      downloaded_ms: median(own.map((run) => run.downloaded)),
      compiled_ms: median(own.map((run) => run.compiled - run.downloaded)),
      started_ms: median(own.map((run) => run.first - run.compiled)),
      // The start's parts: the app's plugins built (JS glue included), the
      // window and renderer made ready, the first update up to its end.
      built_ms: median(own.map((run) => run.built - run.compiled)),
      renderer_ms: median(own.map((run) => run.updating - run.built)),
      first_update_ms: median(own.map((run) => run.first - run.updating)),
    };
  }
  // With two or more dists: for each but the last (the baseline), the
  // median over rounds of its time over the baseline's in the same round
  // (loaded one after the other).
  if (dists.length >= 2) {
    const [baseline] = dists[dists.length - 1];
    for (const [name] of dists.slice(0, -1)) {
      const ratios = runs[name].map((run, round) => run.first / runs[baseline][round].first);
      results[name].paired_ratio_median = Number(median(ratios).toFixed(3));
    }
  }
} finally {
  for (const [, { server }] of servers) server.close();
  await browser.close();
}
console.log(JSON.stringify(results));
