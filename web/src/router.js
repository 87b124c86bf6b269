/*
 * router.js - the screens, who may open them, and where each role lands.
 * History mode: the server answers index.html for any path that is not a
 * file or the API (SPA fallback).
 */
import { createRouter, createWebHistory } from 'vue-router';
import { store, loadMe, hasRole } from './store.js';

const ADMINS = ['admin', 'security_admin'];

const routes = [
	{ path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { public: true } },
	{ path: '/citizen', name: 'citizen', component: () => import('./views/public/Citizen.vue'), meta: { public: true } },
	{ path: '/track/:receipt?', name: 'track', component: () => import('./views/public/Track.vue'), meta: { public: true } },
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
			{ path: 'admin/users', name: 'users', component: () => import('./views/admin/Users.vue'), meta: { roles: ADMINS } },
			{ path: 'admin/categories', name: 'categories', component: () => import('./views/admin/Categories.vue'), meta: { roles: ['admin'] } },
			{ path: 'admin/calendar', name: 'calendar', component: () => import('./views/admin/Calendar.vue'), meta: { roles: ['admin'] } },
			{ path: 'admin/api-keys', name: 'apikeys', component: () => import('./views/admin/ApiKeys.vue'), meta: { roles: ADMINS } },
			{ path: 'admin/webhooks', name: 'webhooks', component: () => import('./views/admin/Webhooks.vue'), meta: { roles: ['admin'] } },
			{ path: ':rest(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue') },
		],
	},
];

export function landing() {
	if (hasRole('grid_worker') && !hasRole('centre', 'leader', 'admin'))
		return { name: 'phone' };
	if (hasRole('leader', 'centre', 'admin', 'audit_admin', 'security_admin'))
		return { name: 'cockpit' };
	return { name: 'events' };
}

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
	if (!store.loaded)
		await loadMe().catch(() => null);
	if (to.meta.public)
		return true;
	if (!store.user)
		return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
	if (to.meta.roles && !hasRole(...to.meta.roles))
		return { name: 'notfound', params: { rest: to.path.slice(1).split('/') } };
	return true;
});
