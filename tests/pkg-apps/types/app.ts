// A stompjs-style TypeScript app type-checked against the package: strict, ES2022 library only (no
// DOM), Node16 module resolution through the exports map. tsc must report no error.
import { Client, CompatClient, Stomp, StompHeaders, IStompSocket, closeEventCallbackType, IMessage, ActivationState, Versions, IFrame, Parser, FrameImpl, IRawFrameType } from 'stompwire';
const h: StompHeaders = new StompHeaders();
h['x'] = 'y';
const client = new Client({ brokerURL: 'ws://x', connectHeaders: h });
client.debug('works');
const prev = client.onConnect;
client.onConnect = (f: IFrame) => { prev(f); client.subscribe('/q', (m: IMessage) => m.ack()); };
const onClose: closeEventCallbackType = (e) => console.log(e.code);
client.onWebSocketClose = onClose;
client.stompVersions = new Versions(['1.2']);
const s: ActivationState = client.state;
const sock: IStompSocket = { url: '', onclose: null, onerror: null, onmessage: null, onopen: null, readyState: 0, close() {}, send(_d: string | ArrayBuffer) {} };
client.webSocketFactory = () => sock;
const c: CompatClient = Stomp.over(() => sock);
c.connect({}, () => c.send('/q', {}, 'x'), (e: any) => console.log(e));
c.heartbeat = { incoming: 0, outgoing: 0 };
c.reconnect_delay = 5;
client.activate();
const parser = new Parser((raw: IRawFrameType) => console.log(FrameImpl.fromRawFrame(raw, true).body), () => {});
const wire: string | ArrayBuffer = FrameImpl.marshall({ command: 'SEND', headers: { destination: '/q' }, body: 'x', escapeHeaderValues: true });
parser.parseChunk(wire, true);
const n: number = FrameImpl.sizeOfUTF8(FrameImpl.hdrValueUnEscape(FrameImpl.hdrValueEscape('a:b')));
void s;
void n;
