/** The settings every installation starts from. */
export const DEFAULTS = {
  server: { host: '127.0.0.1', port: 8080 },
  log: { level: 'info', pretty: false },
  plugins: ['core'],
};
