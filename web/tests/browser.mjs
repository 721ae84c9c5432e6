// Yunzhan's web build in Debian's Chromium (headless, SwiftShader WebGL2):
// the page shows its loading screen at once, the app signals ready, the
// canvas is not blank, and a screenshot is saved.
//
//   node web/tests/browser.mjs SERVER_BINARY DIST_DIR OUT_DIR
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { PNG } from "pngjs";

const [serverBinary, dist, out] = process.argv.slice(2);
if (!serverBinary || !dist || !out) {
  console.error("usage: node browser.mjs SERVER_BINARY DIST_DIR OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

const port = await freePort();
const db = join(mkdtempSync(join(tmpdir(), "yunzhan-browser-")), "yunzhan.db");
const server = spawn(serverBinary, ["serve", "--listen", `127.0.0.1:${port}`, "--db", db, "--web", dist],
  { stdio: ["ignore", "ignore", "inherit"] });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/api/v1/health`)).ok) break; } catch {}
  if (i > 200) throw new Error("the server never answered");
  await new Promise((r) => setTimeout(r, 100));
}

const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures.push(what); };

/** Share of pixels that differ from the most common colour, and the luminance spread. */
function contrast(png) {
  const { data } = PNG.sync.read(png);
  const counts = new Map();
  let sum = 0, sumSq = 0, n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const key = (data[i] >> 3) << 10 | (data[i + 1] >> 3) << 5 | (data[i + 2] >> 3);
    counts.set(key, (counts.get(key) || 0) + 1);
    const y = 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
    sum += y; sumSq += y * y; n++;
  }
  const top = Math.max(...counts.values());
  return { varied: 1 - top / n, deviation: Math.sqrt(sumSq / n - (sum / n) ** 2) };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on("console", (message) => { if (message.type() === "error") console.log(`console: ${message.text()}`); });
  const started = Date.now();
  await page.goto(base + "/");
  await page.waitForSelector("#loading .box", { state: "visible", timeout: 1500 });
  check(Date.now() - started <= 1500, `loading page visible after ${Date.now() - started} ms (budget 1500)`);
  const webgl2 = await page.evaluate(() => !!document.createElement("canvas").getContext("webgl2"));
  check(webgl2, "WebGL2 available (SwiftShader)");
  await page.waitForSelector("html[data-yunzhan=ready]", { timeout: 480_000 });
  const ready = Date.now() - started;
  check(true, `app ready (first frames drawn) after ${ready} ms`);
  await page.waitForTimeout(1000);
  const shot = await page.screenshot({ path: join(out, "web-lobby.png") });
  const { varied, deviation } = contrast(shot);
  check(varied > 0.2 && deviation > 10, `canvas not blank: ${(varied * 100).toFixed(1)}% of pixels off the main colour, luminance deviation ${deviation.toFixed(1)}`);
  const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]);
  check(scroll[0] <= scroll[2] && scroll[1] <= scroll[3], `no scrollbars (${scroll.join("x")})`);
  writeFileSync(join(out, "web-timing.json"), JSON.stringify({ ready_ms: ready }) + "\n");
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
if (failures.length) { console.error(`${failures.length} browser check(s) failed`); process.exit(1); }
console.log("browser checks passed");
