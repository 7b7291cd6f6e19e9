import './zodConfig';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { buildApi, type VaeApi } from './api/contract';
import { apiKey } from './api/inject';
import { createWebSocketTransport } from './api/websocketTransport';
import {
  openSession,
  refreshAfterReconnect,
  routeEvents,
  useAppStore,
  type ConnectionStatus,
} from './stores';
import './styles.css';

interface Connection {
  api: VaeApi;
  onStatus?: (listener: (status: ConnectionStatus) => void) => () => void;
}

/** Electron's preload provides the API; in a browser (`vae-studio serve`) it runs over a WebSocket. */
function connect(): Connection {
  if (window.vaeApi) return { api: window.vaeApi };
  const transport = createWebSocketTransport();
  return { api: buildApi(transport), onStatus: (listener) => transport.onStatus(listener) };
}

const { api, onStatus } = connect();
const app = createApp(App);
app.use(createPinia());
app.provide(apiKey, api);

app.runWithContext(() => {
  routeEvents(api);
  const store = useAppStore();
  let lost = false;
  onStatus?.((status) => {
    store.setConnection(status);
    if (status === 'closed') lost = true;
    else if (status === 'open' && lost) {
      lost = false;
      void refreshAfterReconnect(api);
    }
  });
  void openSession(api);
});

app.mount('#app');
