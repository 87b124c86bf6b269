/*
 * assess.js - what the assessment (考评) screens share: the levels, who may
 * do what (the route table in src/api/routes.c), period keys as the API
 * writes them (China Standard Time), and values shown the way the API's CSV
 * and report show them (ratios in %, "—" for no value).
 */
import { t, locale } from './i18n.js';
import { hasRole } from './store.js';

export const LEVELS = ['street', 'community', 'grid', 'department', 'grid_worker'];

/* the roles with something to do in the section (reading is open to every
 * signed-in user; these have its menu) */
export const ASSESS_ROLES = ['assessor', 'leader', 'admin', 'centre'];
export const can = {
	close: () => hasRole('assessor'),
	adjust: () => hasRole('assessor'),
	decide: () => hasRole('assessor', 'leader'),
	generate: () => hasRole('assessor'),
	addUnit: () => hasRole('admin', 'centre', 'assessor'),
	apply: () => hasRole('centre', 'assessor'),
};

/* 2026-05, 2026-Q2, 2026, 2026-05-01..2026-05-20 (the API checks the rest) */
const PERIOD = /^(\d{4})(-(0[1-9]|1[0-2])|-Q[1-4])?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/;
export function validPeriod(p) {
	return typeof p === 'string' && PERIOD.test(p);
}

function cst(ms) {
	const d = new Date(ms + 8 * 3600e3);
	return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 };
}
const pad = (n) => String(n).padStart(2, '0');

/* the latest month that has ended: the default period */
export function lastMonth(now = Date.now()) {
	const { y, m } = cst(now);
	return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

/* recent months, quarters and years to pick from, newest first */
export function recentPeriods(now = Date.now()) {
	const { y, m } = cst(now);
	const out = [];
	for (let i = 0; i < 12; i++) {
		const mm = ((m - 1 - i + 120) % 12) + 1, yy = y - Math.floor((i - m + 12) / 12);
		out.push(`${yy}-${pad(mm)}`);
	}
	const q = Math.floor((m - 1) / 3) + 1;
	for (let i = 0; i < 4; i++) {
		const qq = ((q - 1 - i + 40) % 4) + 1, yy = y - Math.floor((i - q + 4) / 4);
		out.push(`${yy}-Q${qq}`);
	}
	out.push(String(y), String(y - 1));
	return out;
}

export function indName(ind) {
	return locale.value === 'en' && ind?.name_en ? ind.name_en : ind?.name ?? '';
}

export function fmtNum(x) {
	if (x === null || x === undefined)
		return '—';
	return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export function fmtValue(ind, v) {
	if (v === null || v === undefined)
		return '—';
	switch (ind?.unit) {
	case 'ratio': return `${(100 * v).toFixed(2)}%`;
	case 'count': return String(Math.round(v));
	case 'hours': return t('assess.hoursValue', { n: v.toFixed(2) });
	default: return v.toFixed(2);
	}
}

export function fmtScore(s) {
	return s === null || s === undefined ? '—' : s.toFixed(2);
}

/* a change of place: positive moved up */
export function changeText(c) {
	if (c === null || c === undefined)
		return t('assess.noPrev');
	if (c > 0)
		return `↑${c}`;
	if (c < 0)
		return `↓${-c}`;
	return t('assess.same');
}

export function levelName(l) {
	return t('assess.level.' + l);
}

/* the safety index for places above the grid, a score for the rest */
export function scoreLabel(level) {
	return level === 'street' || level === 'community' ? t('assess.index') : t('assess.score');
}

/* Like Promise.all, but waits for every request and, when some fail, throws
 * the first failure in the order given (so the message shown does not depend
 * on which answer came first). */
export async function all(promises) {
	const res = await Promise.allSettled(promises);
	const bad = res.find((r) => r.status === 'rejected');
	if (bad)
		throw bad.reason;
	return res.map((r) => r.value);
}
