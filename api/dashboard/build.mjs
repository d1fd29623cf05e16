// Bundles the dashboard into dist/: index.html and a flat assets/ folder (the daemon
// serves one path segment under /assets). Run by scripts/build-dashboard (npm ci first).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');
const assets = join(dist, 'assets');

rmSync(dist, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

await build({
  entryPoints: { app: join(src, 'main.js'), 'app-style': join(src, 'app.css') },
  outdir: assets,
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
// esbuild names the CSS entry after its key; serve it as app.css.
copyFileSync(join(assets, 'app-style.css'), join(assets, 'app.css'));
rmSync(join(assets, 'app-style.css'));
rmSync(join(assets, 'app-style.css.map'), { force: true });
copyFileSync(join(src, 'favicon.svg'), join(assets, 'favicon.svg'));

const hash = createHash('sha256');
for (const f of ['app.js', 'app.css']) hash.update(readFileSync(join(assets, f)));
const version = hash.digest('hex').slice(0, 12);
writeFileSync(join(dist, 'index.html'), readFileSync(join(src, 'index.html'), 'utf8').replaceAll('__VERSION__', version));
console.log(`dashboard built into ${dist} (${version})`);
