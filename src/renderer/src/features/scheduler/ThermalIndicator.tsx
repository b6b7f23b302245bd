import { LEVEL_LABEL, usePressureState } from './use-scheduler';
import './scheduler.css';

/** A compact pressure badge for the nav: level, slots, and why (on hover and for screen readers). */
export function ThermalIndicator() {
  const { value: state, error } = usePressureState();
  if (!state) {
    return (
      <a className="thermal-indicator" href="#/metrics" title={error ?? 'reading pressure…'}>
        <span className="thermal-dot" aria-hidden="true" />
        <span className="muted">{error ? 'pressure unknown' : '…'}</span>
      </a>
    );
  }
  const label = state.paused
    ? `Paused: ${state.paused.reason}`
    : `${LEVEL_LABEL[state.level]} pressure: ${state.inUse} of ${state.slots} inference slots in use. ${state.reason}`;
  const waiting = state.waiting.length;
  return (
    <a
      className="thermal-indicator"
      href="#/metrics"
      title={label}
      aria-label={label}
      data-level={state.level}
      data-paused={state.paused ? 'true' : 'false'}
      data-testid="thermal-indicator"
    >
      <span className={`thermal-dot level-${state.level}`} aria-hidden="true" />
      <span>
        {LEVEL_LABEL[state.level]}
        {state.paused ? ' · paused' : ` · ${state.inUse}/${state.slots}`}
        {waiting > 0 ? ` · ${waiting} waiting` : ''}
      </span>
    </a>
  );
}
