// The ONE module that owns the engine connection. In Electron the preload has put a transport on
// window.studio; in a browser we connect to the loopback bridge that served this page.
import { StudioApi } from './studio-api.ts';
import { bridgeUrl, websocketTransport } from './websocket-transport.ts';

export { StudioApi } from './studio-api.ts';

export function connectStudio(): StudioApi {
  const transport = window.studio ?? websocketTransport(bridgeUrl(window.location));
  return new StudioApi(transport);
}
