import { createContext, useContext, type ReactNode } from 'react';

const DrawerShown = createContext(true);

/** Whether the view holding this component is the one shown (a hidden view stays mounted but should not poll the worker). */
export const useDrawerShown = (): boolean => useContext(DrawerShown);

/** One view of the frame's third column (the newest result, Settings, Runs, Compress, Inspect): adding one is one entry. */
export interface DrawerPanel {
  id: string;
  label: string;
  /** `shown`: whether this view is the one on screen (a view that polls can stop while hidden). */
  render: () => ReactNode;
}

/**
 * The newest result and the tools beside the train-and-watch loop, as tabs in one column of the frame rather than more
 * page below. Every view stays mounted (hidden when not shown), so a run's figures keep updating behind another view
 * and a form's values and half-typed text survive closing it.
 */
export function Drawers({ panels, open, onOpen }: { panels: DrawerPanel[]; open: string; onOpen: (id: string) => void }) {
  const shown = panels.some((p) => p.id === open) ? open : panels[0]?.id;
  return (
    <section className="column result drawers" aria-label="Result and tools" data-testid="drawers" id="tools">
      <div className="row drawer-tabs">
        {panels.map((p) => (
          <button
            key={p.id}
            id={`drawer-tab-${p.id}`}
            type="button"
            aria-expanded={p.id === shown}
            aria-controls={`drawer-${p.id}`}
            data-testid={`drawer-${p.id}`}
            onClick={() => onOpen(p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {panels.map((p) => (
        <div
          key={p.id}
          id={`drawer-${p.id}`}
          className="drawer"
          role="region"
          aria-labelledby={`drawer-tab-${p.id}`}
          data-testid={`drawer-view-${p.id}`}
          hidden={p.id !== shown}
        >
          <DrawerShown.Provider value={p.id === shown}>{p.render()}</DrawerShown.Provider>
        </div>
      ))}
    </section>
  );
}
