import '../zod-config';
// The waiting room's entry (renderer/wait.html, served at /wait): end users, no admin token.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initialLang } from './i18n';
import { WaitRoom } from './WaitRoom';
import './wait.css';

// Before the first paint, so CJK text picks its fonts at once.
document.documentElement.lang = initialLang();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WaitRoom />
  </StrictMode>,
);
