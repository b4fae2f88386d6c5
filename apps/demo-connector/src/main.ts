// The demo stand-in for a company's systems: `npm run up` starts it on 3030 for the router's workflows.
import { DEMO_CONNECTOR_SIGNING_SECRET } from '@omni/contracts';
import { createDemoConnector } from './demo-connector';

const port = Number(process.env.DEMO_CONNECTOR_PORT ?? process.env.PORT ?? 3030);
// The router's signature is checked when a secret is shared (ADR 0226); the demo profile shares its default.
// During a rotation on this side, the previous secret is accepted too (CONNECTOR_SIGNING_SECRET_PREVIOUS).
const secret = process.env.CONNECTOR_SIGNING_SECRET || (process.env.OMNI_PROFILE === 'demo' ? DEMO_CONNECTOR_SIGNING_SECRET : undefined);
const previous = process.env.CONNECTOR_SIGNING_SECRET_PREVIOUS;
const server = createDemoConnector(() => new Date(), secret ? [secret, ...(previous ? [previous] : [])] : undefined);
server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ level: 'info', app: 'demo-connector', msg: `listening on ${port}` })}\n`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
