import { launch } from './launch';

/** `npm start`: the whole service on this machine until Ctrl-C (see launch.ts for what it starts). */
async function main(): Promise<void> {
  const app = await launch();
  const { config, sandbox } = app;
  const lines = [
    `cloud-archive API on http://127.0.0.1:${config.PORT}/cloud_archive (public URL ${config.PUBLIC_URL})`,
    `Temporal Web UI: ${app.temporalUiUrl}`,
  ];
  if (sandbox) {
    lines.push(
      'Sandbox: Google and the gallery are emulated. Try:',
      `  curl -s -XPOST http://127.0.0.1:${config.PORT}/cloud_archive -H 'content-type: application/json' \\`,
      `    -d '{"redirect_success_link":"https://gallery.example/ok","redirect_fail_link":"https://gallery.example/fail","archive_url":"${sandbox.archiveUrl}","gallery_name":"Demo","archive_type":"webs","cloud_type":"google_drive"}'`,
      '  then open the redirect_to URL it returns.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = async () => {
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`start failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
