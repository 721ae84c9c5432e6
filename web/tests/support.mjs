// Shared by the browser scripts: Chromium's launch options on a machine
// with no GPU and a closed network, and a static file server (a CDN
// deployment of web/dist): like yunzhan-server and CDNs, it sends a file's
// precompressed .br or .gz (web/build.sh makes them) to a browser that
// accepts it.
import { readFileSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { join, extname, normalize } from "node:path";
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
      // A closed network: no background connections to Google's hosts.
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm",
  ".json": "application/json", ".css": "text/css" };

/** Serves the files of `dist` on a free loopback port; resolves to { server, base }. */
export async function serveStatic(dist) {
  const server = createServer((request, response) => {
    let path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path.endsWith("/")) path += "index.html";
    const file = join(dist, path);
    if (!existsSync(file)) { response.writeHead(404); response.end(); return; }
    const accepted = request.headers["accept-encoding"] || "";
    const encoding = [["br", ".br"], ["gzip", ".gz"]]
      .find(([name, suffix]) => accepted.includes(name) && existsSync(file + suffix));
    const headers = { "Content-Type": types[extname(file)] || "application/octet-stream" };
    if (encoding) headers["Content-Encoding"] = encoding[0];
    response.writeHead(200, headers);
    response.end(readFileSync(encoding ? file + encoding[1] : file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}
