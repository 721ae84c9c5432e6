// Yunzhan's web build in Debian's Chromium (headless, SwiftShader WebGL2),
// used the way a visitor uses it:
//   1. the page served by yunzhan-server: loading screen at once, the app's
//      ready signal, the API found beside the page, a canvas that is not
//      blank, no scrollbars, the time to the first frame;
//   2. a deep link to a project lands at it and the address keeps it;
//   3. the text view passes axe-core with no serious or critical violation,
//      and its inquiry form stores an inquiry on the server;
//   4. the same dist from a plain static server with ?api=: an inquiry typed
//      into the app while the API is down is queued in the browser's
//      storage, survives a reload, and is delivered once the API is back;
//   5, 6. an exhibitor's booth previewed from its address and dropped on
//      the page;
//   7. a failed download is named on the loading page, and its retry works.
// Screenshots and timings go to OUT_DIR.
//
//   node web/tests/browser.mjs SERVER_BINARY DIST_DIR OUT_DIR
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { launchChromium, serveStatic } from "./support.mjs";

const [serverBinary, dist, out] = process.argv.slice(2);
if (!serverBinary || !dist || !out) {
  console.error("usage: node browser.mjs SERVER_BINARY DIST_DIR OUT_DIR");
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const failures = [];
const check = (ok, what) => { console.log(`${ok ? "ok  " : "FAIL"} ${what}`); if (!ok) failures.push(what); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () => new Promise((resolve) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});

// The platform server, serving the dist and the API (stopped and started
// again on the same port and database in part 4).
const apiPort = await freePort();
const db = join(mkdtempSync(join(tmpdir(), "yunzhan-browser-")), "yunzhan.db");
const base = `http://127.0.0.1:${apiPort}`;
let server = null;
async function startServer() {
  server = spawn(serverBinary, ["serve", "--listen", `127.0.0.1:${apiPort}`, "--db", db, "--web", dist],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/api/v1/health`)).ok) return; } catch {}
    if (i > 300) throw new Error("the server never answered");
    await sleep(100);
  }
}
async function stopServer() {
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await exited;
}

// A plain static file server for the same dist: a CDN deployment.
const { server: statics, base: staticBase } = await serveStatic(dist);

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
async function screenshot(page, name) {
  const shot = await page.screenshot({ path: join(out, name) });
  const { varied, deviation } = contrast(shot);
  check(varied > 0.2 && deviation > 10,
    `${name} not blank: ${(varied * 100).toFixed(1)}% of pixels off the main colour, luminance deviation ${deviation.toFixed(1)}`);
}
const attribute = (page, name) => page.evaluate((name) => document.documentElement.getAttribute(name), name);
async function waitForAttribute(page, name, value, timeout = 120_000) {
  await page.waitForFunction(([name, value]) => document.documentElement.getAttribute(name) === value,
    [name, value], { timeout, polling: 250 });
}
const READY_TIMEOUT = 480_000;

await startServer();
const browser = await launchChromium();
const timing = {};
const project = await (await fetch(`${base}/api/v1/projects/YZ-2023-00001`)).json();
try {
  // 1. The page served with the API.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on("console", (message) => { if (message.type() === "error") console.log(`console: ${message.text()}`); });
    const requested = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname.slice(1)));
    const started = Date.now();
    await page.goto(base + "/");
    await page.waitForSelector("#loading .box", { state: "visible", timeout: 1500 });
    timing.loading_page_ms = Date.now() - started;
    check(timing.loading_page_ms <= 1500, `loading page visible after ${timing.loading_page_ms} ms (budget 1500)`);
    check(await page.evaluate(() => !!document.createElement("canvas").getContext("webgl2")), "WebGL2 available (SwiftShader)");
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    timing.ready_ms = Date.now() - started;
    timing.first_frame_ms = await page.evaluate(() =>
      Number(document.documentElement.dataset.firstFrame) - performance.timeOrigin);
    check(true, `app ready after ${timing.ready_ms} ms; first frame ${timing.first_frame_ms.toFixed(0)} ms after navigation`);
    await waitForAttribute(page, "data-source", "server");
    const manifest = await (await fetch(`${base}/manifest.json`)).json();
    const fetched = [manifest.wasm, manifest.catalog, manifest.font].map((name) => requested.filter((path) => path === name).length);
    check(fetched.every((count) => count === 1),
      `the page downloaded the wasm, the shipped catalog and the font once each (${fetched.join(", ")})`);
    check(await attribute(page, "data-online") === "true", "the app found the API beside the page and loaded its catalog");
    check(await attribute(page, "data-quality") === "low", "auto quality chose the low tier on a software renderer");
    const cached = await page.waitForFunction(() => (localStorage.getItem("yunzhan/catalog-cache.json") || "").length,
      null, { timeout: 30_000, polling: 250 }).then((length) => length.jsonValue(), () => 0);
    check(cached > 1_000_000, `the catalog cache is kept in the browser's storage (${cached} characters)`);
    await page.waitForTimeout(1000);
    await screenshot(page, "web-lobby.png");
    const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]);
    check(scroll[0] <= scroll[2] && scroll[1] <= scroll[3], `no scrollbars (${scroll.join("x")})`);
    // The canvas follows the window: its drawing buffer matches the new
    // size times the device pixel ratio.
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForFunction(() => {
      const canvas = document.querySelector("#yunzhan-canvas");
      return canvas.width === Math.round(900 * devicePixelRatio) && canvas.height === Math.round(600 * devicePixelRatio);
    }, null, { timeout: 30_000, polling: 250 }).then(() => check(true, "the canvas follows a resize to 900x600"),
      () => check(false, "the canvas did not follow a resize to 900x600"));
    await page.close();
  }

  // 2. A deep link to a project.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${base}/?project=${project.platform_no}&lang=en`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-project", project.platform_no);
    check(await attribute(page, "data-hall") === project.hall, `the link opened ${project.platform_no} in the ${project.hall} hall`);
    await page.waitForTimeout(3000);
    const search = new URLSearchParams(await page.evaluate(() => location.search));
    check(search.get("project") === project.platform_no && search.get("hall") === project.hall && search.get("lang") === "en",
      `the address follows the visitor: ${await page.evaluate(() => location.search)}`);
    await screenshot(page, "web-project.png");
    await page.close();
  }

  // 3. The text view: accessibility, and its inquiry form.
  {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    for (const path of ["/text/index.html", "/text/halls/bazhong.html", `/text/projects/${project.platform_no}.html`]) {
      await page.goto(base + path);
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of result.violations) console.log(`  axe ${path}: ${v.impact} ${v.id} (${v.nodes.length})`);
      check(serious.length === 0, `text view ${path}: no serious accessibility violations (${result.violations.length} minor)`);
    }
    await page.getByLabel("姓名 * Name *").fill("文字版访客");
    await page.getByLabel("邮箱 E-mail").fill("visitor@example.org");
    await page.getByLabel("合作意向 * Intent *").selectOption({ index: 1 });
    await page.getByLabel("留言 * Message *").fill("从文字版发来的询单 text view inquiry");
    await page.getByRole("button", { name: /发送/ }).click();
    await page.waitForFunction(() => document.querySelector("#inquiry-status").textContent.includes("已发送"), null, { timeout: 30_000 });
    check(true, `text view inquiry: ${await page.textContent("#inquiry-status")}`);
    await page.screenshot({ path: join(out, "web-text-view.png"), fullPage: false });
    await page.close();
  }

  // 4. From a static server with ?api=: queued while the API is down, kept over a reload, delivered after.
  {
    await stopServer();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const url = `${staticBase}/?api=${encodeURIComponent(base)}&project=${project.platform_no}&inquire=1`;
    await page.goto(url);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-online", "false");
    await waitForAttribute(page, "data-project", project.platform_no);
    await page.waitForTimeout(2000);
    // The form is open with the keyboard in its first field; fields in order:
    // name, organisation, phone, e-mail, the intent radios, message, submit.
    await page.focus("#yunzhan-canvas");
    // egui moves the focus once per frame, and frames are slow on a software
    // renderer: let the app draw a few frames after each key.
    const frames = (n) => page.evaluate((n) => new Promise((resolve) => {
      const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
      step();
    }), n);
    const type = async (text) => { await page.keyboard.type(text, { delay: 20 }); await frames(4); };
    const press = async (key, times = 1) => { for (let i = 0; i < times; i++) { await page.keyboard.press(key); await frames(4); } };
    await type("Browser Visitor");
    await press("Tab", 3);
    await type("visitor@example.org");
    await press("Tab");
    await press("Space");
    await press("Tab", 6);
    await type("Queued in the browser while the platform was down");
    await page.screenshot({ path: join(out, "web-inquiry-form.png") });
    await press("Tab");
    await press("Enter");
    await waitForAttribute(page, "data-queued", "1", 30_000);
    const stored = await page.evaluate(() => localStorage.getItem("yunzhan/outbox.json") || "");
    check(stored.includes("Queued in the browser"), "the queued inquiry is in the browser's storage");
    await page.screenshot({ path: join(out, "web-inquiry-queued.png") });
    await page.reload();
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-queued", "1", 30_000);
    check(true, "after a reload with the API down the inquiry is still queued");
    await startServer();
    await waitForAttribute(page, "data-sent", "1", 120_000);
    check(await attribute(page, "data-queued") === "0", "delivered once the API was back");
    const token = spawnSync(serverBinary, ["agent-token", project.agent.id, "--db", db], { encoding: "utf8" }).stdout.trim();
    const inbox = await (await fetch(`${base}/api/v1/agents/${project.agent.id}/inquiries`,
      { headers: { Authorization: `Bearer ${token}` } })).json();
    const messages = JSON.stringify(inbox);
    check(messages.includes("Queued in the browser") && messages.includes("从文字版发来的询单"),
      "the server stored both inquiries (the app's and the text view's), once each");
    check((messages.match(/Queued in the browser/g) || []).length === 1, "the app's inquiry is stored exactly once");
    await context.close();
  }

  // 5. An exhibitor's booth previewed from its address (?preview=): fetched
  // beside the page, checked, shown with its own model in its hall.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${staticBase}/?preview=booths/sample/booth.json`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-preview", "ok", 60_000);
    check(await attribute(page, "data-preview-model") === "own", "the previewed booth shows its own glTF model");
    await waitForAttribute(page, "data-hall", "chengdu", 60_000);
    const booth = await attribute(page, "data-preview-booth");
    await waitForAttribute(page, "data-booth", booth, 120_000);
    check(true, `the booth preview took the visitor to the booth (chengdu, booth ${booth})`);
    await page.waitForTimeout(2000);
    await screenshot(page, "web-booth-preview.png");
    await page.close();
  }

  // 6. The booth's files dropped on the page, then a broken model dropped
  // alone: the description and logo of the first drop are kept.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${staticBase}/`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    const dropFiles = (files) => page.evaluate(async (files) => {
      const transfer = new DataTransfer();
      for (const [name, cut] of files) {
        let bytes = await (await fetch(`booths/sample/${name}`)).arrayBuffer();
        if (cut) bytes = bytes.slice(0, cut);
        transfer.items.add(new File([bytes], name));
      }
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, files);
    await dropFiles([["booth.json", 0], ["booth.glb", 0], ["logo.png", 0]]);
    await waitForAttribute(page, "data-preview", "ok", 60_000);
    check(await attribute(page, "data-preview-model") === "own", "booth files dropped on the page are previewed with their own model");
    await dropFiles([["booth.glb", 100]]);
    await waitForAttribute(page, "data-preview", "1 problems", 60_000);
    check(await attribute(page, "data-preview-model") === "standard",
      "a broken model dropped alone shows the standard booth with its one problem (the earlier booth.json kept)");
    await page.close();
  }
  // 7. A download that fails (the font, here) is named on the loading page
  // with a retry, and the retry starts the expo once the file is there.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.route("**/*.otf", (route) => route.fulfill({ status: 404, body: "" }));
    await page.goto(`${staticBase}/`);
    await page.waitForSelector("#problem", { state: "visible", timeout: 60_000 });
    const problem = await page.textContent("#problem-text");
    check(/加载失败/.test(problem) && /NotoSansSC-Yunzhan\.[0-9a-f]{16}\.otf: HTTP 404/.test(problem),
      `a failed download is named on the loading page: ${problem.replace(/\s+/g, " ")}`);
    await page.screenshot({ path: join(out, "web-download-failed.png") });
    await page.unroute("**/*.otf");
    await page.click("#retry");
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    check(true, "the retry loaded the expo once the font could be downloaded");
    await page.close();
  }
  writeFileSync(join(out, "web-timing.json"), JSON.stringify(timing, null, 1) + "\n");
} catch (error) {
  check(false, `browser run stopped: ${error.message}`);
} finally {
  await browser.close();
  if (server) server.kill("SIGTERM");
  statics.close();
}
if (failures.length) { console.error(`${failures.length} browser check(s) failed`); process.exit(1); }
console.log("browser checks passed");
