import { ReactNode, useId } from 'react';

/** A labelled number input that reports NaN for empty or non-numeric text (validation explains it). */
export function NumberField(props: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  step?: number;
  min?: number;
  disabled?: boolean;
  testId?: string;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        aria-describedby={props.hint ? `${id}-help` : undefined}
        type="number"
        value={Number.isNaN(props.value) ? '' : props.value}
        step={props.step ?? 1}
        min={props.min}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value === '' ? NaN : Number(e.target.value))}
      />
      <Help id={id} text={props.hint} />
    </div>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (v: T) => void;
  disabled?: boolean;
  testId?: string;
  labels?: Partial<Record<T, string>>;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        aria-describedby={props.hint ? `${id}-help` : undefined}
        value={props.value}
        disabled={props.disabled}
        data-testid={props.testId}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.labels?.[o] ?? o}
          </option>
        ))}
      </select>
      <Help id={id} text={props.hint} />
    </div>
  );
}

/** A field's one-line explanation, outside its label so it is read as a description, not as the name. */
function Help({ id, text }: { id: string; text?: string }) {
  return text ? (
    <small className="help" id={`${id}-help`}>
      {text}
    </small>
  ) : null;
}

export function Panel({ title, children, testId, className }: { title: string; children: ReactNode; testId?: string; className?: string }) {
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-label={title} id={testId} data-testid={testId}>
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
