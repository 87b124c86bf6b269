// Keeps docs/openapi.json honest: every route of src/api/routes.c is documented with the
// same method and path, nothing documented is missing from the table, and every operation
// documents its error answers with the one Error schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const routesC = readFileSync(path.join(root, 'src/api/routes.c'), 'utf8');
const spec = JSON.parse(readFileSync(path.join(root, 'docs/openapi.json'), 'utf8'));

const table = [...routesC.matchAll(/\{\s*"([A-Z]+)",\s*"([^"]+)",\s*h_\w+,/g)]
  .map(m => `${m[1]} ${m[2]}`).sort();
const documented = Object.entries(spec.paths)
  .flatMap(([p, ops]) => Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`)).sort();

test('the route table has routes', () => {
  assert.ok(table.length >= 10, `found ${table.length} routes`);
});

test('every route is documented and every documented route exists', () => {
  assert.deepEqual(documented, table);
});

test('every error response uses the Error schema', () => {
  for (const [p, ops] of Object.entries(spec.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      for (const [status, r] of Object.entries(op.responses)) {
        /* Open311 answers errors in its spec's own format (docs/open311.md) */
        if (Number(status) >= 400 && p.startsWith('/open311/'))
          assert.match(r.$ref, /^#\/components\/responses\/Open311(Errors|TooLarge)$/, `${m} ${p} ${status}`);
        else if (Number(status) >= 400)
          assert.equal(r.$ref, '#/components/responses/Error', `${m} ${p} ${status}`);
      }
      if (op.requestBody) {
        assert.ok(op.responses['415'], `${m} ${p} documents 415`);
        assert.ok(op.responses['413'], `${m} ${p} documents 413`);
      }
    }
  }
});

test('error codes in the spec description match the error table', () => {
  const errH = readFileSync(path.join(root, 'src/core/err.h'), 'utf8');
  const slugs = [...errH.matchAll(/X\(\w+, (\d{3}), "([a-z_]+)"/g)].map(m => m[2]);
  assert.ok(slugs.includes('not_found') && slugs.includes('payload_too_large'));
  const apiMd = readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  for (const s of slugs)
    assert.ok(apiMd.includes('`' + s + '`'), `docs/api.md lists the error code ${s}`);
});
