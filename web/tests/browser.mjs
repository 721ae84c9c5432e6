// Yunzhan's web build in Debian's Chromium (headless, SwiftShader WebGL2),
// used the way a visitor uses it:
//   1. the page served by yunzhan-server: the loading screen in the markup
//      before any script (shown with JavaScript off, so it needs no script
//      or download), the app's ready signal, the API found beside the page,
//      a canvas that is not blank, no scrollbars;
//   2. a deep link to a project lands at it and the address keeps it;
//   2b. the app sends anonymous counts in batches, and none at all under
//      the Global Privacy Control signal (the text view likewise in 3,
//      and with its "don't count me" box ticked);
//   3. the text view passes axe-core with no serious or critical violation,
//      and its inquiry form stores an inquiry on the server;
//   4. the same dist from a plain static server with ?api=: an inquiry typed
//      into the app while the API is down is queued in the browser's
//      storage, survives a reload, and is delivered once the API is back;
//   5, 6. an exhibitor's booth previewed from its address and dropped on
//      the page;
//   7. a failed download is named on the loading page, and its retry works;
//   4b. (with part 4's delivered inquiry) the service agent signs in to the
//      workspace (/agent/), sees it, replies and moves it to 合作意向 with
//      an amount; the 3D app shows the reply and the stage without a
//      reload, the visitor's private thread page follows the next reply
//      live, the visitor answers there and the agent's page shows it live;
//      a forged form and a cross-site post change nothing; axe-core on
//      every workspace and thread page;
//   4c. a phone held upright (390x844, touch): the touch controls from the
//      first frame, the lobby's gates in view, no scrollbars, the hint
//      closed by a tap that opens nothing behind it, a card opened by a
//      tap, its inquiry button tapped, the inquiry typed on it reaches the
//      project's agent, and the joystick walks;
//   8. a workspace session expires (a server with 3-second sessions);
//   9. an organiser's dashboard counts those inquiries, draws its charts,
//      passes axe-core and downloads its tables (workbook and CSV);
//   10. the exhibitor of the counted project sees its booth's anonymous
//      figures (small counts as "<5"), axe-core clean;
//   11. the agent of a challenge opens its possible solutions (axe-core
//      clean) and routes one, which opens a deal at 已对接.
// Screenshots and timings go to OUT_DIR. Timings (web-timing.json: the
// loading page, first paint, first frame, ready) are reported, not checked
// against a budget: on a busy machine they vary while nothing is wrong.
// Every wait is for a state, with a deadline; none is a fixed pause.
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

/** Polls `condition` (async, in Node) until it gives a truthy value, which it
 * returns; throws, naming `what`, once `timeoutMs` pass without one. */
async function until(condition, what, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs); // the polling interval, not a wait for the state
  }
}
/** Waits for `fn(arg)`, evaluated in the page, to hold: true, or false once
 * `timeout` ms pass (for checks that name what failed themselves). */
const holds = (page, fn, arg, timeout) =>
  page.waitForFunction(fn, arg, { timeout, polling: 250 }).then(() => true, () => false);

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
  await until(() => fetch(`${base}/api/v1/health`).then((answer) => answer.ok, () => false),
    `the server to answer ${base}/api/v1/health`, 30_000, 100);
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
/** Screenshots the page into OUT_DIR/name until the picture is not blank
 * (the scene may still be painting), and checks that it came to be so. */
async function screenshot(page, name, timeout = 60_000) {
  let figures = { varied: 0, deviation: 0 };
  let why = "";
  const shown = await until(async () => {
    figures = contrast(await page.screenshot({ path: join(out, name) }));
    return figures.varied > 0.2 && figures.deviation > 10;
  }, `${name} not to be blank`, timeout, 500).then(() => true, (error) => { why = ` (${error.message})`; return false; });
  check(shown,
    `${name} not blank: ${(figures.varied * 100).toFixed(1)}% of pixels off the main colour, luminance deviation ${figures.deviation.toFixed(1)}${why}`);
}
const attribute = (page, name) => page.evaluate((name) => document.documentElement.getAttribute(name), name);
async function waitForAttribute(page, name, value, timeout = 120_000) {
  const reached = await holds(page, ([name, value]) => document.documentElement.getAttribute(name) === value,
    [name, value], timeout);
  if (!reached) {
    const now = await attribute(page, name);
    throw new Error(`gave up after ${timeout} ms waiting for <html ${name}="${value}"> (it is ${now === null ? "absent" : `"${now}"`})`);
  }
}
const READY_TIMEOUT = 480_000;
// egui moves the focus once per frame, and frames are slow on a software
// renderer: keys are paced by drawn frames (not milliseconds, which a slow
// machine would use up on fewer frames).
const frames = (page, n) => page.evaluate((n) => new Promise((resolve) => {
  const step = () => (n-- <= 0 ? resolve() : requestAnimationFrame(step));
  step();
}), n);
// Fills the app's open inquiry form by keyboard and submits it. The form has
// the keyboard in its first field; fields in order: name, organisation,
// phone, e-mail, the intent radios (the first is chosen), message, submit.
// Where egui's focus is cannot be read from the page, so keys are counted.
async function typeInquiry(page, name, email, message, beforeSubmit = async () => {}) {
  await page.focus("#yunzhan-canvas");
  const type = async (text) => { await page.keyboard.type(text, { delay: 20 }); await frames(page, 4); };
  const press = async (key, times = 1) => { for (let i = 0; i < times; i++) { await page.keyboard.press(key); await frames(page, 4); } };
  await type(name);
  await press("Tab", 3);
  await type(email);
  await press("Tab");
  await press("Space");
  await press("Tab", 6);
  await type(message);
  await beforeSubmit();
  await press("Tab");
  await press("Enter");
}

/** Boxes of `wanted` pixels in a PNG: each connected region at least
 * `min` px in both directions and mostly `wanted` (text may lie inside). */
function boxes(png, wanted, min) {
  const { width, height, data } = PNG.sync.read(png);
  const fill = (i) => wanted(data[i * 4], data[i * 4 + 1], data[i * 4 + 2]);
  const seen = new Uint8Array(width * height);
  const found = [];
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || !fill(start)) continue;
    const stack = [start];
    seen[start] = 1;
    let pixels = 0, x0 = width, y0 = height, x1 = 0, y1 = 0;
    while (stack.length) {
      const i = stack.pop();
      const x = i % width, y = (i - x) / width;
      pixels++;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width]) {
        if (j >= 0 && j < width * height && !seen[j] && fill(j)) { seen[j] = 1; stack.push(j); }
      }
    }
    const w = x1 - x0 + 1, h = y1 - y0 + 1;
    if (w >= min && h >= min && pixels >= 0.5 * w * h) found.push({ x: x0, y: y0, w, h });
  }
  return { width, height, found };
}
const BUTTON = (r, g, b) => r === 60 && g === 60 && b === 60; // egui's button fill
const TEXT_FIELD = (r, g, b) => r <= 12 && g <= 12 && b <= 12; // egui's text field fill
/** The buttons (or, with TEXT_FIELD, the text fields) the app's panels draw
 * in the canvas, found in a screenshot (optionally kept in OUT_DIR/name) by
 * their fill. Only those under the open panel's close button (its title
 * bar) count, in rows from the top: the top bar's buttons are left out. */
async function panelRows(page, name, wanted = BUTTON) {
  const png = await page.screenshot(name ? { path: join(out, name) } : {});
  const { width, found } = boxes(png, BUTTON, 30);
  // The close button: square, at the right of the screen.
  const close = found.filter((b) => Math.abs(b.w - b.h) <= 2 && b.x + b.w > width - 30).sort((a, b) => a.y - b.y).pop();
  if (!close) return [];
  const rows = [];
  const shown = wanted === BUTTON ? found : boxes(png, wanted, 30).found;
  for (const box of shown.filter((b) => b.y > close.y + close.h).sort((a, b) => a.y - b.y || a.x - b.x)) {
    const row = rows.find((r) => Math.abs(r[0].y - box.y) <= 3);
    if (row) row.push(box); else rows.push([box]);
  }
  return rows;
}
/** The project card nearest the middle of the screen (the screenshot kept in
 * OUT_DIR/name): white faces of 40 px and more in the picture are cards
 * (white under a coloured header). */
async function cardNearTheMiddle(page, name) {
  const { width, height, found } = boxes(await page.screenshot({ path: join(out, name) }), (r, g, b) => r >= 245 && g >= 245 && b >= 240, 40);
  const distance = (box) => Math.hypot(box.x + box.w / 2 - width / 2, box.y + box.h / 2 - height / 2);
  return found.sort((a, b) => distance(a) - distance(b))[0];
}
const center = (box) => ({ x: box.x + box.w / 2, y: box.y + box.h / 2 });

/** axe-core on the page: no serious or critical violation. */
async function accessible(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result.violations) console.log(`  axe ${what}: ${v.impact} ${v.id} (${v.nodes.length})`);
  check(serious.length === 0, `${what}: no serious accessibility violations (${result.violations.length} minor)`);
}

/** Signs in to the workspace at `origin` with `token` in a new context and
 * waits for the page it lands on (by its heading). */
async function signIn(origin, token, heading = "询单") {
  // bypassCSP: the pages allow no inline script, and axe-core is injected as one.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN", bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${origin}/agent/`);
  await page.getByLabel("令牌").fill(token);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForSelector(`main h1:has-text('${heading}')`, { timeout: 30_000 });
  return { context, page };
}

/** Milliseconds until `fn(arg)` holds in `page`, or null after `timeout`. */
async function latency(page, fn, arg, timeout, startedAt) {
  return (await holds(page, fn, arg, timeout)) ? Date.now() - startedAt : null;
}

/** Part 4b: the agent and the visitor of the inquiry the app delivered. */
async function agentAndVisitor(app, token) {
  const outbox = JSON.parse(await app.evaluate(() => localStorage.getItem("yunzhan/outbox.json") || "[]"));
  const entry = outbox.find((e) => e.inquiry && e.inquiry.message.includes("Queued in the browser"));
  check(!!(entry && entry.thread_secret), "the app keeps the receipt's thread secret in its stored outbox");
  const { id, thread_secret: secret } = entry;
  const { context, page: agent } = await signIn(base, token);
  const cookie = (await context.cookies()).find((c) => c.name === "yz_session");
  check(cookie && cookie.httpOnly && cookie.sameSite === "Strict",
    `the session cookie is HttpOnly and SameSite=Strict (${JSON.stringify(cookie && { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite })})`);
  check(await agent.locator(`a[href="/agent/inquiries/${id}"]`).count() === 1, `the inbox lists the app's inquiry #${id}`);
  await accessible(agent, "workspace inbox");
  await agent.screenshot({ path: join(out, "workspace-inbox.png") });
  await agent.click(`a[href="/agent/inquiries/${id}"]`);
  await agent.waitForSelector("body[data-live=connected]", { timeout: 30_000 });
  check(await agent.locator("#live").textContent().then((t) => t.includes("Queued in the browser")), "the inquiry's page shows the visitor's message");
  await accessible(agent, "workspace inquiry page");

  // Each delay is counted from the moment the server has stored the change
  // (the form's answer has come back), to when the page shows it.
  await agent.getByLabel(/回复内容/).fill("您好！我们周三可以视频洽谈。");
  await agent.getByRole("button", { name: "发送回复" }).click();
  await agent.waitForSelector("ol.thread li.agent", { timeout: 30_000 });
  const repliedAt = Date.now();
  // The 3D app, open all along, shows it without a reload.
  const replyMs = await latency(app, () => document.documentElement.dataset.agentReplies === "1", null, 30_000, repliedAt);
  await agent.selectOption("#to", "intention");
  await agent.fill("#amount_wan", "350");
  await agent.fill("#parties", "成都示例公司\n四川大学");
  await agent.getByRole("button", { name: "保存阶段" }).click();
  await agent.waitForSelector("#stage-now:has-text('合作意向')", { timeout: 30_000 });
  const movedAt = Date.now();
  const stageMs = await latency(app, () => document.documentElement.dataset.stages === "intention", null, 30_000, movedAt);
  check(replyMs !== null && stageMs !== null,
    `the 3D app shows the agent's reply and the stage 合作意向 without reloading (after ${replyMs} ms and ${stageMs} ms)`);
  console.log(`     figure: the app showed the reply ${replyMs} ms and the stage ${stageMs} ms after they were stored ` +
    "(it reads its threads every second; frames are slow on SwiftShader)");
  check(Number(await attribute(app, "data-unread")) >= 1, `the app's unread badge counts them (data-unread=${await attribute(app, "data-unread")})`);

  // The visitor's private thread page (the text view's and the kiosk QR's link).
  const visitor = await browser.newPage({ viewport: { width: 420, height: 860 }, locale: "zh-CN", bypassCSP: true });
  await visitor.goto(`${base}/thread/${id}/${secret}`);
  await visitor.waitForSelector("body[data-live=connected]", { timeout: 30_000 });
  const threadText = await visitor.locator("#live").textContent();
  check(threadText.includes("周三可以视频洽谈") && threadText.includes("合作意向"), "the thread page shows the reply and the stage");
  await accessible(visitor, "visitor's thread page");
  await agent.getByLabel(/回复内容/).fill("请问贵方联系人是哪位？");
  await agent.getByRole("button", { name: "发送回复" }).click();
  await agent.waitForSelector("text=请问贵方联系人是哪位？", { timeout: 30_000 });
  const secondAt = Date.now();
  const pageMs = await latency(visitor, () => document.getElementById("live").textContent.includes("请问贵方联系人"), null, 2_000, secondAt);
  check(pageMs !== null && await visitor.evaluate(() => Number(document.body.dataset.refreshes) >= 1),
    `the thread page shows the agent's next reply live, within 2 s (${pageMs} ms, no reload)`);
  await visitor.screenshot({ path: join(out, "thread-page.png"), fullPage: true });

  // The visitor answers; the agent's open page shows it live.
  await agent.waitForSelector("body[data-live=connected]", { timeout: 30_000 });
  await visitor.fill("#body", "联系人是王经理，电话稍后发您。");
  await visitor.getByRole("button", { name: "发送" }).click();
  await visitor.waitForSelector("text=联系人是王经理", { timeout: 30_000 });
  const answeredAt = Date.now();
  const agentMs = await latency(agent, () => document.getElementById("live").textContent.includes("联系人是王经理"), null, 2_000, answeredAt);
  check(agentMs !== null, `the agent's page shows the visitor's answer live, within 2 s (${agentMs} ms)`);
  await agent.screenshot({ path: join(out, "workspace-inquiry.png"), fullPage: true });

  // A forged form (wrong CSRF token) and a post from another site change nothing.
  await agent.evaluate(() => { document.querySelector("form[action$='/reply'] input[name=csrf]").value = "forged"; });
  await agent.getByLabel(/回复内容/).fill("伪造的回复");
  const [forged] = await Promise.all([agent.waitForNavigation(), agent.getByRole("button", { name: "发送回复" }).click()]);
  check(forged.status() === 403 && (await agent.textContent("main")).includes("表单已过期"),
    `a form with a wrong CSRF token is refused (HTTP ${forged.status()})`);
  const elsewhere = await context.newPage();
  await elsewhere.goto(`${staticBase}/`, { waitUntil: "domcontentloaded" });
  const [crossSite] = await Promise.all([
    elsewhere.waitForNavigation(),
    elsewhere.evaluate(([action]) => {
      const form = document.createElement("form");
      form.method = "post"; form.action = action;
      const body = document.createElement("input"); body.name = "body"; body.value = "跨站伪造";
      form.appendChild(body); document.body.appendChild(form); form.submit();
    }, [`${base}/agent/inquiries/${id}/reply`]),
  ]);
  check([401, 403].includes(crossSite.status()), `a post from another site is refused (HTTP ${crossSite.status()}: its Origin is not the workspace's)`);
  await agent.goto(`${base}/agent/inquiries/${id}`);
  const kept = await agent.locator("#live").textContent();
  check(!kept.includes("伪造的回复") && !kept.includes("跨站伪造"), "neither refused post was stored");
  await visitor.close();
  await context.close();

  // The visitor's "My inquiries" in the app, for the README.
  const mine = await app.context().newPage();
  await mine.setViewportSize({ width: 1280, height: 720 });
  await mine.goto(`${staticBase}/?api=${encodeURIComponent(base)}&inquiries=1`);
  await mine.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
  await waitForAttribute(mine, "data-stages", "intention", 60_000);
  await screenshot(mine, "web-my-inquiries.png");
  await mine.close();
}

/** Part 9: the organisers' dashboard over the inquiries of parts 3 and 4
 * (one of them at 合作意向, 350 万元): figures, charts, downloads. */
async function organiserDashboard() {
  const token = spawnSync(serverBinary, ["organiser-token", "会务组", "--db", db], { encoding: "utf8" }).stdout.trim();
  const { context, page } = await signIn(base, token);
  await page.getByRole("link", { name: "数据看板" }).click();
  await page.waitForSelector("h1:has-text('数据看板')", { timeout: 30_000 });
  const tile = (label) => page.locator("ul.tiles li", { has: page.locator(`span.label:text-is("${label}")`) })
    .locator("span.value").textContent();
  const [inquiries, intentions, amount] = [await tile("询价"), await tile("合作意向"), await tile("意向金额（亿元）")];
  check(Number(inquiries) >= 2 && intentions === "1" && amount === "0.035",
    `the dashboard counts the inquiries (${inquiries}), the intention (${intentions}) and its amount in 亿元 (${amount})`);
  check(await page.locator("svg.chart").count() >= 3 && await page.locator("p.demo").isVisible(),
    "the dashboard draws its charts and labels the demo data");
  await accessible(page, "organisers' dashboard");
  await page.screenshot({ path: join(out, "organiser-dashboard.png"), fullPage: true });
  const fetched = async (link) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: link }).click()]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  };
  const book = await fetched("下载全部表格（Excel）");
  check(book.name.endsWith(".xlsx") && book.bytes.subarray(0, 2).toString() === "PK",
    `every table downloads as one workbook (${book.name}, ${book.bytes.length} bytes)`);
  const funnel = await fetched("下载 CSV：转化漏斗");
  const text = funnel.bytes.toString("utf8");
  check(funnel.bytes[0] === 0xef && text.includes("合作意向,1"), `the funnel downloads as CSV with a BOM (${funnel.name})`);
  await context.close();
}

/** Part 10: the exhibitor of the project parts 2b and 3 counted sees its
 * booth's anonymous figures, small counts as "<5". */
async function exhibitorPage() {
  const token = spawnSync(serverBinary, ["exhibitor-token", project.organisation, "--db", db], { encoding: "utf8" }).stdout.trim();
  const { context, page } = await signIn(base, token, "展位数据");
  const tile = (label) => page.locator("ul.tiles li", { has: page.locator(`span.label:text-is("${label}")`) })
    .locator("span.value").textContent();
  const [opens, handOffs] = [await tile("卡片打开"), await tile("扫码带走")];
  const rows = await page.locator("table.figures tbody tr").count();
  check(/^(<5|[5-9]|\d{2,})$/.test(opens) && handOffs === "<5" && rows >= 1 && (await page.textContent("main")).includes(project.platform_no),
    `an exhibitor signs in to its booth's figures: card opens "${opens}", QR hand-offs "${handOffs}" (none: shown as <5), ${rows} day(s) of counts`);
  await accessible(page, "exhibitor's page");
  await page.screenshot({ path: join(out, "exhibitor-page.png"), fullPage: true });
  const inbox = await page.goto(`${base}/agent/inquiries/1`);
  check(inbox.status() === 403, `an exhibitor's session opens nothing of the workspace (HTTP ${inbox.status()})`);
  await context.close();
}

/** The stored anonymous counts of a project, by event, read from the
 * server's SQLite database. */
function storedCounts(platformNo) {
  const script = "import json, sqlite3, sys\n"
    + "rows = sqlite3.connect(sys.argv[1]).execute('SELECT event, SUM(count) FROM attention_counts WHERE platform_no = ? GROUP BY event', (sys.argv[2],))\n"
    + "print(json.dumps(dict(rows.fetchall())))";
  const run = spawnSync("python3", ["-c", script, db, platformNo], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`reading the stored counts failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Part 11: the agent of the challenge YZ-2023-00001 routes a possible
 * solution to it. */
async function challengeMatching() {
  const token = spawnSync(serverBinary, ["agent-token", project.agent.id, "--db", db], { encoding: "utf8" }).stdout.trim();
  const { context, page } = await signIn(base, token);
  await page.getByRole("link", { name: `${project.platform_no} ${project.title}` }).click();
  await page.waitForSelector("h1:has-text('可能的解决方案')", { timeout: 30_000 });
  const rows = await page.locator("table.figures tbody tr").count();
  check(rows >= 5, `a challenge lists its possible solutions (${rows})`);
  await accessible(page, "possible solutions");
  await page.screenshot({ path: join(out, "challenge-solutions.png"), fullPage: true });
  await page.locator("table.figures tbody tr").first().getByRole("button").click();
  await page.waitForSelector("h1:has-text('询单 #')", { timeout: 30_000 });
  const stage = await page.textContent("#stage-now");
  check(stage.includes("已对接") && (await page.textContent("main")).includes("需求侧撮合"),
    `routing a solver opens a deal at 已对接 (${stage.trim()})`);
  await context.close();
}

/** Part 8: a session ends when it expires (a server with 3-second sessions). */
async function sessionExpiry() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const shortDb = join(mkdtempSync(join(tmpdir(), "yunzhan-session-")), "yunzhan.db");
  const token = spawnSync(serverBinary, ["agent-token", "KF-0001", "--db", shortDb], { encoding: "utf8" }).stdout.trim();
  const short = spawn(serverBinary, ["serve", "--listen", `127.0.0.1:${port}`, "--db", shortDb, "--session-minutes", "0.05"],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
  try {
    await until(() => fetch(`${origin}/api/v1/health`).then((a) => a.ok, () => false), "the short-session server", 30_000, 100);
    const { context, page } = await signIn(origin, token);
    await accessible(page, "workspace inbox (empty)");
    const expired = await until(async () => {
      const answer = await page.reload();
      return answer.status() === 401 && (await page.textContent("main")).includes("登录已过期");
    }, "the session to expire", 30_000, 500).then(() => true, () => false);
    check(expired, "an expired session is sent back to sign in (HTTP 401, 登录已过期)");
    await accessible(page, "workspace sign-in page");
    await page.screenshot({ path: join(out, "workspace-sign-in.png") });
    await context.close();
  } finally {
    short.kill("SIGTERM");
  }
}

await startServer();
const browser = await launchChromium();
const timing = {};
let desktopGates = null; // the lobby's gates in a 1280x720 view (part 1)
const project = await (await fetch(`${base}/api/v1/projects/YZ-2023-00001`)).json();
try {
  // 1. The page served with the API.
  // The loading page shows at once because it depends on nothing: it is in
  // the markup before any script, with its style inline, and shows with
  // JavaScript off (no script, no download). That is checked; how long it
  // took on this machine is only reported.
  {
    const html = await (await fetch(`${base}/`)).text();
    const overlayAt = html.search(/<[a-z]+\b[^>]*\bid=["']?loading["'\s>]/i);
    const scriptAt = html.search(/<script\b/i);
    const before = overlayAt < 0 ? "" : html.slice(0, overlayAt);
    const blocking = before.match(/<script\b|<link\b[^>]*\brel="?(stylesheet|preload|modulepreload)|@import|@font-face/gi) || [];
    check(overlayAt >= 0 && (scriptAt < 0 || overlayAt < scriptAt) && blocking.length === 0,
      `the served index.html has the loading page (#loading at ${overlayAt}) before its first <script> (at ${scriptAt}), ` +
      `with nothing to load before it (${blocking.length ? blocking.join(", ") : "no script, stylesheet, import or font"})`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const requested = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    await page.goto(base + "/");
    const shown = await page.locator("#loading .box").isVisible();
    const text = shown ? (await page.locator("#loading .box h1").textContent()).trim() : "";
    check(shown && text.includes("云展") && requested.length === 1 && requested[0] === "/",
      `with JavaScript off the loading page is visible ("${text}") and needs nothing but the page (requests: ${requested.join(", ")})`);
    await context.close();
  }
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on("console", (message) => { if (message.type() === "error") console.log(`console: ${message.text()}`); });
    const requested = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname.slice(1)));
    const started = Date.now();
    await page.goto(base + "/");
    const loading = await page.waitForSelector("#loading .box", { state: "visible", timeout: 60_000 }).then(() => true, () => false);
    timing.loading_page_ms = Date.now() - started;
    // The browser's own first contentful paint (after navigation), once it
    // is recorded; null if it is not within 10 s.
    timing.first_contentful_paint_ms = await page.evaluate(() => new Promise((resolve) => {
      new PerformanceObserver((entries) => {
        const paint = entries.getEntriesByName("first-contentful-paint")[0];
        if (paint) resolve(Math.round(paint.startTime));
      }).observe({ type: "paint", buffered: true });
      setTimeout(() => resolve(null), 10_000); // a deadline, not a pause: resolves at once when painted
    }));
    check(loading, "the served page shows its loading page");
    console.log(`     figure: loading page visible after ${timing.loading_page_ms} ms (goto to visible, this machine), ` +
      `first contentful paint ${timing.first_contentful_paint_ms === null ? "not reported" : `${timing.first_contentful_paint_ms.toFixed(0)} ms`}`);
    check(await page.evaluate(() => !!document.createElement("canvas").getContext("webgl2")), "WebGL2 available (SwiftShader)");
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    timing.ready_ms = Date.now() - started;
    timing.first_frame_ms = await page.evaluate(() =>
      Number(document.documentElement.dataset.firstFrame) - performance.timeOrigin);
    check(Number.isFinite(timing.first_frame_ms) && timing.first_frame_ms > 0 && await page.locator("#loading").count() === 0,
      "the ready app marked its first frame (<html data-first-frame>) and took the loading page away");
    console.log(`     figure: app ready after ${timing.ready_ms} ms; first frame ${timing.first_frame_ms.toFixed(0)} ms after navigation`);
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
    await screenshot(page, "web-lobby.png");
    await holds(page, () => document.documentElement.hasAttribute("data-gates-in-view"), null, 30_000);
    desktopGates = Number(await attribute(page, "data-gates-in-view"));
    const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]);
    check(scroll[0] <= scroll[2] && scroll[1] <= scroll[3], `no scrollbars (${scroll.join("x")})`);
    // The canvas follows the window: its drawing buffer matches the new
    // size times the device pixel ratio.
    await page.setViewportSize({ width: 900, height: 600 });
    const resized = await holds(page, () => {
      const canvas = document.querySelector("#yunzhan-canvas");
      return canvas.width === Math.round(900 * devicePixelRatio) && canvas.height === Math.round(600 * devicePixelRatio);
    }, null, 30_000);
    const buffer = await page.evaluate(() => {
      const canvas = document.querySelector("#yunzhan-canvas");
      return `${canvas.width}x${canvas.height} at ratio ${devicePixelRatio}`;
    });
    check(resized, `the canvas follows a resize to 900x600 (drawing buffer ${buffer})`);
    await page.close();
  }

  // 2. A deep link to a project.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${base}/?project=${project.platform_no}&lang=en`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-project", project.platform_no);
    check(await attribute(page, "data-hall") === project.hall, `the link opened ${project.platform_no} in the ${project.hall} hall`);
    // The address is replaced as the visitor arrives: wait for it to show
    // the project, its hall and the language.
    const follows = await holds(page, ([no, hall]) => {
      const search = new URLSearchParams(location.search);
      return search.get("project") === no && search.get("hall") === hall && search.get("lang") === "en";
    }, [project.platform_no, project.hall], 60_000);
    check(follows, `the address follows the visitor: ${await page.evaluate(() => location.search)}`);
    await screenshot(page, "web-project.png");
    await page.close();
  }

  // 2b. Anonymous counts: the app that opened a project sends a batch
  // within its 30-second period; the same app in a browser that sends the
  // Global Privacy Control signal counts nothing and sends nothing.
  {
    const isCounts = (request) => request.url().endsWith("/api/v1/counts") && request.method() === "POST";
    const counting = await browser.newPage({ viewport: { width: 640, height: 360 } });
    const private_ = await browser.newPage({ viewport: { width: 640, height: 360 } });
    await private_.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    const quiet = [];
    private_.on("request", (request) => { if (isCounts(request)) quiet.push(request); });
    const batch = counting.waitForRequest(isCounts, { timeout: 150_000 }).catch(() => null);
    await Promise.all([counting, private_].map((page) => page.goto(`${base}/?project=${project.platform_no}`)));
    await waitForAttribute(private_, "data-counting", "off", READY_TIMEOUT);
    const sent = await batch;
    const body = sent ? sent.postData() : "";
    const answer = sent ? await sent.response() : null;
    check(body.includes(`"platform_no":"${project.platform_no}"`) && body.includes('"card_open"') && answer && answer.status() === 202,
      `the app sends its anonymous counts in a batch (HTTP ${answer && answer.status()}: ${body.replace(/"batch":"\w+"/, '"batch":"…"').slice(0, 160)})`);
    check(quiet.length === 0, `with Global Privacy Control the app counts nothing and sends nothing in the same time (${quiet.length} batches)`);
    await counting.close();
    await private_.close();
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
    const sent = await holds(page, () => document.querySelector("#inquiry-status").textContent.includes("已发送"), null, 30_000);
    check(sent, `the text view's form says its inquiry was sent (已发送): ${(await page.textContent("#inquiry-status")).replace(/\s+/g, " ")}`);
    const threadLink = await page.getAttribute("#inquiry-thread a", "href").catch(() => null);
    check(/\/thread\/\d+\/[0-9a-f]{48}$/.test(threadLink || ""), `the text view links the inquiry's private thread page (${threadLink ? threadLink.replace(/[0-9a-f]{48}$/, "SECRET") : "none"})`);
    await page.screenshot({ path: join(out, "web-text-view.png"), fullPage: false });
    // Leaving the page sends its anonymous counts once: read, and inquired.
    // (A beacon sent while a page unloads is not reported to the test's
    // request events, so its effect is read from the server's database.)
    const before = storedCounts(project.platform_no);
    const grew = (event) => (storedCounts(project.platform_no)[event] || 0) - (before[event] || 0);
    await page.goto(base + "/text/index.html");
    const counted = await until(() => grew("card_open") >= 1 && grew("inquiry") >= 1, "the text view's batch", 30_000)
      .then(() => true, () => false);
    check(counted && grew("card_open") === 1 && grew("inquiry") === 1,
      `leaving the text view's project page sends one anonymous batch (stored: card opens +${grew("card_open")}, inquiries +${grew("inquiry")})`);
    // "Don't count me" (kept in this browser): leaving sends nothing. A
    // page left with counting on afterwards proves the quiet is not a
    // beacon still on its way.
    await page.goto(`${base}/text/projects/${project.platform_no}.html`);
    await page.check("#no-count");
    const quietFrom = storedCounts(project.platform_no);
    await page.goto(base + "/text/index.html");
    await page.goto(`${base}/text/projects/${project.platform_no}.html`);
    await page.goto(base + "/text/index.html");
    const kept = await page.evaluate(() => localStorage.getItem("yunzhan/no-count")) === "1";
    await page.evaluate(() => localStorage.removeItem("yunzhan/no-count"));
    await page.goto(`${base}/text/projects/${project.platform_no}.html`);
    await page.goto(base + "/text/index.html");
    const opens = () => (storedCounts(project.platform_no).card_open || 0) - (quietFrom.card_open || 0);
    await until(() => opens() >= 1, "the batch after counting was switched back on", 30_000).catch(() => null);
    check(kept && opens() === 1,
      `with "don't count me" ticked the text view sends nothing (two pages read, ${opens() - 1} counted; the next page read with counting on: counted)`);
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
    // The link opened the project's hall (the form is drawn there).
    await waitForAttribute(page, "data-hall", project.hall, 60_000);
    // The form takes its first-field focus while the visitor flies to the card.
    await frames(page, 30);
    await typeInquiry(page, "Browser Visitor", "visitor@example.org", "Queued in the browser while the platform was down",
      () => page.screenshot({ path: join(out, "web-inquiry-form.png") }));
    await waitForAttribute(page, "data-queued", "1", 30_000);
    const stored = await page.evaluate(() => localStorage.getItem("yunzhan/outbox.json") || "");
    check(stored.includes("Queued in the browser"), "the queued inquiry is in the browser's storage");
    await page.screenshot({ path: join(out, "web-inquiry-queued.png") });
    // A mark on the old document proves the page really reloaded.
    await page.evaluate(() => { window.yunzhanBeforeReload = true; });
    await page.reload();
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    const stillQueued = await holds(page, () => document.documentElement.dataset.queued === "1", null, 30_000);
    const reloaded = await page.evaluate(() => ({
      fresh: window.yunzhanBeforeReload === undefined,
      queued: document.documentElement.dataset.queued,
      sent: document.documentElement.dataset.sent,
      outbox: localStorage.getItem("yunzhan/outbox.json") || "",
    }));
    check(reloaded.fresh && stillQueued && reloaded.sent === "0" && reloaded.outbox.includes("Queued in the browser"),
      `after a reload with the API down the inquiry is still queued (a new document: ${reloaded.fresh}; ` +
      `data-queued ${reloaded.queued}, data-sent ${reloaded.sent}; in the stored outbox: ${reloaded.outbox.includes("Queued in the browser")})`);
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
    await agentAndVisitor(page, token);
    await context.close();
  }

  // 4c. A phone held upright (390x844, touch only), used with fingers: the
  // touch controls from the first frame (not after a first touch) and a
  // field of view that shows the lobby's gates; at a booth, the first-visit
  // hint dismissed by a tap (which must not reach the card behind it), a
  // card opened by a tap, its "Send an inquiry" tapped, the form typed on
  // the on-screen keyboard and sent to that project's agent, and a walk
  // with the joystick.
  {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    const tap = async (at) => { await page.touchscreen.tap(at.x, at.y); await frames(page, 4); };
    await page.goto(`${base}/?lang=en`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    check(await attribute(page, "data-input") === "touch",
      `a phone starts with the touch controls, before any touch (data-input=${await attribute(page, "data-input")})`);
    await holds(page, () => document.documentElement.hasAttribute("data-gates-in-view"), null, 30_000);
    const phoneGates = Number(await attribute(page, "data-gates-in-view"));
    check(phoneGates >= 4,
      `held upright, the phone sees the lobby's gates beside the stage: ${phoneGates} of 22 in view (1280x720: ${desktopGates})`);
    await screenshot(page, "web-phone-lobby.png");

    await page.goto(`${base}/?hall=${project.hall}&booth=1&lang=en`);
    await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT });
    await waitForAttribute(page, "data-booth", "1", 120_000);
    const size = await page.evaluate(() => [innerWidth, innerHeight, document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    check(size[0] === 390 && size[2] <= size[0] && size[3] <= size[1], `the app fills the phone's screen without scrollbars (${size.join(", ")})`);
    await frames(page, 10);
    const hint = await panelRows(page, "web-phone-hint.png");
    check(hint.length === 1 && hint[0].length === 1, `the first-visit hint shows one button, "Got it" (${JSON.stringify(hint)})`);
    await tap(center(hint[0][0]));
    const hintGone = await until(async () => (await panelRows(page)).length === 0, "the hint to close", 30_000).then(() => true, () => false);
    check(hintGone && await attribute(page, "data-project") === null,
      `a tap on "Got it" closes the hint and opens nothing behind it (hint closed: ${hintGone}, open project: ${await attribute(page, "data-project")})`);

    const card = await cardNearTheMiddle(page, "web-phone-booth.png");
    check(!!card, `a card is in view at booth 1 (${JSON.stringify(card)})`);
    if (card) await tap(center(card));
    const opened = await holds(page, () => !!document.documentElement.dataset.project, null, 60_000)
      ? await attribute(page, "data-project") : null;
    const tapped = opened && await (await fetch(`${base}/api/v1/projects/${opened}`)).json();
    check(!!tapped && tapped.hall === project.hall, `a tap on a card at booth 1 opens its project (${opened}, in ${tapped && tapped.hall})`);
    if (!tapped) throw new Error("no card opened by a tap: the rest of the phone's visit needs one");
    await frames(page, 10);
    const detail = await panelRows(page, "web-phone-card.png");
    // The project's panel: "Save", "Send an inquiry", "Go to booth" in the row under its title.
    const actions = detail.find((row) => row.length === 3);
    check(!!actions, `the project's panel shows its three actions (${JSON.stringify(detail)})`);
    if (!actions) throw new Error("no action buttons on the project's panel");
    await tap(center(actions[1]));
    await frames(page, 10);
    // The form's first field (the name), tapped for the on-screen keyboard.
    const fields = await until(async () => {
      const found = (await panelRows(page, null, TEXT_FIELD)).flat();
      return found.length ? found : null;
    }, "the inquiry form's text fields", 30_000).catch(() => []);
    check(fields.length >= 2, `"Send an inquiry" opens the form (text fields: ${JSON.stringify(fields)})`);
    if (!fields.length) throw new Error("no inquiry form on the phone");
    await tap(center(fields[0]));
    await screenshot(page, "web-phone-inquiry.png");
    // A phone's on-screen keyboard sends keys as a desktop's does.
    await typeInquiry(page, "Phone Visitor", "phone@example.org", "Sent from a phone held upright");
    const delivered = await holds(page, () => document.documentElement.dataset.sent === "1", null, 60_000);
    const token = spawnSync(serverBinary, ["agent-token", tapped.agent.id, "--db", db], { encoding: "utf8" }).stdout.trim();
    const inbox = JSON.stringify(await (await fetch(`${base}/api/v1/agents/${tapped.agent.id}/inquiries`,
      { headers: { Authorization: `Bearer ${token}` } })).json());
    check(delivered && inbox.includes("Sent from a phone held upright") && inbox.includes(tapped.platform_no),
      `the inquiry typed on the phone reached ${tapped.platform_no}'s service agent (data-sent ${await attribute(page, "data-sent")})`);
    await screenshot(page, "web-phone-sent.png");
    // A finger on the joystick (bottom right), pulled down: the visitor
    // walks backwards out of the booth, and the nearest booth changes.
    const cdp = await context.newCDPSession(page);
    const knob = { x: 390 - 24 - 64, y: 844 - 24 - 64 };
    const boothBefore = await attribute(page, "data-booth");
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [knob] });
    for (let step = 1; step <= 5; step++) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x: knob.x, y: knob.y + 12 * step }] });
      await frames(page, 2);
    }
    const walked = await holds(page, (before) => document.documentElement.dataset.booth !== before, boothBefore, 60_000);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    check(walked, `the joystick walks the visitor (nearest booth ${boothBefore} → ${await attribute(page, "data-booth")})`);
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
    const atBooth = !!booth && await holds(page, (booth) => document.documentElement.dataset.booth === booth, booth, 120_000);
    const where = `${await attribute(page, "data-hall")}, booth ${await attribute(page, "data-booth")}`;
    check(atBooth && await attribute(page, "data-hall") === "chengdu",
      `the booth preview took the visitor to the booth (previewed booth ${booth} in chengdu; the visitor is at ${where})`);
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
    const fontAnswers = [];
    page.on("response", (response) => { if (response.url().endsWith(".otf")) fontAnswers.push(response.status()); });
    await page.click("#retry");
    const ready = await page.waitForSelector("html[data-yunzhan=ready]", { timeout: READY_TIMEOUT }).then(() => true, () => false);
    const loadingGone = await page.locator("#loading").count() === 0;
    check(ready && fontAnswers.includes(200) && loadingGone,
      `the retry loaded the expo once the font could be downloaded (ready: ${ready}; the font answered ${fontAnswers.join(", ") || "nothing"}; ` +
      `loading page ${loadingGone ? "gone" : "still shown"})`);
    await page.close();
  }
  await organiserDashboard();
  await exhibitorPage();
  await challengeMatching();
  await sessionExpiry();
} catch (error) {
  check(false, `browser run stopped: ${error.message}`);
} finally {
  // Figures, not checks: written (and printed) even when a check failed.
  writeFileSync(join(out, "web-timing.json"), JSON.stringify(timing, null, 1) + "\n");
  console.log(`timings (ms, this machine; no budget): ${JSON.stringify(timing)}`);
  await browser.close();
  if (server) server.kill("SIGTERM");
  statics.close();
}
if (failures.length) { console.error(`${failures.length} browser check(s) failed`); process.exit(1); }
console.log("browser checks passed");
