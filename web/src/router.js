/*
 * router.js - the screens, who may open them, and where each role lands.
 * History mode: the server answers index.html for any path that is not a
 * file or the API (SPA fallback).
 */
import { createRouter, createWebHistory } from 'vue-router';
import { store, loadMe, hasRole } from './store.js';
import { ASSESS_ROLES } from './assess.js';

const ADMINS = ['admin', 'security_admin'];
/* the assessment section (考评) */
const ASSESS = ASSESS_ROLES;

const routes = [
	{ path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
	{ path: '/citizen', name: 'citizen', component: () => import('./views/public/Citizen.vue'), meta: { public: true } },
	{ path: '/track/:receipt?', name: 'track', component: () => import('./views/public/Track.vue'), meta: { public: true } },
	/* the only screens of a restricted session (the login's "stage") */
	{ path: '/enrol', name: 'enrol', component: () => import('./views/Enrol.vue'), meta: { stage: 'totp_enrolment' } },
	{ path: '/change-password', name: 'change-password', component: () => import('./views/ChangePassword.vue'), meta: { stage: 'password_change' } },
	{ path: '/m', name: 'phone', component: () => import('./views/Phone.vue') },
	{
		path: '/',
		component: () => import('./views/Shell.vue'),
		children: [
			{ path: '', name: 'home', redirect: () => landing() },
			{ path: 'cockpit', name: 'cockpit', component: () => import('./views/Cockpit.vue') },
			{ path: 'events', name: 'events', component: () => import('./views/Events.vue') },
			{ path: 'events/:id(\\d+)', name: 'event', component: () => import('./views/EventDetail.vue'), props: true },
			{ path: 'report', name: 'report', component: () => import('./views/Report.vue') },
			{ path: 'inbox', name: 'inbox', component: () => import('./views/Inbox.vue') },
			{ path: 'orgs', name: 'orgs', component: () => import('./views/Orgs.vue') },
			{ path: 'password', name: 'password', component: () => import('./views/Password.vue') },
			{ path: 'assess', name: 'assess', component: () => import('./views/assess/Results.vue'), meta: { roles: ASSESS } },
			{ path: 'assess/adjustments', name: 'assess-adjustments', component: () => import('./views/assess/Adjustments.vue'), meta: { roles: ASSESS } },
			{ path: 'assess/commendations', name: 'assess-commendations', component: () => import('./views/assess/Commendations.vue'), meta: { roles: ASSESS } },
			{ path: 'assess/units', name: 'assess-units', component: () => import('./views/assess/Units.vue'), meta: { roles: ASSESS } },
			{ path: 'assess/:level(street|community|grid|department|grid_worker)/:unit', name: 'assess-score', component: () => import('./views/assess/Score.vue'), props: true, meta: { roles: ASSESS } },
			{ path: 'admin/users', name: 'users', component: () => import('./views/admin/Users.vue'), meta: { roles: ADMINS } },
			{ path: 'admin/categories', name: 'categories', component: () => import('./views/admin/Categories.vue'), meta: { roles: ['admin'] } },
			{ path: 'admin/calendar', name: 'calendar', component: () => import('./views/admin/Calendar.vue'), meta: { roles: ['admin'] } },
			{ path: 'admin/api-keys', name: 'apikeys', component: () => import('./views/admin/ApiKeys.vue'), meta: { roles: ADMINS } },
			{ path: 'admin/audit', name: 'audit', component: () => import('./views/admin/Audit.vue'), meta: { roles: ['audit_admin'] } },
			{ path: 'admin/imports', name: 'imports', component: () => import('./views/admin/Imports.vue'), meta: { roles: ['admin'] } },
			{ path: 'admin/webhooks', name: 'webhooks', component: () => import('./views/admin/Webhooks.vue'), meta: { roles: ['admin'] } },
			{ path: ':rest(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue') },
		],
	},
];

export function landing() {
	/* the audit administrator reads the audit log and nothing else */
	if (hasRole('audit_admin'))
		return { name: 'audit' };
	if (hasRole('grid_worker') && !hasRole('centre', 'leader', 'admin'))
		return { name: 'phone' };
	if (hasRole('leader', 'centre', 'admin', 'security_admin'))
		return { name: 'cockpit' };
	if (hasRole('assessor'))
		return { name: 'assess' };
	return { name: 'events' };
}

function nextOf(to) {
	if (typeof to.query.next === 'string')
		return { next: to.query.next };
	return to.fullPath !== '/' && !to.meta.stage ? { next: to.fullPath } : {};
}

/* Where to go once a restricted session became a full one. */
export function afterStage(route) {
	const next = route.query.next;
	return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : landing();
}

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
	if (!store.loaded)
		await loadMe().catch(() => null);
	if (to.meta.public)
		return true;
	if (!store.user)
		return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
	/* a session that may only enrol a second factor or change its password
	 * opens that screen and nothing else; where it was going is kept */
	const only = routes.find((r) => r.meta?.stage && r.meta.stage === store.user.stage);
	if (only && to.name !== only.name)
		return { name: only.name, query: nextOf(to) };
	if (!only && to.meta.stage)
		return landing();
	/* the audit administrator's session answers 403 everywhere but the audit
	 * log, /me, the password and logout */
	const auditOnly = hasRole('audit_admin') && !['audit', 'password', 'home', 'notfound'].includes(to.name);
	if (auditOnly || (to.meta.roles && !hasRole(...to.meta.roles)))
		return { name: 'notfound', params: { rest: to.path.slice(1).split('/') } };
	return true;
});
