// Time to first frame of built web apps in headless Chromium (SwiftShader),
// for docs/PERFORMANCE.md: each dist is served from a plain static server
// on loopback and loaded RUNS times in a fresh browser context; the first
// frame is the app's `<html data-first-frame>` mark (src/web.rs, shared by
// the bare baseline example). Prints one JSON object: per name, the runs
// and their median in milliseconds after navigation, and the medians of the
// phases the page marks (downloaded, compiled, started: see index.html).
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
try {
  for (const [name, dist] of dists) {
    const { server, base } = await serveStatic(dist);
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.waitForFunction(() => document.documentElement.dataset.firstFrame, null, { timeout: 300_000, polling: 50 });
      runs.push(await page.evaluate(() => {
        const at = (name) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? NaN);
        const first = Math.round(Number(document.documentElement.dataset.firstFrame) - performance.timeOrigin);
        return { first, downloaded: at("yunzhan-downloaded"), compiled: at("yunzhan-compiled") };
      }));
      await context.close();
    }
    server.close();
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    results[name] = {
      runs: runs.map((run) => run.first),
      median_ms: median(runs.map((run) => run.first)),
      // Medians of the phases: files downloaded, wasm compiled, then the
      // app's start (building it, the renderer, the first frame).
      downloaded_ms: median(runs.map((run) => run.downloaded)),
      compiled_ms: median(runs.map((run) => run.compiled - run.downloaded)),
      started_ms: median(runs.map((run) => run.first - run.compiled)),
    };
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
