/*
 * open311.test.mjs - Open311 GeoReport v2 under /open311/v2, as a civic app
 * sees it: discovery, services and their definitions, filing a request with
 * an API key (form-encoded), reading it back alone, in lists and by token,
 * its status as the event moves through /api/v1, and every error in the
 * spec's format; plus the administrators' API keys under /api/v1/api-keys.
 *
 * Every JSON answer is validated against the JSON Schemas written from the
 * spec in schemas/open311/ (by the small validator below: the subset of
 * JSON Schema those files use). Every XML answer is checked for
 * well-formedness by the small parser below (declaration, balanced tags,
 * quoted unique attributes, valid entity and character references, only
 * characters XML 1.0 allows, one root) and, read back by the Spark
 * convention the spec uses, must carry exactly the data of the JSON answer
 * to the same request.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { assertError, rng, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const O = '/open311/v2';
const FORM = 'application/x-www-form-urlencoded';
const POINT = { lat: '30.2088', long: '120.2116' }; /* inside a demo grid of 330108001 */

/* ---- a JSON Schema validator for the subset the schemas use --------------- */

const schemas = {};
for (const f of readdirSync(path.join(here, 'schemas/open311')).filter((n) => n.endsWith('.json')))
	schemas[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(path.join(here, 'schemas/open311', f), 'utf8'));

const SUPPORTED = new Set(['$schema', '$id', '$defs', 'title', 'description', '$ref', 'type',
	'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'pattern',
	'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'format']);
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(v) {
	if (v === null)
		return 'null';
	if (Array.isArray(v))
		return 'array';
	if (typeof v === 'number')
		return Number.isInteger(v) ? 'integer' : 'number';
	return typeof v;
}

/* Returns a list of "where: problem" strings (empty: valid). */
function validate(schema, v, root = schema, where = '$', out = []) {
	for (const k of Object.keys(schema))
		if (!SUPPORTED.has(k))
			throw new Error(`schema keyword '${k}' at ${where} is not supported by this validator`);
	if (schema.$ref) {
		const m = /^#\/\$defs\/(\w+)$/.exec(schema.$ref);
		if (!m || !root.$defs?.[m[1]])
			throw new Error(`unresolved $ref ${schema.$ref}`);
		validate(root.$defs[m[1]], v, root, where, out);
	}
	const t = typeOf(v);
	if (schema.type) {
		const types = [schema.type].flat();
		if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
			out.push(`${where}: ${JSON.stringify(v)?.slice(0, 80)} is ${t}, not ${types.join('|')}`);
			return out;
		}
	}
	if (schema.enum && !schema.enum.some((e) => e === v))
		out.push(`${where}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
	if ('const' in schema && schema.const !== v)
		out.push(`${where}: ${JSON.stringify(v)} is not ${JSON.stringify(schema.const)}`);
	if (t === 'string') {
		const len = [...v].length;
		if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v))
			out.push(`${where}: '${v.slice(0, 80)}' does not match ${schema.pattern}`);
		if (schema.minLength !== undefined && len < schema.minLength)
			out.push(`${where}: shorter than ${schema.minLength}`);
		if (schema.maxLength !== undefined && len > schema.maxLength)
			out.push(`${where}: longer than ${schema.maxLength}`);
		if (schema.format === 'date-time' && (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v))))
			out.push(`${where}: '${v}' is not an RFC 3339 date-time`);
	}
	if (t === 'number' || t === 'integer') {
		if (schema.minimum !== undefined && v < schema.minimum)
			out.push(`${where}: ${v} < ${schema.minimum}`);
		if (schema.maximum !== undefined && v > schema.maximum)
			out.push(`${where}: ${v} > ${schema.maximum}`);
	}
	if (t === 'array') {
		if (schema.minItems !== undefined && v.length < schema.minItems)
			out.push(`${where}: fewer than ${schema.minItems} items`);
		if (schema.maxItems !== undefined && v.length > schema.maxItems)
			out.push(`${where}: more than ${schema.maxItems} items`);
		if (schema.items)
			v.forEach((x, i) => validate(schema.items, x, root, `${where}[${i}]`, out));
	}
	if (t === 'object') {
		for (const k of schema.required ?? [])
			if (!Object.hasOwn(v, k))
				out.push(`${where}: '${k}' is missing`);
		for (const [k, x] of Object.entries(v)) {
			if (schema.properties?.[k])
				validate(schema.properties[k], x, root, `${where}.${k}`, out);
			else if (schema.additionalProperties === false)
				out.push(`${where}: '${k}' is not allowed`);
			else if (typeof schema.additionalProperties === 'object')
				validate(schema.additionalProperties, x, root, `${where}.${k}`, out);
		}
	}
	return out;
}

function assertSchema(name, value) {
	assert.ok(schemas[name], `schema ${name}`);
	const problems = validate(schemas[name], value);
	assert.deepEqual(problems, [], `${name}: ${JSON.stringify(value).slice(0, 300)}`);
}

test('the validator rejects what it should', () => {
	const s = schemas.service_requests;
	assert.notDeepEqual(validate(s, [{}]), [], 'missing fields');
	assert.notDeepEqual(validate(schemas.errors, [{ code: '400', description: 'x' }]), [], 'a string code');
	assert.notDeepEqual(validate(schemas.errors, []), [], 'an empty error list');
	assert.notDeepEqual(validate(schemas.token, [{ service_request_id: '1', token: 'PA1111111111' }]),
		[], 'a token with a look-alike');
	assert.notDeepEqual(validate(schemas.discovery, { changeset: '2010-01-01 00:00', contact: 'x',
		key_service: 'x', endpoints: [] }), [], 'a bad date-time and no endpoints');
	assert.deepEqual(validate(schemas.errors, [{ code: 403, description: 'x' }]), []);
});

/* ---- an XML 1.0 well-formedness checker and reader -------------------------- */

const XML_DECL = /^<\?xml version="1\.0" encoding="utf-8"\?>/i;
const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;

function xmlCharOk(cp) {
	return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
		(cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* Character data or an attribute value: checked characters, decoded references. */
function decodeText(s, where) {
	let out = '';
	for (let i = 0; i < s.length;) {
		const cp = s.codePointAt(i);
		if (!xmlCharOk(cp))
			throw new Error(`${where}: character U+${cp.toString(16)} is not allowed in XML`);
		if (s[i] !== '&') {
			out += String.fromCodePoint(cp);
			i += cp > 0xffff ? 2 : 1;
			continue;
		}
		const end = s.indexOf(';', i);
		if (end < 0)
			throw new Error(`${where}: an unterminated reference`);
		const ref = s.slice(i + 1, end);
		const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
		if (named[ref]) {
			out += named[ref];
		} else if (/^#[0-9]+$/.test(ref) || /^#x[0-9a-fA-F]+$/.test(ref)) {
			const n = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
			if (!xmlCharOk(n))
				throw new Error(`${where}: &${ref}; refers to a character XML does not allow`);
			out += String.fromCodePoint(n);
		} else {
			throw new Error(`${where}: unknown entity &${ref};`);
		}
		i = end + 1;
	}
	return out;
}

/* Parses a whole document: {name, attrs, children, text} of the root.
 * Throws on anything not well-formed. */
export function parseXml(text) {
	const decl = XML_DECL.exec(text);
	if (!decl)
		throw new Error('no XML declaration with version 1.0 and encoding utf-8');
	let i = decl[0].length;
	const stack = [];
	let root = null;
	const fail = (msg) => {
		throw new Error(`at ${i}: ${msg} (…${text.slice(Math.max(0, i - 40), i + 40)}…)`);
	};
	while (i < text.length) {
		if (text[i] !== '<') {
			const lt = text.indexOf('<', i);
			const raw = text.slice(i, lt < 0 ? text.length : lt);
			if (raw.includes(']]>'))
				fail("']]>' in character data");
			const s = decodeText(raw, `text at ${i}`);
			if (!stack.length) {
				if (s.trim())
					fail('text outside the root element');
			} else {
				stack.at(-1).text += s;
			}
			i += raw.length;
			continue;
		}
		if (text.startsWith('<!--', i)) {
			const end = text.indexOf('-->', i + 4);
			if (end < 0 || text.slice(i + 4, end).includes('--'))
				fail('a bad comment');
			i = end + 3;
			continue;
		}
		if (text.startsWith('<![CDATA[', i)) {
			if (!stack.length)
				fail('CDATA outside the root element');
			const end = text.indexOf(']]>', i);
			if (end < 0)
				fail('an unterminated CDATA section');
			stack.at(-1).text += text.slice(i + 9, end);
			i = end + 3;
			continue;
		}
		if (text.startsWith('<?', i)) {
			const end = text.indexOf('?>', i);
			if (end < 0 || /^<\?xml\b/i.test(text.slice(i)))
				fail('a bad processing instruction');
			i = end + 2;
			continue;
		}
		if (text.startsWith('<!', i))
			fail('a DOCTYPE or other declaration');
		if (text.startsWith('</', i)) {
			const m = NAME.exec(text.slice(i + 2));
			if (!m)
				fail('an end tag without a name');
			const open = stack.pop();
			if (!open || open.name !== m[0])
				fail(`</${m[0]}> closes <${open?.name ?? 'nothing'}>`);
			i += 2 + m[0].length;
			while (/\s/.test(text[i]))
				i++;
			if (text[i] !== '>')
				fail('an end tag not closed by >');
			i++;
			continue;
		}
		const m = NAME.exec(text.slice(i + 1));
		if (!m)
			fail('< not followed by a name');
		const node = { name: m[0], attrs: {}, children: [], text: '' };
		i += 1 + m[0].length;
		for (;;) {
			const ws = /^\s*/.exec(text.slice(i))[0];
			i += ws.length;
			if (text.startsWith('/>', i) || text[i] === '>')
				break;
			if (!ws)
				fail('attributes must be separated by white space');
			const a = NAME.exec(text.slice(i));
			if (!a)
				fail('a bad attribute name');
			i += a[0].length;
			const eq = /^\s*=\s*/.exec(text.slice(i));
			if (!eq)
				fail(`attribute ${a[0]} without '='`);
			i += eq[0].length;
			const q = text[i];
			if (q !== '"' && q !== "'")
				fail(`attribute ${a[0]} is not quoted`);
			const end = text.indexOf(q, i + 1);
			if (end < 0)
				fail(`attribute ${a[0]} is not closed`);
			const raw = text.slice(i + 1, end);
			if (raw.includes('<'))
				fail(`'<' in attribute ${a[0]}`);
			if (Object.hasOwn(node.attrs, a[0]))
				fail(`attribute ${a[0]} twice`);
			node.attrs[a[0]] = decodeText(raw, `attribute ${a[0]}`);
			i = end + 1;
		}
		if (stack.length)
			stack.at(-1).children.push(node);
		else if (root)
			fail('a second root element');
		else
			root = node;
		if (text.startsWith('/>', i)) {
			i += 2;
		} else {
			i++;
			stack.push(node);
		}
	}
	if (stack.length)
		throw new Error(`<${stack.at(-1).name}> is never closed`);
	if (!root)
		throw new Error('no root element');
	return root;
}

test('the XML checker rejects what it should', () => {
	const d = '<?xml version="1.0" encoding="utf-8"?>';
	for (const bad of ['<a/>', `${d}<a>`, `${d}<a></b>`, `${d}<a>&nbsp;</a>`, `${d}<a>x & y</a>`,
		`${d}<a x=1/>`, `${d}<a x="1" x="2"/>`, `${d}<a/><b/>`, `${d}text<a/>`, `${d}<a>\u0001</a>`,
		`${d}<a>&#0;</a>`, `${d}<a x="<"/>`, `${d}<a>]]></a>`, `${d}<!DOCTYPE a><a/>`,
		`${d}<a><b></a></b>`, `${d}<a b="1"c="2"/>`])
		assert.throws(() => parseXml(bad), undefined, bad);
	const ok = parseXml(`${d}\n<a x='1' y="&quot;">t&amp;&lt;&#x4e2d;&#13;<b/><!-- c --></a>\n`);
	assert.equal(ok.text, 't&<中\r');
	assert.deepEqual(ok.attrs, { x: '1', y: '"' });
	assert.equal(ok.children[0].name, 'b');
});

/* The Spark convention: these elements hold a list of the named items. */
const LISTS = { services: 'service', attributes: 'attribute', values: 'value',
	endpoints: 'endpoint', formats: 'format', service_requests: 'request', errors: 'error' };

function spark(node) {
	if (LISTS[node.name]) {
		for (const c of node.children)
			assert.equal(c.name, LISTS[node.name], `<${node.name}> holds only <${LISTS[node.name]}>`);
		return node.children.map(spark);
	}
	if (!node.children.length)
		return node.text;
	const o = {};
	for (const c of node.children) {
		assert.ok(!Object.hasOwn(o, c.name), `<${c.name}> twice in <${node.name}>`);
		o[c.name] = spark(c);
	}
	return o;
}

/* XML read by spark() carries the same data as the JSON answer. */
function assertSameData(x, j, where = '$') {
	if (Array.isArray(j)) {
		assert.ok(Array.isArray(x), `${where}: expected a list in XML`);
		assert.equal(x.length, j.length, `${where}: list length`);
		j.forEach((v, i) => assertSameData(x[i], v, `${where}[${i}]`));
	} else if (j === null) {
		assert.equal(x, '', `${where}: null is an empty element`);
	} else if (typeof j === 'object') {
		assert.deepEqual(Object.keys(x), Object.keys(j), `${where}: the same elements in order`);
		for (const k of Object.keys(j))
			assertSameData(x[k], j[k], `${where}.${k}`);
	} else if (typeof j === 'number') {
		assert.ok(Math.abs(Number(x) - j) < 1e-9, `${where}: ${x} vs ${j}`);
	} else {
		assert.equal(x, String(j), `${where}`);
	}
}

/* ---- helpers ---------------------------------------------------------------- */

let srv;
let key; /* a key in force, issued by the test */

before(async () => {
	srv = await startServer();
});
after(async () => {
	await srv?.stop();
});

function assertJsonType(res) {
	assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8$/,
		`${res.path}: content type`);
}

/* Parses an XML answer, checks its type and root, returns the root node. */
function xmlOf(res, root) {
	assert.match(res.headers.get('content-type') ?? '', /^text\/xml; charset=utf-8$/,
		`${res.path}: content type`);
	let doc;
	try {
		doc = parseXml(res.text);
	} catch (e) {
		assert.fail(`${res.method} ${res.path}: not well-formed: ${e.message}\n${res.text.slice(0, 600)}`);
	}
	assert.equal(doc.name, root, `${res.path}: root element`);
	return doc;
}

/* GETs base.json and base.xml: both 200, the JSON valid, the XML well
 * formed and equal in data. Returns the JSON. */
async function both(base, schema, root, query = '') {
	const j = await srv.api('GET', `${base}.json${query}`);
	assert.equal(j.status, 200, `${base}.json${query}: ${j.text.slice(0, 400)}`);
	assertJsonType(j);
	assertSchema(schema, j.json);
	const x = await srv.api('GET', `${base}.xml${query}`);
	assert.equal(x.status, 200, `${base}.xml${query}: ${x.text.slice(0, 400)}`);
	assertSameData(spark(xmlOf(x, root)), j.json);
	return j.json;
}

/* Asserts an Open311 error answer in either format: status and a matching
 * description; code is the status. */
function assertO311Error(res, status, re = /./) {
	assert.equal(res.status, status, `${res.method} ${res.path}: status, body ${res.text.slice(0, 400)}`);
	let errors;
	if (/\.xml(\?|$)/.test(res.path) || !/\.json(\?|$)/.test(res.path)) {
		const doc = xmlOf(res, 'errors');
		errors = spark(doc).map((e) => ({ code: Number(e.code), description: e.description }));
		assert.ok(errors.every((e) => /^\d+$/.test(String(e.code))), 'numeric codes');
	} else {
		assertJsonType(res);
		errors = res.json;
	}
	assertSchema('errors', errors);
	assert.equal(errors[0].code, status, 'the code is the HTTP status');
	assert.match(errors[0].description, re, 'the description');
	return errors;
}

function form(fields) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(fields))
		for (const x of [v].flat())
			p.append(k, x);
	return p.toString();
}

function file(fmt, fields, { headers = { 'content-type': FORM }, raw } = {}) {
	return srv.api('POST', `${O}/requests.${fmt}`, { raw: raw ?? form(fields), headers });
}

async function newKey(name = 'civic app') {
	const res = await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
		body: { name, jurisdiction: '330108' } });
	assert.equal(res.status, 201, res.text);
	return res.json;
}

/* Files a request (JSON answer) and returns its id. */
async function fileOk(fields, fmt = 'json') {
	const res = await file(fmt, { api_key: key, service_code: '0102', ...POINT, ...fields });
	assert.equal(res.status, 200, `${fmt}: ${res.text.slice(0, 400)}`);
	if (fmt === 'json') {
		assertJsonType(res);
		assertSchema('request_created', res.json);
		return { id: res.json[0].service_request_id, notice: res.json[0].service_notice };
	}
	const data = spark(xmlOf(res, 'service_requests'));
	assertSchema('request_created', data);
	return { id: data[0].service_request_id, notice: data[0].service_notice };
}

async function getRequest(id) {
	const list = await both(`${O}/requests/${id}`, 'service_requests', 'service_requests');
	assert.equal(list.length, 1);
	return list[0];
}

async function act(as, id, action, body = {}) {
	const res = await srv.api('POST', `/api/v1/events/${id}/actions/${action}`, { as, body });
	assert.equal(res.status, 200, `${action}: ${res.text}`);
	return res.json;
}

async function event(id) {
	const res = await srv.api('GET', `/api/v1/events/${id}`, { as: 'centre' });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

/* ---- discovery and services --------------------------------------------------- */

describe('discovery and services', () => {
	test('discovery names this endpoint and both formats', async () => {
		const d = await both(`${O}/discovery`, 'discovery', 'discovery');
		const ep = d.endpoints[0];
		assert.equal(ep.url, `${srv.base}/open311/v2`);
		assert.deepEqual([...ep.formats].sort(), ['application/json', 'text/xml']);
		assert.match(d.contact, /330108/);
	});

	test('services are the enabled 4-digit categories, grouped by class', async () => {
		const list = await both(`${O}/services`, 'services', 'services');
		const cats = (await srv.api('GET', '/api/v1/categories', { as: 'centre' })).json.items;
		const want = cats.filter((c) => c.code.length === 4 && c.enabled).map((c) => c.code);
		assert.deepEqual(list.map((s) => s.service_code), want);
		const rubbish = list.find((s) => s.service_code === '0102');
		assert.equal(rubbish.service_name, '暴露垃圾');
		assert.equal(rubbish.group, '市容环境');
		assert.equal(rubbish.metadata, true);
		assert.equal(rubbish.type, 'realtime');
		assert.match(rubbish.keywords, /Exposed rubbish/);
		assert.match(rubbish.description, /处置时限/);
		for (const s of list)
			assert.equal(s.group, cats.find((c) => c.code === s.service_code.slice(0, 2)).name);
	});

	test('a definition lists the attributes with their values', async () => {
		const d = await both(`${O}/services/0102`, 'service_definition', 'service_definition');
		assert.equal(d.service_code, '0102');
		const orders = d.attributes.map((a) => a.order);
		assert.equal(new Set(orders).size, orders.length, 'orders are unique');
		const urgency = d.attributes.find((a) => a.code === 'urgency');
		assert.equal(urgency.datatype, 'singlevaluelist');
		assert.equal(urgency.variable, true);
		assert.equal(urgency.required, false);
		assert.deepEqual(urgency.values, [{ key: '1', name: '一般' }, { key: '2', name: '紧急' },
			{ key: '3', name: '特急' }]);
		const title = d.attributes.find((a) => a.code === 'title');
		assert.equal(title.datatype, 'string');
		assert.ok(!('values' in title), 'no values for a free attribute');
		const info = d.attributes.find((a) => !a.variable);
		assert.match(info.description, /一般 1 个工作日/);
	});

	test('the services answer a matching jurisdiction_id, and 404 another', async () => {
		await both(`${O}/services`, 'services', 'services', '?jurisdiction_id=330108');
		await both(`${O}/services`, 'services', 'services', '?jurisdiction_id=');
		assertO311Error(await srv.api('GET', `${O}/services.json?jurisdiction_id=sfgov.org`), 404,
			/jurisdiction_id 'sfgov.org' not found/);
		assertO311Error(await srv.api('GET', `${O}/services.xml?jurisdiction_id=330109`), 404,
			/jurisdiction_id/);
		assertO311Error(await srv.api('GET', `${O}/services/0102.json?jurisdiction_id=330109`), 404);
	});

	const missing = [
		['a class is not a service', `${O}/services/01.json`],
		['an unknown code', `${O}/services/9999.xml`],
		['a code with letters', `${O}/services/ab%3Ccd.json`],
		['an unknown suffix', `${O}/services/0102.txt`],
		['no suffix', `${O}/services/0102`],
		['an empty code', `${O}/services/.json`],
		['two suffixes', `${O}/services/0102.json.xml`],
	];
	for (const [name, p] of missing)
		test(`404 in the spec's format: ${name}`, async () => {
			assertO311Error(await srv.api('GET', p), 404);
		});
});

/* ---- API keys ---------------------------------------------------------------------- */

describe('API keys', () => {
	test('an administrator issues a key, seen once; listings show no secret', async () => {
		const k = await newKey('市民通 app');
		assert.match(k.key, /^[0-9a-f]{32}$/);
		assert.equal(k.jurisdiction, '330108');
		assert.equal(k.revoked, false);
		assert.equal(k.created_by, 'admin');
		key = k.key;
		const list = await srv.api('GET', '/api/v1/api-keys', { as: 'admin' });
		assert.equal(list.status, 200);
		const mine = list.json.items.find((x) => x.id === k.id);
		assert.equal(mine.name, '市民通 app');
		assert.ok(!('key' in mine) && !('key_hash' in mine), 'no secret in the listing');
		assert.doesNotMatch(list.text, /[0-9a-f]{32}/, 'nothing that looks like a key or a digest');
		const sec = await srv.api('GET', '/api/v1/api-keys', { as: 'security' });
		assert.equal(sec.status, 200, 'the security administrator manages keys too');
	});

	test('only administrators, only districts in scope, only known fields', async () => {
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'centre',
			body: { name: 'x', jurisdiction: '330108' } }), 403, 'forbidden');
		assertError(await srv.api('GET', '/api/v1/api-keys', { as: 'handler' }), 403, 'forbidden');
		assertError(await srv.api('GET', '/api/v1/api-keys'), 401, 'unauthenticated');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { name: 'x', jurisdiction: '330108001' } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { name: 'x', jurisdiction: '110101' } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { name: 'x', jurisdiction: '330108', key: 'mine' } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { jurisdiction: '330108' } }), 400, 'missing_field');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin',
			body: { name: 'a\u0007b', jurisdiction: '330108' } }), 400, 'invalid_value');
		assertError(await srv.api('POST', '/api/v1/api-keys', { as: 'admin', raw: 'name=x',
			headers: { 'content-type': FORM } }), 415, 'unsupported_media_type');
	});

	test('revoking is final and idempotent; a revoked key files nothing', async () => {
		const k = await newKey('to revoke');
		assert.equal((await fileOk({ description: '用后即吊销', api_key: k.key })).id.length > 0, true);
		const r1 = await srv.api('POST', `/api/v1/api-keys/${k.id}/revoke`, { as: 'admin' });
		assert.equal(r1.status, 200, r1.text);
		assert.equal(r1.json.revoked, true);
		assert.equal(r1.json.uses, 1);
		assert.ok(r1.json.revoked_at);
		const r2 = await srv.api('POST', `/api/v1/api-keys/${k.id}/revoke`, { as: 'admin' });
		assert.equal(r2.json.revoked_at, r1.json.revoked_at, 'the first revocation stands');
		for (const fmt of ['json', 'xml'])
			assertO311Error(await file(fmt, { api_key: k.key, service_code: '0102', ...POINT }), 403,
				/revoked/);
		assertError(await srv.api('POST', '/api/v1/api-keys/999999/revoke', { as: 'admin' }), 404, 'not_found');
		assertError(await srv.api('POST', '/api/v1/api-keys/abc/revoke', { as: 'admin' }), 404, 'not_found');
		assertError(await srv.api('POST', `/api/v1/api-keys/${k.id}/revoke`, { as: 'centre' }), 403, 'forbidden');
	});
});

/* ---- filing and reading back --------------------------------------------------------- */

/* each value is distinctive, so finding it anywhere means it was kept */
const CITIZEN = { email: 'zhang.san@example.com', first_name: '三丰q7x', last_name: '张q7x',
	phone: '13912345678', device_id: 'device-7f3a9c', account_id: 'acct-55x1',
	media_url: 'https://img.example.com/p/abc.jpg' };
const TRICKY = '路边垃圾 & <b>"堆积"</b> it\'s 3 > 2\n第二行 100% + more';

describe('filing a request', () => {
	let filed; /* {id, notice} */

	test('a form-encoded request with a key becomes an event', async () => {
		assert.ok(key, 'a key was issued');
		filed = await fileOk({ description: TRICKY, 'attribute[urgency]': '2', ...CITIZEN });
		assert.match(filed.notice, /PA[2-9A-HJ-NP-Z]{10}/, 'the notice gives the receipt');
		const e = await event(filed.id);
		assert.equal(e.source, 'open311');
		assert.equal(e.category, '0102');
		assert.equal(e.urgency, 2);
		assert.equal(e.description, TRICKY);
		assert.equal(e.title, '路边垃圾 & <b>"堆积"</b> it\'s 3 > 2', 'the first line is the title');
		assert.equal(e.state, 'reported');
		assert.equal(e.grid, '330108001009002');
		assert.equal(e.timeline[0].actor, 'citizen', 'anonymous');
		const text = JSON.stringify(e);
		for (const v of Object.values(CITIZEN))
			assert.ok(!text.includes(v), `'${v}' is not in the event`);
	});

	test('it reads back alone, in both formats, with the event\'s deadline', async () => {
		const r = await getRequest(filed.id);
		const e = await event(filed.id);
		assert.equal(r.service_request_id, filed.id);
		assert.equal(r.status, 'open');
		assert.equal(r.status_notes, null);
		assert.equal(r.service_code, '0102');
		assert.equal(r.service_name, '暴露垃圾');
		assert.equal(r.description, TRICKY, 'text survives both encodings');
		assert.equal(r.lat, 30.2088);
		assert.equal(r.long, 120.2116);
		assert.equal(r.expected_datetime, e.deadline_at);
		assert.equal(r.requested_datetime, e.created_at);
		assert.equal(r.updated_datetime, e.updated_at);
		assert.equal(r.agency_responsible, null, 'nobody is assigned yet');
		assert.equal(r.media_url, null);
		const x = await srv.api('GET', `${O}/requests/${filed.id}.xml`);
		assert.ok(x.text.includes('&amp; &lt;b&gt;&quot;堆积&quot;&lt;/b&gt; it&apos;s 3 &gt; 2'),
			'markup characters are escaped');
	});

	test('the citizen\'s personal fields are stored nowhere', async () => {
		const pages = [await srv.api('GET', `${O}/requests/${filed.id}.json`),
			await srv.api('GET', `${O}/requests/${filed.id}.xml`),
			await srv.api('GET', `${O}/requests.json?service_code=0102`),
			await srv.api('GET', `/api/v1/events/${filed.id}/timeline`, { as: 'admin' })];
		for (const p of pages)
			for (const v of Object.values(CITIZEN))
				assert.ok(!p.text.includes(v), `'${v}' is not in ${p.path}`);
		const { readFile } = await import('node:fs/promises');
		let bytes = '';
		for (const f of ['p.db', 'p.db-wal'])
			bytes += await readFile(path.join(srv.dir, f), 'latin1').catch(() => '');
		assert.ok(bytes.includes(Buffer.from('第二行 100% + more', 'utf8').toString('latin1')),
			'the check can see stored text (the description is stored)');
		for (const v of Object.values(CITIZEN))
			assert.ok(!bytes.includes(Buffer.from(v, 'utf8').toString('latin1')),
				`'${v}' is not in the database files`);
		assert.ok(!bytes.includes(key), 'nor is the API key');
	});

	test('it is in the lists, filtered by code, status and id', async () => {
		let list = await both(`${O}/requests`, 'service_requests', 'service_requests',
			'?service_code=0102');
		assert.ok(list.some((r) => r.service_request_id === filed.id));
		assert.ok(list.every((r) => r.service_code === '0102'));
		list = await both(`${O}/requests`, 'service_requests', 'service_requests',
			'?service_code=0102,0101&status=open');
		assert.ok(list.some((r) => r.service_request_id === filed.id));
		assert.ok(list.every((r) => ['0101', '0102'].includes(r.service_code) && r.status === 'open'));
		const ids = list.map((r) => Number(r.service_request_id));
		assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first across codes');
		list = await both(`${O}/requests`, 'service_requests', 'service_requests', '?status=closed');
		assert.ok(!list.some((r) => r.service_request_id === filed.id));
		assert.ok(list.every((r) => r.status === 'closed'));
		list = await both(`${O}/requests`, 'service_requests', 'service_requests',
			`?service_request_id=${filed.id},1,999999,${filed.id}&status=closed`);
		assert.deepEqual(list.map((r) => r.service_request_id), [filed.id, '1'],
			'ids override other filters, keep their order, skip unknown and repeated ones');
	});

	test('the receipt works as a token', async () => {
		const receipt = /PA[2-9A-HJ-NP-Z]{10}/.exec(filed.notice)[0];
		const t = await both(`${O}/tokens/${receipt}`, 'token', 'service_requests');
		assert.deepEqual(t, [{ service_request_id: filed.id, token: receipt }]);
		assertO311Error(await srv.api('GET', `${O}/tokens/PA2222222222.json`), 404, /not found/);
		assertO311Error(await srv.api('GET', `${O}/tokens/PA0000000000.xml`), 404);
		assertO311Error(await srv.api('GET', `${O}/tokens/${receipt}.html`), 404);
	});

	test('XML filing with an address only, and a title attribute', async () => {
		const r = await fileOk({ ...POINT, lat: '', long: '', address_string: '江南大道 & 长河路口',
			'attribute[title]': '路口垃圾', description: '' }, 'xml');
		const e = await event(r.id);
		assert.equal(e.title, '路口垃圾');
		assert.equal(e.point, null);
		assert.equal(e.urgency, 1, 'urgency defaults to 1');
		const got = await getRequest(r.id);
		assert.equal(got.address, '江南大道 & 长河路口');
		assert.equal(got.lat, null);
		assert.equal(got.description, '路口垃圾', 'the title stands in for a missing description');
	});

	test('the key counts its uses; a key and a jurisdiction_id in the URL work too', async () => {
		const before = (await srv.api('GET', '/api/v1/api-keys', { as: 'admin' })).json.items
			.find((k) => k.name === '市民通 app');
		const res = await srv.api('POST', `${O}/requests.json?jurisdiction_id=330108`,
			{ raw: form({ api_key: key.toUpperCase(), service_code: '0103', ...POINT }),
				headers: { 'content-type': `${FORM}; charset=UTF-8` } });
		assert.equal(res.status, 200, res.text);
		const after = (await srv.api('GET', '/api/v1/api-keys', { as: 'admin' })).json.items
			.find((k) => k.name === '市民通 app');
		assert.equal(after.uses, before.uses + 1);
		assert.ok(after.last_used_at);
	});
});

/* ---- status through the workflow ------------------------------------------------------ */

describe('status follows the event', () => {
	test('open while handled, closed when closed, with the public notes', async () => {
		const { id } = await fileOk({ description: '垃圾桶满溢' });
		await act('centre', id, 'register');
		await act('centre', id, 'dispatch', { assignee: '330108D01' });
		const dept = (await srv.api('GET', '/api/v1/orgs/330108D01', { as: 'admin' })).json.name;
		let r = await getRequest(id);
		let e = await event(id);
		assert.equal(r.status, 'open');
		assert.equal(r.agency_responsible, dept);
		assert.equal(r.expected_datetime, e.deadline_at, 'the running deadline');
		await act('handler', id, 'accept');
		await act('handler', id, 'request_extension', { reason: '内部：等车辆', days: 2 });
		await act('handler', id, 'handle', { note: '垃圾已清运' });
		r = await getRequest(id);
		assert.equal(r.status, 'open', 'handled is not yet closed');
		assert.equal(r.status_notes, '垃圾已清运');
		await act('centre', id, 'verify');
		e = await act('centre', id, 'close');
		r = await getRequest(id);
		assert.equal(r.status, 'closed');
		assert.equal(r.status_notes, '垃圾已清运');
		assert.equal(r.expected_datetime, null);
		assert.equal(r.updated_datetime, e.closed_at);
		const closed = await both(`${O}/requests`, 'service_requests', 'service_requests',
			'?status=closed&service_code=0102');
		assert.ok(closed.some((x) => x.service_request_id === id));
		const open = await both(`${O}/requests`, 'service_requests', 'service_requests',
			'?status=open&service_code=0102');
		assert.ok(!open.some((x) => x.service_request_id === id));
		const tl = await srv.api('GET', `${O}/requests/${id}.json`);
		assert.ok(!tl.text.includes('内部'), 'internal notes stay internal');
	});

	test('a rejection is closed with its reason; a merge names the survivor', async () => {
		const a = await fileOk({ description: '不属于城市管理的问题' });
		await act('centre', a.id, 'reject', { reason: '不属于受理范围' });
		let r = await getRequest(a.id);
		assert.equal(r.status, 'closed');
		assert.equal(r.status_notes, '不属于受理范围');
		const b = await fileOk({ description: '重复上报一' });
		const c = await fileOk({ description: '重复上报二' });
		await act('centre', c.id, 'merge', { target: b.id });
		r = await getRequest(c.id);
		assert.equal(r.status, 'closed');
		assert.match(r.status_notes, new RegExp(`\\b${b.id}\\b`));
	});
});

/* ---- errors in the spec's format ---------------------------------------------------- */

describe('filing errors', () => {
	const good = () => ({ api_key: key, service_code: '0102', ...POINT, description: '不应入库的测试' });
	const cases = [
		{ name: 'no api_key', fields: () => ({ ...good(), api_key: undefined }), status: 403, re: /not provided/ },
		{ name: 'an empty api_key', fields: () => ({ ...good(), api_key: '' }), status: 403 },
		{ name: 'an unknown key', fields: () => ({ ...good(), api_key: '0123456789abcdef0123456789abcdef' }), status: 403, re: /invalid api_key/ },
		{ name: 'a malformed key', fields: () => ({ ...good(), api_key: 'xyz' }), status: 403, re: /invalid/ },
		{ name: 'a session token as key', fields: () => ({ ...good(), api_key: srv.sessions.get('admin')?.token ?? 'f'.repeat(32) }), status: 403 },
		{ name: 'an unknown service_code', fields: () => ({ ...good(), service_code: '9999' }), status: 404, re: /service_code '9999' not found/ },
		{ name: 'a class as service_code', fields: () => ({ ...good(), service_code: '01' }), status: 404 },
		{ name: 'no service_code', fields: () => ({ ...good(), service_code: undefined }), status: 400, re: /service_code was not provided/ },
		{ name: 'a foreign jurisdiction_id', fields: () => ({ ...good(), jurisdiction_id: 'city.gov' }), status: 404, re: /jurisdiction_id/ },
		{ name: 'no location', fields: () => ({ ...good(), lat: undefined, long: undefined }), status: 400, re: /location is required/ },
		{ name: 'address_id only', fields: () => ({ ...good(), lat: undefined, long: undefined, address_id: '545483' }), status: 400, re: /address_id/ },
		{ name: 'lat without long', fields: () => ({ ...good(), long: undefined }), status: 400, re: /both lat and long/ },
		{ name: 'a lat that is not a number', fields: () => ({ ...good(), lat: 'abc' }), status: 400, re: /lat must be/ },
		{ name: 'a lat out of range', fields: () => ({ ...good(), lat: '91' }), status: 400, re: /lat must be/ },
		{ name: 'a long out of range', fields: () => ({ ...good(), long: '-180.5' }), status: 400, re: /long must be/ },
		{ name: 'a NaN lat', fields: () => ({ ...good(), lat: 'NaN' }), status: 400 },
		{ name: 'an infinite long', fields: () => ({ ...good(), long: '1e999' }), status: 400 },
		{ name: 'a lat with trailing junk', fields: () => ({ ...good(), lat: '30.2x' }), status: 400 },
		{ name: 'urgency out of the list', fields: () => ({ ...good(), 'attribute[urgency]': '4' }), status: 400, re: /urgency/ },
		{ name: 'urgency twice', fields: () => ({ ...good(), 'attribute[urgency]': ['1', '2'] }), status: 400, re: /one value/ },
		{ name: 'urgency as a list', fields: () => ({ ...good(), 'attribute[urgency][]': '1' }), status: 400 },
		{ name: 'an unknown attribute', fields: () => ({ ...good(), 'attribute[colour]': 'red' }), status: 400, re: /no attribute 'colour'/ },
		{ name: 'a malformed attribute name', fields: () => ({ ...good(), 'attribute[urgency': '1' }), status: 400 },
		{ name: 'a two-line title', fields: () => ({ ...good(), 'attribute[title]': 'a\nb' }), status: 400 },
		{ name: 'service_code twice', fields: () => ({ ...good(), service_code: ['0102', '0103'] }), status: 400, re: /more than once/ },
		{ name: 'api_key twice', fields: () => ({ ...good(), api_key: [key, key] }), status: 400 },
		{ name: 'a description over 2000 characters', fields: () => ({ ...good(), description: '长'.repeat(2001) }), status: 400, re: /2000/ },
		{ name: 'a control character in the description', fields: () => ({ ...good(), description: 'a\u0001b' }), status: 400 },
		{ name: 'an address over 200 characters', fields: () => ({ ...good(), address_string: 'x'.repeat(201) }), status: 400 },
		{ name: 'a JSON body', raw: () => JSON.stringify(good()), headers: { 'content-type': 'application/json' }, status: 415, re: /x-www-form-urlencoded/ },
		{ name: 'text/plain', raw: () => form(good()), headers: { 'content-type': 'text/plain' }, status: 415 },
		{ name: 'a multipart body', raw: () => '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' }, status: 415 },
		{ name: 'a non-UTF-8 charset', raw: () => form(good()), headers: { 'content-type': `${FORM}; charset=gbk` }, status: 415 },
		{ name: 'no content type', raw: () => Buffer.from(form(good())), headers: {}, status: 415 },
		{ name: 'a bad percent escape', raw: () => `${form(good())}&description=%zz`, status: 400, re: /not followed by two hex digits/ },
		{ name: 'a truncated escape', raw: () => `${form(good())}&x=%4`, status: 400 },
		{ name: 'an escape that is not UTF-8', raw: () => `${form(good())}&description=%ff%fe`, status: 400, re: /UTF-8/ },
		{ name: 'raw bytes that are not UTF-8', raw: () => Buffer.concat([Buffer.from(`${form(good())}&description=`), Buffer.from([0xc3, 0x28])]), status: 400, re: /UTF-8/ },
		{ name: 'an escaped NUL', raw: () => `${form(good())}&description=a%00b`, status: 400, re: /NUL/ },
		{ name: 'a body over 64 KiB', raw: () => `${form(good())}&pad=${'a'.repeat(70000)}`, status: 413, re: /limit/ },
		{ name: 'more than 64 fields', raw: () => `${form(good())}${'&f=1'.repeat(70)}`, status: 413, re: /fields/ },
		{ name: 'a name over 64 bytes', raw: () => `${form(good())}&${'n'.repeat(65)}=1`, status: 413 },
	];
	for (const fmt of ['json', 'xml']) {
		for (const c of cases) {
			test(`${fmt}: ${c.name} → ${c.status}`, async () => {
				const fields = c.fields ? Object.fromEntries(Object.entries(c.fields())
					.filter(([, v]) => v !== undefined)) : null;
				const res = c.raw
					? await srv.api('POST', `${O}/requests.${fmt}`, { raw: c.raw(),
						headers: c.headers ?? { 'content-type': FORM } })
					: await file(fmt, fields);
				assertO311Error(res, c.status, c.re);
			});
		}
	}

	test('none of them filed anything', async () => {
		const res = await srv.api('GET', `/api/v1/events?q=${encodeURIComponent('不应入库的测试')}`,
			{ as: 'admin' });
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.total, 0, 'no refused request left an event');
	});

	test('an api_key in the URL only is refused, and said so', async () => {
		const res = await srv.api('POST', `${O}/requests.json?api_key=${key}`,
			{ raw: form({ service_code: '0102', ...POINT }), headers: { 'content-type': FORM } });
		assertO311Error(res, 403, /form body/);
	});

	test('a body over the server\'s max_body is refused before Open311 sees it', async () => {
		const res = await srv.headFirst({ path: `${O}/requests.json`,
			headers: { 'content-type': FORM, 'content-length': String(2 * 1024 * 1024) },
			body: 'a'.repeat(1024) });
		assert.equal(res.status, 413);
		/* the server's own error body (documented in docs/open311.md) */
		assert.equal(res.json?.error?.code, 'payload_too_large');
	});
});

/* ---- querying ------------------------------------------------------------------------- */

describe('querying requests', () => {
	test('by default: the last 90 days, at most 1000, newest first, public fields only', async () => {
		const j = await srv.api('GET', `${O}/requests.json`);
		assert.equal(j.status, 200);
		assertSchema('service_requests', j.json);
		const ids = j.json.map((r) => Number(r.service_request_id));
		assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
		assert.ok(ids.length > 0 && ids.length <= 1000);
		const now = Date.now();
		for (const r of j.json)
			assert.ok(now - Date.parse(r.requested_datetime) <= 90 * 86400e3 + 60e3, r.requested_datetime);
		assert.doesNotMatch(j.text, /PA[2-9A-HJ-NP-Z]{10}/, 'no receipts in lists');
		assert.doesNotMatch(j.text, /"(receipt|reporter|source|title|grid|version)"/);
		const x = await srv.api('GET', `${O}/requests.xml`);
		assertSameData(spark(xmlOf(x, 'service_requests')), j.json);
	});

	test('a date window, in any offset, at most 90 days', async () => {
		const end = new Date();
		const start = new Date(end.getTime() - 30 * 86400e3);
		const iso = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
		const list = await both(`${O}/requests`, 'service_requests', 'service_requests',
			`?start_date=${iso(start)}&end_date=${iso(end)}`);
		for (const r of list) {
			const t = Date.parse(r.requested_datetime);
			assert.ok(t >= start.getTime() - 1000 && t <= end.getTime(), r.requested_datetime);
		}
		/* the same instants written at +08:00 */
		const cst = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().replace(/\.\d+Z$/, '+08:00');
		const same = await srv.api('GET', `${O}/requests.json?start_date=${encodeURIComponent(cst(start))}` +
			`&end_date=${encodeURIComponent(cst(end))}`);
		assert.deepEqual(same.json, list);
		const old = await both(`${O}/requests`, 'service_requests', 'service_requests',
			'?start_date=2001-01-01T00:00:00Z&end_date=2001-02-01');
		assert.deepEqual(old, []);
	});

	const bad = [
		['a span over 90 days', '?start_date=2025-01-01T00:00:00Z&end_date=2025-04-02T00:00:00Z', /90 days/],
		['end before start', '?start_date=2025-02-01T00:00:00Z&end_date=2025-01-01T00:00:00Z', /before/],
		['a month 13', '?start_date=2025-13-01T00:00:00Z', /start_date/],
		['February 30', '?end_date=2025-02-30', /end_date/],
		['no time zone', '?start_date=2025-01-01T00:00:00', /start_date/],
		['words', '?start_date=yesterday', /start_date/],
		['an unknown status', '?status=pending', /status/],
		['a bad service_code', '?service_code=ab', /service_code/],
		['a bad id', '?service_request_id=1,x', /service_request_id/],
		['too many ids', `?service_request_id=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, /at most/],
		['a foreign jurisdiction', '?jurisdiction_id=330109', /jurisdiction_id/],
	];
	for (const [name, q, re] of bad)
		for (const fmt of ['json', 'xml'])
			test(`${fmt}: ${name} is a 4xx in the spec's format`, async () => {
				const res = await srv.api('GET', `${O}/requests.${fmt}${q}`);
				assertO311Error(res, /jurisdiction/.test(name) ? 404 : 400, re);
			});

	test('markup in text is escaped, never breaks the document', async () => {
		const desc = '5 < 6 & "quoted" \'single\' <script>x</script> ]]> end';
		const filed = await fileOk({ service_code: '0103', description: desc });
		const j = await srv.api('GET', `${O}/requests/${filed.id}.json`);
		assertSchema('service_requests', j.json);
		assert.equal(j.json[0].description, desc, 'JSON carries the text as it is');
		const x = await srv.api('GET', `${O}/requests/${filed.id}.xml`);
		const d = spark(xmlOf(x, 'service_requests'))[0].description;
		assert.equal(d, desc, 'XML carries it escaped and reads back the same');
		assert.ok(!x.text.includes('<script>'), 'no raw markup in the XML');
	});

	test('staff reports are not public: only what citizens filed is listed', async () => {
		const res = await srv.api('POST', '/api/v1/events', { as: 'gridworker',
			body: { category: '0103', title: '内部上报', description: '含有内部信息', lon: 120.2116, lat: 30.2088 } });
		assert.equal(res.status, 201, res.text);
		assertO311Error(await srv.api('GET', `${O}/requests/${res.json.id}.json`), 404, /not found/);
		const list = await srv.api('GET', `${O}/requests.json`);
		assert.equal(list.status, 200);
		assert.ok(!list.json.some((x) => x.service_request_id === String(res.json.id)),
			'not in the public list');
		const byId = await both(`${O}/requests`, 'service_requests', 'service_requests',
			`?service_request_id=${res.json.id},1`);
		assert.deepEqual(byId.map((x) => x.service_request_id), ['1'], 'skipped like an unknown id');
	});

	test('staff reports are not public: their receipts answer as unknown tokens, in both formats', async () => {
		const res = await srv.api('POST', '/api/v1/events', { as: 'gridworker',
			body: { category: '0103', title: '内部上报', description: '回执不应可查', lon: 120.2116, lat: 30.2088 } });
		assert.equal(res.status, 201, res.text);
		const receipt = res.json.receipt;
		assert.match(receipt, /^PA[2-9A-HJ-NP-Z]{10}$/);
		const unknown = 'PA2222222222';
		for (const fmt of ['json', 'xml']) {
			const staff = assertO311Error(await srv.api('GET', `${O}/tokens/${receipt}.${fmt}`), 404,
				new RegExp(`^token '${receipt}' not found$`));
			const none = assertO311Error(await srv.api('GET', `${O}/tokens/${unknown}.${fmt}`), 404);
			assert.deepEqual(staff, none.map((e) => ({ ...e, description: e.description.replace(unknown, receipt) })),
				`${fmt}: the same answer as an unknown receipt`);
		}
	});

	test('one request: 404 for unknown, malformed or suffix-less ids', async () => {
		assertO311Error(await srv.api('GET', `${O}/requests/99999999.json`), 404, /not found/);
		assertO311Error(await srv.api('GET', `${O}/requests/abc.xml`), 404);
		assertO311Error(await srv.api('GET', `${O}/requests/-1.json`), 404);
		assertO311Error(await srv.api('GET', `${O}/requests/1`), 404);
		assertO311Error(await srv.api('GET', `${O}/requests/1.csv`), 404);
		await getRequest('1');
	});
});

/* ---- nothing a client sends makes a 5xx ------------------------------------------------- */

describe('errors before a handler', () => {
	test('an unknown path and a wrong method answer in the spec format of their suffix', async () => {
		const j = await srv.api('GET', `${O}/nope.json`);
		assertO311Error(j, 404);
		const x = await srv.api('GET', `${O}/nope.xml`);
		assertO311Error(x, 404);
		const m = await srv.api('DELETE', `${O}/services.xml`);
		assertO311Error(m, 405);
		assert.match(m.headers.get('allow') ?? '', /GET/);
		const plain = await srv.api('GET', `${O}/nope`);
		assert.equal(plain.status, 404);
		assert.equal(plain.json.error.code, 'no_route', 'no suffix: the generic error');
	});
});

describe('fuzzing', () => {
	const PIECES = ['api_key=', '&', '=', '%', '%2', '%zz', '%ff', '%00', '%E5%9E%83', '+', 'lat=',
		'long=', '30.2', '-', 'e9', 'NaN', 'service_code=', '0102', '01', 'attribute[', ']', '[]',
		'urgency', 'title', 'description=', '<', '&amp;', '\u5783', '\r\n', 'address_string=',
		'jurisdiction_id=', '330108', 'x'.repeat(300)];

	test('random forms: only 200, 400, 403, 404 or 413, always in the spec\'s format', async () => {
		const rand = rng(311);
		const seen = new Set();
		for (let i = 0; i < 300; i++) {
			let body = i % 2 ? `api_key=${key}&` : '';
			const n = 1 + Math.floor(rand() * 12);
			for (let k = 0; k < n; k++)
				body += PIECES[Math.floor(rand() * PIECES.length)];
			const fmt = i % 3 ? 'json' : 'xml';
			const res = await srv.api('POST', `${O}/requests.${fmt}`, { raw: body,
				headers: { 'content-type': FORM } });
			seen.add(res.status);
			assert.ok([200, 400, 403, 404, 413].includes(res.status),
				`${res.status} for ${JSON.stringify(body)}: ${res.text.slice(0, 300)}`);
			if (res.status === 200) {
				const data = fmt === 'json' ? res.json : spark(xmlOf(res, 'service_requests'));
				assertSchema('request_created', data);
			} else {
				assertO311Error(res, res.status);
			}
		}
		assert.ok(seen.has(400) && seen.has(403), `statuses seen: ${[...seen]}`);
	});

	test('random queries and path parameters: never a 5xx, always well-formed', async () => {
		const rand = rng(2);
		const QP = ['service_request_id', 'service_code', 'start_date', 'end_date', 'status',
			'jurisdiction_id'];
		const QV = ['', '1', '1,2', ',', '%ff', '%00', '%3C%26', 'open', 'closed,open', '0102',
			'2025-01-01', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00+08:00', '9'.repeat(40),
			'2025-02-29', '-1', '1e3', '%E5%9E%83'];
		const bases = [`${O}/requests`, `${O}/services`, `${O}/discovery`];
		const params = [`${O}/requests/`, `${O}/services/`, `${O}/tokens/`];
		for (let i = 0; i < 200; i++) {
			const fmt = rand() < 0.5 ? 'json' : 'xml';
			let p;
			if (i % 2) {
				const q = Array.from({ length: 1 + Math.floor(rand() * 3) }, () =>
					`${QP[Math.floor(rand() * QP.length)]}=${QV[Math.floor(rand() * QV.length)]}`);
				p = `${bases[Math.floor(rand() * bases.length)]}.${fmt}?${q.join('&')}`;
			} else {
				p = `${params[Math.floor(rand() * params.length)]}${QV[Math.floor(rand() * QV.length)]}.${fmt}`;
			}
			const res = await srv.api('GET', p);
			assert.ok(res.status < 500, `${res.status} for ${p}`);
			if (res.status >= 400) {
				if (res.json?.error)
					assert.equal(res.json.error.code, 'no_route', `${p}: the only non-Open311 error`);
				else
					assertO311Error(res, res.status);
			} else {
				/* which answer this is, by its path */
				const [schema, root] = p.includes('/discovery') ? ['discovery', 'discovery']
					: p.includes('/services/') ? ['service_definition', 'service_definition']
						: p.includes('/services') ? ['services', 'services']
							: p.includes('/tokens/') ? ['token', 'service_requests']
								: ['service_requests', 'service_requests'];
				const data = fmt === 'json' ? res.json : spark(xmlOf(res, root));
				if (fmt === 'json')
					assertJsonType(res);
				/* XML leaves are text: only the JSON is checked against the schema */
				if (fmt === 'json')
					assertSchema(schema, data);
			}
		}
	});
});
