// Message-sending flows (tokens, recovery, verification) through the newest appwrite (1.8 paths such as
// /account/verifications/email, object arguments) against the SMTP and SMS sinks of sinks.mjs.
import { loadSdk } from './lib.mjs';
import { deliveryFlows } from './delivery-flow.mjs';

const sdk = await loadSdk('appwrite');
deliveryFlows(sdk, 'appwrite@latest', { objectStyle: true });
