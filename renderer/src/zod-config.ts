// Imported first by every page of the console. zod 4 probes `new Function("")` to see
// whether it may compile fast parsers; under the console's CSP (no 'unsafe-eval') that
// probe is a reported CSP violation on every load, even though zod catches it. The
// console parses small payloads: the interpreted parsers are fast enough.
import { z } from 'zod';

z.config({ jitless: true });
