// The README's JavaScript example, run as written (its URL and token function swapped for a real
// region's), on Node's own WebSocket: what a web developer copies works.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { startRegion, token } from "./harness.mjs";

const SECRET = "geows-js-readme-token-secret-32-bytes";
let region;
before(async () => {
  region = await startRegion({ region: "us-east", secret: SECRET });
});
after(() => region?.stop());

test("the README's example connects, joins, publishes and gets its message", async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = readme.split("```js\n")[1].split("```")[0];
  const url = 'regionsFrom: "https://us.example.com/regions"';
  const tokenFn = 'token: () => fetch("/token").then((r) => r.text())';
  assert.ok(example.includes(url) && example.includes(tokenFn), "the README example names the URL and token function this test swaps");
  const runnable = example
    .replace(url, `regionsFrom: ${JSON.stringify(region.httpUrl + "/regions")}`)
    .replace(tokenFn, `token: () => Promise.resolve(${JSON.stringify(token("reader", SECRET))})`)
    + "\nawait new Promise((r) => setTimeout(r, 500));\nclient.close();\n";
  const file = new URL("./readme-example.tmp.mjs", import.meta.url);
  writeFileSync(file, runnable);
  try {
    const output = await new Promise((resolve, reject) => {
      // Node 20's own WebSocket is behind a flag (unflagged from 22)
      const flags = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-websocket"] : [];
      execFile(process.execPath, [...flags, "--no-warnings", file.pathname], { timeout: 20000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout));
    });
    assert.match(output, /connected us-east/);
    assert.match(output, /reader \{ text: 'hi' \}/);
  } finally {
    rmSync(file, { force: true });
  }
});
