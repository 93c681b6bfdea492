// The one global the app uses; no DOM library.
declare var console: { log(...a: any[]): void };
