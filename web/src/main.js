/*
 * main.js - starts the app: Vue, the router, the Element Plus components the
 * screens use (registered one by one so the bundle holds only those), and the
 * service worker for the installable grid-worker view.
 */
import { createApp } from 'vue';
import {
	ElAlert, ElAside, ElAvatar, ElBadge, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElCol, ElConfigProvider,
	ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer, ElDropdown,
	ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElImage, ElInput,
	ElInputNumber, ElLink, ElLoading, ElMain, ElMenu, ElMenuItem, ElMenuItemGroup, ElOption, ElPagination,
	ElPopconfirm, ElRadio, ElRadioButton, ElRadioGroup, ElRate, ElResult, ElRow, ElScrollbar, ElSelect, ElSkeleton,
	ElStatistic, ElSubMenu, ElSwitch, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag, ElTimeline,
	ElTimelineItem, ElTooltip, ElTree, ElUpload, ElCascader, ElSpace, ElText,
} from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router.js';
import { setLocale, locale } from './i18n.js';
import './style.css';

const app = createApp(App);
for (const c of [ElAlert, ElAside, ElAvatar, ElBadge, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElCol,
	ElConfigProvider, ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer,
	ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElImage, ElInput,
	ElInputNumber, ElLink, ElMain, ElMenu, ElMenuItem, ElMenuItemGroup, ElOption, ElPagination, ElPopconfirm,
	ElRadio, ElRadioButton, ElRadioGroup, ElRate, ElResult, ElRow, ElScrollbar, ElSelect, ElSkeleton, ElStatistic,
	ElSubMenu, ElSwitch, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag, ElTimeline, ElTimelineItem, ElTooltip,
	ElTree, ElUpload, ElCascader, ElSpace, ElText])
	app.use(c);
app.use(ElLoading);
app.use(router);
setLocale(locale.value);
app.mount('#app');

/* The service worker caches the app shell; it is handed the assets this page
 * already loaded, so the next start works without a network. */
if ('serviceWorker' in navigator && window.isSecureContext) {
	navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready).then((reg) => {
		const urls = performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/assets/'));
		reg.active?.postMessage({ type: 'cache', urls });
	}).catch(() => {});
}
