// The core Account flow through the newest web SDK (package "appwrite", pinned in package.json). It sends
// a newer X-Appwrite-Response-Format than 1.6.0, which a 1.6-compatible server must still answer, and
// takes one object argument per method.
import { loadSdk } from './lib.mjs';
import { coreFlow } from './flow.mjs';

const sdk = await loadSdk('appwrite');
coreFlow(sdk, 'appwrite@latest', { objectStyle: true });
