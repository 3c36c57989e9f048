import { ReactNode, useId } from 'react';

/** A labelled number input that reports NaN for empty or non-numeric text (validation explains it). */
export function NumberField(props: { label: string; value: number; onChange: (v: number) => void; step?: number; min?: number; disabled?: boolean; testId?: string; hint?: string }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id} title={props.hint}>
      <span>{props.label}</span>
      <input
        id={id}
        type="number"
        value={Number.isNaN(props.value) ? '' : props.value}
        step={props.step ?? 1}
        min={props.min}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value === '' ? NaN : Number(e.target.value))}
      />
    </label>
  );
}

export function SelectField<T extends string>(props: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void; disabled?: boolean; testId?: string; labels?: Partial<Record<T, string>> }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span>{props.label}</span>
      <select id={id} value={props.value} disabled={props.disabled} data-testid={props.testId} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.labels?.[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Panel({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="panel" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function ErrorText({ text, testId }: { text: string | null | undefined; testId?: string }) {
  if (!text) return null;
  return (
    <p className="error" role="alert" data-testid={testId}>
      {text}
    </p>
  );
}
