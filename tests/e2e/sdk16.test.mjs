// The core Account flow through the web SDK built for server 1.6 (appwrite 16.x, installed as the npm
// alias "appwrite16"; it sends X-Appwrite-Response-Format: 1.6.0 and takes positional arguments).
import { loadSdk } from './lib.mjs';
import { coreFlow } from './flow.mjs';

const sdk = await loadSdk('appwrite16');
coreFlow(sdk, 'appwrite@16', { objectStyle: false });
