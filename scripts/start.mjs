// `npm start`: build, then the desktop app where Electron can run, else the headless host.
import { spawn, spawnSync } from 'node:child_process';
import { electronBinary, hasDisplay } from './electron-binary.mjs';

// The build's own output only matters when it fails; the app prints one banner once it runs.
process.stdout.write('Building Agent Agency…\n');
const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}\nThe build failed (exit ${build.status}).\n`);
  process.exit(build.status ?? 1);
}

const bin = electronBinary();
const extra = process.argv.slice(2);
let child;
if (bin && hasDisplay()) {
  child = spawn(bin, ['.', ...extra], { stdio: 'inherit' });
} else {
  const why = bin ? 'no display is available' : 'no Electron binary is installed on this machine';
  process.stdout.write(`Desktop app unavailable (${why}); starting the headless host instead.\n`);
  child = spawn(process.execPath, ['out/main/cli.js', 'serve', ...extra], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
