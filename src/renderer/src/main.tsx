import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';
import { App } from './App';
import { startLiveUpdates } from './store/live';
import { startTheme } from './theme';
import './styles.css';

startLiveUpdates(api);
startTheme(api);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
