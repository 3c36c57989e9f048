import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { boot } from './ui/store/boot';
import './ui/styles.css';
import { registerServiceWorker } from './sw/register';
import { applyUrlSettings, keepSettingsInUrl } from './ui/url/sync';

applyUrlSettings(); // before the first render and boot(), which read the settings
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// precaching the build (16 MB with MNIST) waits until the page has its data, so it never slows the first load
void boot().finally(registerServiceWorker);
keepSettingsInUrl();
