// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServerTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function makeServerTls(dir: string, hosts: string[] = ['127.0.0.1', 'localhost']): Promise<ServerTls> {
  const f = (n: string) => path.join(dir, n);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '30',
    '-subj',
    '/CN=devcluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...ecKey, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=devcluster-apiserver']);
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  await writeFile(
    f('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '30',
    '-extfile',
    f('server.ext'),
  ]);
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(f('ca.crt'), 'utf8'),
    readFile(f('server.crt'), 'utf8'),
    readFile(f('server.key'), 'utf8'),
  ]);
  return { caPem, certPem, keyPem };
}
