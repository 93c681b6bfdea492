// The app the bundlers build (Vite, webpack, esbuild, Rollup), each with its default setup.
import * as StompJs from 'stompwire';
import { runApp } from '../../browser-app.mjs';

runApp(StompJs, new URLSearchParams(location.search).get('env') || 'bundled');
