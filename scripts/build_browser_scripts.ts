/**
 * Builds the scripts that the self-contained HTML pages inline (the report,
 * the diff page, `serve`'s page) from their TypeScript browser modules: for
 * each page, the TypeScript compiler of the dev dependencies strips the types
 * of the page's function (`reportPage` of `html_report_browser.ts`, …) and of
 * the shared helpers it is called with (the escaping rule of `printable.ts`,
 * its browser side in `text_browser.ts`, `formatDuration` of `duration.ts`),
 * and the result, wrapped in an immediately invoked function, becomes the
 * string constant of the page's generated module (`html_report_script.ts`,
 * …). One compiler, one version (package-lock.json), so the output is the
 * same on every machine and every runtime, and each page's
 * Content-Security-Policy hashes exactly that text.
 *
 * ```sh
 * deno task build:browser         # rewrite every generated script module
 * deno task check                 # fails when one is not current (--check)
 * ```
 *
 * @module
 */

import ts from "typescript";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { UNSAFE_CLASS } from "../src/render/printable.ts";

const root = join(import.meta.dirname!, "..");

/** A function of a module, put into a page's script. */
interface Helper {
  /** The module, from the repository's root. */
  file: string;
  /** The function's name: it must use nothing from outside itself but globals. */
  name: string;
}

/** One page's script: its browser module and what the build makes of it. */
export interface BrowserScript {
  /** The browser module, from the repository's root. */
  source: string;
  /** The function of the module that runs the page. */
  entry: string;
  /** The helpers the function is called with, put into the script beside it. */
  helpers: Helper[];
  /** The call that runs the page, a JavaScript expression of the helpers' names. */
  call: string;
  /** The generated module, from the repository's root. */
  target: string;
  /** The name of the generated module's string constant. */
  constant: string;
  /** Whose script it is, for the generated module's documentation. */
  page: string;
}

const ESCAPE: Helper = { file: "src/render/printable.ts", name: "escapeChar" };
const TEXT: Helper = { file: "src/render/text_browser.ts", name: "visibleText" };
const DURATION: Helper = { file: "src/render/duration.ts", name: "formatDuration" };
const TEXT_RULE = `visibleText(${JSON.stringify(UNSAFE_CLASS)}, escapeChar)`;

/** Every page's script. */
export const BROWSER_SCRIPTS: BrowserScript[] = [
  {
    source: "src/render/html_report_browser.ts",
    entry: "reportPage",
    helpers: [ESCAPE, TEXT, DURATION],
    call: `reportPage(${TEXT_RULE}, formatDuration)`,
    target: "src/render/html_report_script.ts",
    constant: "REPORT_SCRIPT",
    page: "the HTML report",
  },
  {
    source: "src/render/html_diff_browser.ts",
    entry: "diffPage",
    helpers: [ESCAPE, TEXT, DURATION],
    call: `diffPage(${TEXT_RULE}, formatDuration)`,
    target: "src/render/html_diff_script.ts",
    constant: "DIFF_SCRIPT",
    page: "the comparison page (`ai-trace diff --html`)",
  },
  {
    source: "src/serve/page_browser.ts",
    entry: "servePage",
    helpers: [ESCAPE, TEXT, DURATION],
    call: `servePage(${TEXT_RULE}, formatDuration)`,
    target: "src/serve/page_script.ts",
    constant: "SERVE_SCRIPT",
    page: "`ai-trace serve`'s page",
  },
];

/** Names a statement of a module binds at run time (types bind none). */
function valueNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    const names: string[] = [];
    const collect = (name: ts.BindingName): void => {
      if (ts.isIdentifier(name)) names.push(name.text);
      else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(element.name);
    };
    for (const declaration of statement.declarationList.declarations) collect(declaration.name);
    return names;
  }
  if (
    (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
    statement.name
  ) {
    return [statement.name.text];
  }
  if (ts.isImportDeclaration(statement) && statement.importClause && !statement.importClause.isTypeOnly) {
    const clause = statement.importClause;
    const names = clause.name ? [clause.name.text] : [];
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) if (!element.isTypeOnly) names.push(element.name.text);
    }
    return names;
  }
  return [];
}

/**
 * One function of a module, its types stripped: the JavaScript text of its
 * declaration, without `export`. Throws when the function uses a value of its
 * module from outside itself (a constant, another function, an import), which
 * the page's script would not have.
 *
 * @param text The module's source.
 * @param name The function's name.
 * @param file The module's path, for messages.
 * @returns The function declaration, as ES2020.
 */
export function transpileFunction(text: string, name: string, file: string): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2020, true, ts.ScriptKind.TS);
  const declaration = source.statements.find((s): s is ts.FunctionDeclaration =>
    ts.isFunctionDeclaration(s) && s.name?.text === name && s.body !== undefined
  );
  if (!declaration) throw new Error(`${file} has no function ${name}`);
  const outside = new Set(source.statements.filter((s) => s !== declaration).flatMap(valueNames));
  const visit = (node: ts.Node): void => {
    const parent = node.parent;
    const isName = parent &&
      ((ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        ts.isTypeReferenceNode(parent) || ts.isTypeQueryNode(parent) || ts.isQualifiedName(parent));
    if (ts.isIdentifier(node) && !isName && outside.has(node.text)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      throw new Error(
        `${file}:${line + 1}: ${name} uses "${node.text}" from outside itself; a page's script has only the function ` +
          "and the helpers it is called with",
      );
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(declaration, visit);
  const code = text.slice(declaration.getStart(source), declaration.end).replace(/^export\s+/, "");
  const { outputText, diagnostics } = ts.transpileModule(code, {
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ESNext,
      removeComments: true,
      newLine: ts.NewLineKind.LineFeed,
    },
  });
  if (diagnostics && diagnostics.length > 0) {
    throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`);
  }
  const body = outputText.trim();
  if (!body.startsWith(`function ${name}(`)) throw new Error(`${file}: ${name} is not a plain function declaration`);
  return body;
}

/**
 * The generated module of one page: the page's function and its helpers in
 * one immediately invoked function, as a string constant.
 *
 * @param script Which page.
 * @param read Reads a module of the repository by its path from the root.
 * @returns The module's text.
 */
export function buildBrowserScript(
  script: BrowserScript,
  read: (file: string) => string = (file) => readFileSync(join(root, file), "utf8"),
): string {
  const functions = [{ file: script.source, name: script.entry }, ...script.helpers].map(({ file, name }) =>
    transpileFunction(read(file), name, file)
  );
  const text = `\n(function () {\n"use strict";\n${functions.join("\n")}\n${script.call};\n})();\n`;
  if (text.toLowerCase().includes("</script")) throw new Error(`${script.source}: the script must not hold "</script"`);
  // A template literal holds it: escape what would end or interpolate it.
  const literal = text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${");
  const source = script.source.split("/").pop();
  const helpers = script.helpers.map((h) => ` * - \`${h.name}\` of \`${h.file.split("/").pop()}\`\n`).join("");
  return `// Generated by scripts/build_browser_scripts.ts from ${source}: do not edit by hand.
// Run "deno task build:browser" after changing it; "deno task check" fails when this file is stale.
/**
 * The script of ${script.page}, inlined into the page and allowed by its
 * Content-Security-Policy through its SHA-256 hash: \`${script.entry}\` of
 * \`${source}\`, its types stripped, beside the helpers it is called with:
 *
${helpers} *
 * @module
 */

/** The page's JavaScript, inlined into a \`<script>\` element. */
export const ${script.constant}: string = \`${literal}\`;
`;
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  const stale: string[] = [];
  for (const script of BROWSER_SCRIPTS) {
    const wanted = buildBrowserScript(script);
    const target = join(root, script.target);
    if (check) {
      let current = "";
      try {
        current = readFileSync(target, "utf8");
      } catch {
        // missing: stale
      }
      if (current !== wanted) stale.push(script.target);
    } else {
      writeFileSync(target, wanted);
      console.log(`wrote ${script.target}`);
    }
  }
  if (stale.length > 0) {
    console.error(
      `error: ${stale.join(", ")} ${stale.length === 1 ? "is" : "are"} not current: ` +
        'run "deno task build:browser" and commit the result',
    );
    process.exit(1);
  }
}
