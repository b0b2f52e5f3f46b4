import { startDevCluster } from '/work/main/devcluster/cluster.ts';
import { writeFileSync } from 'node:fs';
const c = await startDevCluster({ seed: 'demo', quiet: true, kubeconfigPath: '/tmp/dcsmoke/kubeconfig' });
console.log('ready', c.url);
setTimeout(async () => { await c.stop(); process.exit(0); }, 90_000);
