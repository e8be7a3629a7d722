// The app's entry point (`claimgate/server`): the API as `npm start` runs it,
// and the environment variables it reads. Built on the library's public API.
export { startServer, type RunningServer, type StartServerOptions } from './start-server.ts';
export { loadConfig, type Config, type LoadConfigOptions } from './load-config.ts';
