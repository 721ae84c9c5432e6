// Time to first frame of built web apps in headless Chromium (SwiftShader),
// for docs/PERFORMANCE.md: each dist is served from a plain static server
// on loopback and loaded RUNS times in a fresh browser context; the first
// frame is the app's `<html data-first-frame>` mark (src/web.rs, shared by
// the bare baseline example). Prints one JSON object: per name, the runs
// and their median in milliseconds after navigation.
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
      runs.push(Math.round(await page.evaluate(() => Number(document.documentElement.dataset.firstFrame) - performance.timeOrigin)));
      await context.close();
    }
    server.close();
    const sorted = [...runs].sort((a, b) => a - b);
    results[name] = { runs, median_ms: sorted[Math.floor(sorted.length / 2)] };
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
