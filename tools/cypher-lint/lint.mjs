#!/usr/bin/env node
// Checks Cypher statements with Neo4j's own parser and semantic analysis, as shipped on npm in
// @neo4j-cypher/language-support (the pinned version is in package.json), for the CYPHER 5
// language of Neo4j 5.
//
// stdin:  a JSON list of {"name": "...", "cypher": "...", "parameters": {...}}, or an object
//         {"schema": {...}, "statements": [ ...the same list... ]}.
//         "parameters" (optional) maps each parameter the statement is sent with to a sample
//         value: then a $name the statement uses but is not sent with is an error. Without it,
//         every $name counts as given.
//         "schema" (optional) is {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]}:
//         with labels and relationshipTypes given, a label or type outside them is a warning.
// stdout: a JSON list of diagnostics {name, severity, message, line, column, offset, end_offset}
//         (line and column count from 1, offsets from 0, in the statement's text).
// stderr: one summary line: "cypher-lint: N statements, E errors, W warnings".
// exit:   0 no errors (warnings allowed), 1 at least one error (with --strict: or any warning),
//         2 unusable input, 3 the package is not installed (npm ci --prefix tools/cypher-lint).
//
// Functions and procedures are checked against the signatures of a Neo4j server that the package
// ships as test data (SHOW FUNCTIONS / SHOW PROCEDURES of a Neo4j 5 server), narrowed to what a
// Neo4j without plugins has: built-in functions, and the db.*, dbms.* and tx.* procedures.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PACKAGE = '@neo4j-cypher/language-support';
// The package's ESM build uses extension-less imports that Node's ESM loader cannot resolve;
// its CommonJS build is complete, so it is loaded through require.
const require = createRequire(import.meta.url);
let ls;
let entry;
try {
  entry = require.resolve(PACKAGE);
  ls = require(PACKAGE);
} catch (err) {
  process.stderr.write(`cypher-lint: ${PACKAGE} is not installed (npm ci --prefix tools/cypher-lint): ` +
                       `${err.message.split('\n')[0]}\n`);
  process.exit(3);
}
const version = packageVersion(entry);

function packageVersion(file) {
  // package.json is not among the package's exports: find it above its entry point.
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const meta = JSON.parse(readFileSync(manifest, 'utf8'));
      if (meta.name === PACKAGE) return meta.version;
    }
  }
  return 'unknown version';
}

const CYPHER_VERSION = 'CYPHER 5';
const BUILT_IN_PROCEDURE = /^(db|dbms|tx)\./;
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
const UNDEFINED_PARAMETER = /^Parameter \$\S+ is not defined\.$/;

function usage(message) {
  process.stderr.write(`cypher-lint: ${message}\n`);
  process.exit(2);
}

function neo4jCatalogue() {
  const mock = ls.testData?.mockSchema;
  const functions = mock?.functions?.[CYPHER_VERSION];
  const procedures = mock?.procedures?.[CYPHER_VERSION];
  if (!functions || !procedures) {
    usage(`${PACKAGE} ${version} ships no function/procedure signatures ` +
          '(testData.mockSchema): pin the version in package.json');
  }
  const pick = (registry, keep) => Object.fromEntries(Object.entries(registry).filter(keep));
  return {
    functions: { [CYPHER_VERSION]: pick(functions, ([, fn]) => fn.isBuiltIn) },
    procedures: { [CYPHER_VERSION]: pick(procedures, ([name]) => BUILT_IN_PROCEDURE.test(name)) },
  };
}

function readInput() {
  let text;
  try {
    text = readFileSync(0, 'utf8');
  } catch (err) {
    usage(`cannot read stdin: ${err.message}`);
  }
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    usage(`stdin is not JSON: ${err.message}`);
  }
  const statements = Array.isArray(data) ? data : data?.statements;
  const schema = Array.isArray(data) ? {} : (data?.schema ?? {});
  if (!Array.isArray(statements)) usage('expected a JSON list of {"name", "cypher"}');
  statements.forEach((s, i) => {
    if (typeof s?.cypher !== 'string') usage(`statement ${i} has no "cypher" text`);
    if (s.parameters !== undefined && (typeof s.parameters !== 'object' || s.parameters === null
        || Array.isArray(s.parameters))) {
      usage(`statement ${i}: "parameters" must be an object of name: sample value`);
    }
  });
  return { statements, schema };
}

function lint(statement, index, base) {
  const name = String(statement.name ?? `#${index}`);
  const given = statement.parameters !== undefined;
  const dbSchema = { ...base, parameters: given ? statement.parameters : {} };
  return ls.lintCypherQuery(statement.cypher, dbSchema, false)
    .filter((d) => given || !UNDEFINED_PARAMETER.test(d.message))
    .map((d) => ({
      name,
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      offset: d.offsets?.start ?? null,
      end_offset: d.offsets?.end ?? null,
    }));
}

const strict = process.argv.includes('--strict');
const unknown = process.argv.slice(2).filter((a) => a !== '--strict');
if (unknown.length) usage(`unknown argument ${unknown[0]} (usage: node lint.mjs [--strict] < statements.json)`);

const { statements, schema } = readInput();
const base = { ...neo4jCatalogue(), defaultLanguage: CYPHER_VERSION };
for (const key of ['labels', 'relationshipTypes', 'propertyKeys']) {
  if (Array.isArray(schema[key])) base[key] = schema[key].map(String);
}
const diagnostics = statements.flatMap((s, i) => lint(s, i, base));
const errors = diagnostics.filter((d) => d.severity === 'error').length;
const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
process.stdout.write(JSON.stringify(diagnostics, null, 2) + '\n');
process.stderr.write(`cypher-lint: ${statements.length} statements, ${errors} errors, ${warnings} warnings ` +
                     `(${PACKAGE} ${version}, ${CYPHER_VERSION})\n`);
process.exit(errors || (strict && warnings) ? 1 : 0);
