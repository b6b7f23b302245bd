import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';
import { App } from './App';
import { startLiveUpdates } from './store/live';
import { queryClient } from './queries/client';
import { startTheme } from './theme';
import './styles.css';

startLiveUpdates(api);
startTheme(api);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
