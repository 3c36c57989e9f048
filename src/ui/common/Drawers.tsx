import { useState, type ReactNode } from 'react';

/** One tool that opens below the loop (Compress; later Inspect, issue 22): adding one is one entry in the list. */
export interface DrawerPanel {
  id: string;
  label: string;
  render: () => ReactNode;
}

/** The tools beside the train-and-watch loop, as tabs in one frame rather than more page below; the first is open. */
export function Drawers({ panels }: { panels: DrawerPanel[] }) {
  const [openId, setOpenId] = useState<string | null>(panels[0]?.id ?? null);
  const open = panels.find((p) => p.id === openId);
  return (
    <section className="drawers" aria-label="Tools" data-testid="drawers">
      <div className="row drawer-tabs">
        {panels.map((p) => (
          <button
            key={p.id}
            type="button"
            aria-expanded={p.id === openId}
            aria-controls={`drawer-${p.id}`}
            data-testid={`drawer-${p.id}`}
            onClick={() => setOpenId(p.id === openId ? null : p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {open && <div id={`drawer-${open.id}`}>{open.render()}</div>}
    </section>
  );
}
