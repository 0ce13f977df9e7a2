// Message-sending flows (tokens, recovery, verification) through appwrite 16.x (server 1.6 paths,
// positional arguments) against the SMTP and SMS sinks of sinks.mjs.
import { loadSdk } from './lib.mjs';
import { deliveryFlows } from './delivery-flow.mjs';

const sdk = await loadSdk('appwrite16');
deliveryFlows(sdk, 'appwrite@16', { objectStyle: false });
