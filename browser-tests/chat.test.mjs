// Drives the demo chat page in a real headless Chromium: two pages on two regions chat, see each
// other in presence; one region is stopped and the page on it fails over, resumes and keeps chatting
// with nothing lost or repeated; a page that opens a room the demo keeps in eu-west from us-east is
// moved there (data residency). Screenshots of both pages go to the output directory.
//
// usage: node browser-tests/chat.test.mjs <demo page URL> <screenshot dir>
// env:   CHROMIUM (default /usr/bin/chromium)
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error("usage: node chat.test.mjs <demo page URL> <screenshot dir>");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 20_000;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function open(browser, name, region) {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(base);
  await page.waitForSelector(`#region option[value="${region}"]`, { state: "attached" });
  await page.fill("#name", name);
  await page.selectOption("#region", region);
  await page.click("#connect");
  await waitForStatus(page, `connected to ${region} as ${name}`);
  return page;
}

async function waitForStatus(page, text) {
  await page.waitForFunction((t) => document.getElementById("status").textContent.includes(t), text, { timeout: TIMEOUT });
}

async function say(page, text) {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

async function waitForText(page, selector, text) {
  await page.waitForFunction(([s, t]) => document.querySelector(s).innerText.includes(t), [selector, text], { timeout: TIMEOUT });
}

async function count(page, text) {
  return page.evaluate((t) => [...document.querySelectorAll("#log div")].filter((d) => d.innerText.includes(t) && d.querySelector("b")).length, text);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
let ann, bob;
try {
  ann = await open(browser, "ann", "us-east");
  bob = await open(browser, "bob", "eu-west");

  await say(ann, "hello from ann");
  await waitForText(bob, "#log", "hello from ann");
  await say(bob, "hi from bob");
  await waitForText(ann, "#log", "hi from bob");
  const annLine = await bob.evaluate(() => [...document.querySelectorAll("#log div")].find((d) => d.innerText.includes("hello from ann")).innerText);
  check(annLine.includes("us-east"), `bob sees ann's region: ${annLine}`);

  await waitForText(ann, "#who", "bob");
  await waitForText(bob, "#who", "ann");
  check((await ann.innerText("#who")).includes("eu-west"), "ann's presence list shows bob in eu-west");

  // Data residency: the demo keeps rooms named eu-... in eu-west. A page set on us-east that opens one
  // is told so and moves there.
  const eve = await browser.newPage();
  eve.setDefaultTimeout(TIMEOUT);
  await eve.goto(base);
  await eve.waitForSelector('#region option[value="us-east"]', { state: "attached" });
  await eve.fill("#name", "eve");
  await eve.fill("#room", "eu-patients");
  await eve.selectOption("#region", "us-east");
  await eve.click("#connect");
  await waitForStatus(eve, "connected to eu-west as eve");
  await waitForText(eve, "#log", "room eu-patients is kept in eu-west only; moving to eu-west");
  await say(eve, "kept in the EU");
  await waitForText(eve, "#log", "kept in the EU");
  await eve.screenshot({ path: join(outDir, "eve-moved-to-eu-west.png"), fullPage: true });
  await eve.close();

  // Stop bob's region from ann's page, and keep talking while bob moves.
  await ann.click("#stop-eu-west");
  const during = [];
  for (let i = 1; i <= 5; i++) {
    const text = `during failover ${i}`;
    during.push(text);
    await say(ann, text);
  }
  await waitForStatus(bob, "connected to us-east as bob");
  await say(ann, "after failover");
  await waitForText(bob, "#log", "after failover");
  for (const text of [...during, "after failover", "hello from ann"]) {
    const n = await count(bob, text);
    check(n === 1, `bob received "${text}" ${n} times (want exactly once)`);
  }
  await say(bob, "bob is back");
  await waitForText(ann, "#log", "bob is back");

  await ann.screenshot({ path: join(outDir, "ann-us-east.png"), fullPage: true });
  await bob.screenshot({ path: join(outDir, "bob-failed-over.png"), fullPage: true });
  console.log(JSON.stringify({ ok: true, screenshots: [join(outDir, "ann-us-east.png"), join(outDir, "bob-failed-over.png")] }));
} catch (e) {
  for (const [p, n] of [[ann, "ann"], [bob, "bob"]]) {
    if (p) await p.screenshot({ path: join(outDir, `${n}-failure.png`), fullPage: true }).catch(() => {});
  }
  console.error("browser test failed: " + (e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  await browser.close();
}
