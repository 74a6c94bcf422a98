// The reference server's demo page runs on this package: the bundle it serves must be this build's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

test("the demo page's geows.min.js is the bundle of this source (npm run demo-bundle after a change)", () => {
  const built = readFileSync(new URL("../dist/geows.min.js", import.meta.url));
  const served = readFileSync(new URL("../../geows-example-server/src/main/resources/public/geows.min.js", import.meta.url));
  assert.ok(built.equals(served), "stale: run `npm run demo-bundle` in geows-js and commit the copy");
});
