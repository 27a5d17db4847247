/** `npm run demo` as a user runs it: the program prints its URLs, and says where the report goes. */

import { spawn } from 'node:child_process';
import test from 'ava';

/** Starts src/demo/main.ts with the flags, returns what it printed up to its last line, then stops it. */
async function demoBanner(args: readonly string[]): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import=tsx', 'src/demo/main.ts', '--host', '127.0.0.1', '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl+C stops.')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`demo exited with ${code} before its banner: ${output}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  return output;
}

test('the demo prints its endpoints and that the report is sent nowhere without --report-url', async (t) => {
  const banner = await demoBanner([]);
  t.regex(banner, /metrics: +http:\/\/127\.0\.0\.1:\d+\/metrics/);
  t.regex(banner, /report\.json +\(anonymous cluster report; sent nowhere without --report-url\)/);
});

test('with --report-url the demo says where the report is POSTed', async (t) => {
  const banner = await demoBanner(['--report-url', 'http://127.0.0.1:9/collect', '--report-interval', '1h']);
  t.regex(banner, /report\.json +\(anonymous cluster report; POSTed to http:\/\/127\.0\.0\.1:9\/collect\)/);
});
