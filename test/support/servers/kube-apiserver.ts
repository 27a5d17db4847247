/**
 * A real Kubernetes control plane for tests: etcd (Debian's etcd-server) and kube-apiserver (the binary named by
 * KUBE_APISERVER_BIN) on free 127.0.0.1 ports with a fresh temp dir, TLS from a generated CA, token authentication
 * and RBAC, and service-account signing keys so that `kubectl create token` works. Nothing reconciles objects (no
 * controller manager, scheduler or kubelet): tests set status through the status subresource.
 *
 * One control plane per test file (ava runs files in parallel processes); stop() ends both processes by their own
 * PIDs and removes the temp dir, and a process exit hook does the same if the file dies before its after hook.
 */

import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpsGet, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { eventually } from '../harness/cluster.js';
import { freePort, stopChild } from '../harness/process.js';
import { KUBECTL, type Tool } from '../harness/tools.js';

export const KUBE_APISERVER_ENV = 'KUBE_APISERVER_BIN';
export const ETCD: Tool = { command: 'etcd', versionArgs: ['--version'], install: 'apt-get install etcd-server' };
export const ETCDCTL: Tool = { command: 'etcdctl', versionArgs: ['version'], install: 'apt-get install etcd-client' };
export const OPENSSL: Tool = { command: 'openssl', versionArgs: ['version'], install: 'apt-get install openssl' };

const ADMIN_TOKEN = 'admin-token';
/** Short watch timeouts (the server picks 5-10 s) so that watches end, restart and get their pre-timeout bookmark within a test. */
const MIN_REQUEST_TIMEOUT_S = 5;
const START_TIMEOUT_MS = 60_000;

const configuredBinary = process.env[KUBE_APISERVER_ENV];
/** The kube-apiserver binary: $KUBE_APISERVER_BIN resolved against the working directory, else one on the PATH. */
export const KUBE_APISERVER: Tool = {
  command: configuredBinary ? resolve(configuredBinary) : 'kube-apiserver',
  versionArgs: ['--version'],
  install: `set ${KUBE_APISERVER_ENV} to a kube-apiserver binary, e.g. ../shared/k8s-test/kube-apiserver`,
};

/** What a control plane needs: tests against it are declared with these (tools.ts' testNeeding). */
export const CONTROL_PLANE_TOOLS: readonly Tool[] = [KUBE_APISERVER, ETCD, ETCDCTL, OPENSSL, KUBECTL];

/** The audit.k8s.io/v1 Event fields the tests read. */
export interface AuditEvent {
  readonly stage: 'ResponseStarted' | 'ResponseComplete' | 'Panic';
  readonly verb: string;
  readonly requestURI: string;
  readonly user: { readonly username: string };
  readonly responseStatus?: { readonly code?: number };
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly etcdEndpoint: string;
  readonly caPem: string;
  /** A kubeconfig file for a cluster admin (group system:masters). */
  readonly adminKubeconfig: string;
  readonly dir: string;
  /** kubectl as admin; resolves to stdout, rejects with stderr in the message. */
  kubectl(args: readonly string[], input?: string): Promise<string>;
  /** A kubeconfig file authenticating with this token, verifying the server (by default this one) against the generated CA. */
  writeKubeconfig(name: string, token: string, serverUrl?: string): string;
  etcdctl(args: readonly string[]): Promise<string>;
  /** One API request as admin; resolves to the parsed body, rejects on a non-2xx status with the server's message. */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<any>;
  /** Requests made by service accounts so far, from the API server's audit log. */
  auditEvents(): AuditEvent[];
  /** Kills kube-apiserver (SIGKILL, no graceful shutdown); etcd keeps running. */
  killApiServer(): Promise<void>;
  /** Starts kube-apiserver again on the same port and etcd, and waits for /readyz. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiServer: number;
}

/** `extraApiServerArgs` are appended to the API server's flags (a later flag wins). */
export async function startControlPlane(
  binary: string,
  extraApiServerArgs: readonly string[] = [],
): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-apiserver-'));
  const children = new Set<ChildProcess>();
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAll);
  try {
    const ports: Ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiServer: await freePort() };
    const files = writeCredentials(dir);
    const etcdEndpoint = `http://127.0.0.1:${ports.etcdClient}`;
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const caPem = readFileSync(files.caCert, 'utf8');

    const etcd = track(children, startProcess('etcd', ETCD.command, etcdArgs(dir, ports), dir));
    await eventually(
      async () => {
        etcd.assertRunning();
        return (await fetch(`${etcdEndpoint}/health`)).ok;
      },
      'etcd healthy',
      START_TIMEOUT_MS,
    );

    let apiServer: RunningProcess;
    const startApiServer = async () => {
      apiServer = track(
        children,
        startProcess(
          'kube-apiserver',
          binary,
          [...apiServerArgs(files, ports, etcdEndpoint), ...extraApiServerArgs],
          dir,
        ),
      );
      await waitReady(server, caPem, apiServer);
    };
    await startApiServer();

    const writeKubeconfig = (name: string, token: string, serverUrl = server) => {
      const path = join(dir, `${name}.kubeconfig`);
      writeFileSync(path, kubeconfigYaml(serverUrl, caPem, name, token), { mode: 0o600 });
      return path;
    };
    const adminKubeconfig = writeKubeconfig('admin', ADMIN_TOKEN);
    const agent = new Agent({ keepAlive: true, maxSockets: 32, ca: caPem });
    return {
      server,
      etcdEndpoint,
      caPem,
      adminKubeconfig,
      dir,
      kubectl: (args, input) => run(KUBECTL.command, ['--kubeconfig', adminKubeconfig, ...args], input),
      writeKubeconfig,
      etcdctl: (args) =>
        run(ETCDCTL.command, [`--endpoints=${etcdEndpoint}`, ...args], undefined, { ETCDCTL_API: '3' }),
      async killApiServer() {
        await apiServer.stop('SIGKILL');
        children.delete(apiServer.child);
      },
      restartApiServer: startApiServer,
      auditEvents: () => readAuditLog(files.auditLog),
      request: (method, path, body, contentType) =>
        apiRequest(`${server}${path}`, caPem, agent, method, body, contentType),
      async stop() {
        process.off('exit', killAll);
        agent.destroy();
        await Promise.all([...children].map((child) => stopChild(child, 'SIGTERM')));
        children.clear();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    process.off('exit', killAll);
    killAll();
    throw error;
  }
}

interface CredentialFiles {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
  readonly tokens: string;
  readonly auditPolicy: string;
  readonly auditLog: string;
}

/** A CA, a serving certificate for 127.0.0.1 signed by it, service-account keys and the static token file. */
function writeCredentials(dir: string): CredentialFiles {
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync(OPENSSL.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path('ca.key'),
    '-out',
    path('ca.crt'),
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    path('server.key'),
    '-out',
    path('server.csr'),
    '-subj',
    '/CN=kube-apiserver',
  );
  writeFileSync(path('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n');
  openssl(
    'x509',
    '-req',
    '-in',
    path('server.csr'),
    '-CA',
    path('ca.crt'),
    '-CAkey',
    path('ca.key'),
    '-CAcreateserial',
    '-out',
    path('server.crt'),
    '-days',
    '1',
    '-extfile',
    path('server.ext'),
  );
  openssl('genrsa', '-out', path('sa.key'), '2048');
  openssl('rsa', '-in', path('sa.key'), '-pubout', '-out', path('sa.pub'));
  writeFileSync(path('tokens.csv'), `${ADMIN_TOKEN},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
  writeFileSync(path('audit-policy.yaml'), stringify(AUDIT_POLICY));
  return {
    auditPolicy: path('audit-policy.yaml'),
    auditLog: path('audit.log'),
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPub: path('sa.pub'),
    tokens: path('tokens.csv'),
  };
}

/** Service accounts' requests (the exporter's), without bodies; nothing else. */
const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata', userGroups: ['system:serviceaccounts'] }, { level: 'None' }],
};

function readAuditLog(path: string): AuditEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}

function etcdArgs(dir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=test',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    // etcd 3.4 lacks the watch progress request kube-apiserver 1.32 sends; periodic progress notifies stand in.
    '--experimental-watch-progress-notify-interval=1s',
    '--log-level=warn',
  ];
}

function apiServerArgs(files: CredentialFiles, ports: Ports, etcdEndpoint: string): string[] {
  return [
    `--etcd-servers=${etcdEndpoint}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiServer}`,
    `--tls-cert-file=${files.serverCert}`,
    `--tls-private-key-file=${files.serverKey}`,
    `--client-ca-file=${files.caCert}`,
    `--token-auth-file=${files.tokens}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${files.serviceAccountPub}`,
    `--service-account-signing-key-file=${files.serviceAccountKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--endpoint-reconciler-type=none',
    '--disable-admission-plugins=ServiceAccount',
    `--min-request-timeout=${MIN_REQUEST_TIMEOUT_S}`,
    '--profiling=false',
    `--audit-policy-file=${files.auditPolicy}`,
    `--audit-log-path=${files.auditLog}`,
  ];
}

function kubeconfigYaml(server: string, caPem: string, user: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'test', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'test', user } }],
    'current-context': user,
  });
}

interface RunningProcess {
  readonly child: ChildProcess;
  /** Throws with the process' last output if it has exited. */
  assertRunning(): void;
  stop(signal: NodeJS.Signals): Promise<void>;
}

function startProcess(name: string, command: string, args: readonly string[], dir: string): RunningProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  return {
    child,
    assertRunning() {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${name} exited (${child.exitCode ?? child.signalCode}): ${output.trim().split('\n').slice(-5).join('\n')}`,
        );
      }
    },
    stop: (signal) => stopChild(child, signal),
  };
}

function track(children: Set<ChildProcess>, running: RunningProcess): RunningProcess {
  children.add(running.child);
  return running;
}

/** Polls /readyz with the admin token until it answers 200. */
async function waitReady(server: string, caPem: string, apiServer: RunningProcess): Promise<void> {
  await eventually(
    async () => {
      apiServer.assertRunning();
      return (await httpsStatus(`${server}/readyz`, caPem, ADMIN_TOKEN)) === 200;
    },
    'kube-apiserver /readyz',
    START_TIMEOUT_MS,
  );
}

/** The status of a GET with a bearer token, verifying the server against `caPem`. */
function httpsStatus(url: string, caPem: string, token: string): Promise<number> {
  return new Promise((done, fail) => {
    const request = httpsGet(url, { ca: caPem, headers: { Authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => done(response.statusCode ?? 0));
    });
    request.on('error', fail);
  });
}

function apiRequest(
  url: string,
  caPem: string,
  agent: Agent,
  method: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<any> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_TOKEN}`, Accept: 'application/json' };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const request = httpsRequest(url, { method, agent, ca: caPem, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        let parsed: any;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON: a plain-text error ("404 page not found") is reported below with its text.
        }
        if (status >= 200 && status < 300 && (parsed !== undefined || !text)) done(parsed);
        else fail(new Error(`${method} ${new URL(url).pathname}: HTTP ${status} ${parsed?.message ?? text}`));
      });
    });
    request.on('error', fail);
    request.end(payload);
  });
}

/** Runs a command to its end; resolves to stdout, rejects with its stderr in the message. */
export async function run(
  command: string,
  args: readonly string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<string> {
  const { code, stdout, stderr } = await runStatus(command, args, input, env);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')}: ${stderr.trim() || `exit ${code}`}`);
  return stdout;
}

export function runStatus(
  command: string,
  args: readonly string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? error.code : 0;
        if (typeof code === 'number') done({ code, stdout, stderr });
        else fail(new Error(`${command}: ${error!.message}`));
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}
