/*
 * vite.config.js - builds web/ into web/dist, which `pingan serve` serves.
 * `npm run dev` proxies /api to a running server (PINGAN_API, default
 * http://127.0.0.1:8080) for development.
 */
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const api = process.env.PINGAN_API || 'http://127.0.0.1:8080';

export default defineConfig({
	plugins: [vue()],
	base: '/',
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		assetsDir: 'assets',
		chunkSizeWarningLimit: 1200,
		sourcemap: false,
	},
	server: { proxy: { '/api': { target: api, changeOrigin: false } } },
	preview: { proxy: { '/api': { target: api, changeOrigin: false } } },
});
