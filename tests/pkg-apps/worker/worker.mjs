// A module Web Worker importing the package's ES module.
import * as StompJs from '/node_modules/stompwire/stompwire.mjs';
import { runApp } from '/browser-app.mjs';

runApp(StompJs, 'worker').then((result) => self.postMessage(result));
