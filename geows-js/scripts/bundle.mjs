// The browser bundle (one minified ESM file) and its size, minified and gzipped.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

await build({
  entryPoints: ["dist/index.js"],
  bundle: true,
  minify: true,
  keepNames: true, // error classes keep their names (err.name)
  format: "esm",
  target: "es2020",
  outfile: "dist/geows.min.js",
  logLevel: "warning",
});
const min = readFileSync("dist/geows.min.js");
const gz = gzipSync(min, { level: 9 }).length;
const size = { minified: min.length, gzipped: gz };
writeFileSync("dist/size.json", JSON.stringify(size) + "\n");
console.log(`geows.min.js: ${min.length} bytes minified, ${gz} bytes gzipped`);
