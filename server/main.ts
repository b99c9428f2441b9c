import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Configuration error — ${err.message}`);
    process.exit(2);
  }
  throw err;
}

const app = await buildApp(config);
const address = await app.listen({ port: config.port, host: config.host });
app.log.info(`Focus Coach on ${address} (${app.services.db.kind}${config.openai.apiKey ? ', OpenAI coach' : ', offline coach'})`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
