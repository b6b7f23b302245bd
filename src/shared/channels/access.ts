import { z } from 'zod';

/** The local API's bearer token: read it (to configure a script or the CLI) and rotate it. */
export const accessChannels = {
  getApiToken: { input: z.strictObject({}), output: z.object({ token: z.string() }) },
  rotateApiToken: { input: z.strictObject({}), output: z.object({ token: z.string() }) },
} as const;
