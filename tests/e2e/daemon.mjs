// Starts the real ledgerflowd for the browser tests: port 0 (the daemon prints the port
// it got), a temporary database, the demo users, the e2e workflow and a copy of the e2e
// models (alias changes write into the models directory).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startDaemon({ root, binary }) {
  const dir = mkdtempSync(join(tmpdir(), 'lf-e2e-'));
  cpSync(join(root, 'tests/e2e/models'), join(dir, 'models'), { recursive: true });
  const args = [
    '--demo', '--listen', '127.0.0.1:0', '--db', join(dir, 'e2e.db'),
    '--workflows', join(root, 'tests/e2e/workflows'), '--models', join(dir, 'models'),
    '--set', `demo_users=${join(root, 'config/demo-users.yaml')}`,
    '--set', `dashboard=${join(root, 'api/dashboard/dist')}`,
    '--set', 'log_level=warn',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ledgerflowd did not start in 20 s:\n${log}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${err.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ledgerflowd exited with ${code}:\n${log}`));
    });
  });
  return {
    base,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A REST call as `user` (demo key lf-demo-<user>).
export async function rest(base, user, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer lf-demo-${user}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} as ${user}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
