// The application menu. Page and engine items talk to the renderer through the same protocol
// events the engine uses (ui.navigate), so the menu adds no channel of its own.
import { app, Menu, type MenuItemConstructorOptions } from 'electron';
import type { AdapterChoice, AdapterSummary, DriverChoice, Page, StudioEvent } from '../protocol/index.ts';
import { adapterMenuItems } from './adapter-menu.ts';

export interface MenuActions {
  send(event: StudioEvent): void;
  restartEngine(driver?: DriverChoice): void;
  /** Saves the adapter choice and restarts the engine with it. */
  chooseAdapter(choice: AdapterChoice): void;
  /** Opens the engine log file in the system's viewer. */
  openEngineLog(): void;
}

/** What the Engine menu shows about adapters: the engine's list (undefined until it answers) and the saved choice. */
export interface AdapterMenuState {
  adapters: AdapterSummary[] | undefined;
  current: AdapterChoice;
}

const PAGES: [Page, string][] = [
  ['corpus', 'Corpus'],
  ['model', 'Model and objective'],
  ['train', 'Train'],
  ['attention', 'Attention'],
  ['projector', 'Projector'],
  ['adapt', 'Adapt'],
  ['runs', 'Runs'],
  ['tour', 'Tour'],
];

export function buildMenu(actions: MenuActions, adapters: AdapterMenuState): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { label: '&File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...PAGES.map(([page, label], index): MenuItemConstructorOptions => ({
          label,
          accelerator: `CmdOrCtrl+${index + 1}`,
          click: () => actions.send({ type: 'ui.navigate', page }),
        })),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    {
      label: '&Engine',
      submenu: [
        { label: 'Restart engine', click: () => actions.restartEngine() },
        { type: 'separator' },
        { label: 'Use the best driver (GPU first)', click: () => actions.restartEngine('auto') },
        { label: "Use Mesa lavapipe (CPU)", click: () => actions.restartEngine('lavapipe') },
        { label: 'Use SwiftShader (CPU)', click: () => actions.restartEngine('swiftshader') },
        { type: 'separator' },
        { label: 'GPU adapter', submenu: adapterMenuItems(adapters.adapters, adapters.current, actions.chooseAdapter) },
        { type: 'separator' },
        { label: 'Open Engine Log', click: () => actions.openEngineLog() },
      ],
    },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
  return Menu.buildFromTemplate(template);
}
