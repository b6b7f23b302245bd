import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { AgentEvent } from '../../../shared/domain/events';
import { summarizeEvent } from './event-summary';

/** Every row has this height, so the visible slice follows from the scroll position alone. */
export const EVENT_ROW_HEIGHT = 28;
const OVERSCAN = 10;

/** Events worth announcing to a screen reader; the rest would drown it at a thousand a second. */
const ANNOUNCED = new Set<AgentEvent['type']>(['task.state', 'approval.requested', 'task.completed', 'task.failed', 'task.cancelled', 'council.verdict']);

export type EventStreamProps = {
  events: readonly AgentEvent[];
  /** Events seen in total, when more arrived than are kept. */
  total?: number | undefined;
  /** Accessible name of the list. */
  label?: string;
  /** Height of the scrolling area in pixels. */
  height?: number;
  summarize?: (e: AgentEvent) => string;
};

/**
 * A windowed event list: only the rows in view are in the DOM, so a task with thousands of events
 * and a flood of new ones stays cheap to render. It follows the newest event while the reader is
 * at the bottom and stays put when they scroll up to read.
 */
export function EventStream({ events, total, label = 'Event stream', height = 360, summarize = summarizeEvent }: EventStreamProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [following, setFollowing] = useState(true);
  const count = events.length;
  const contentHeight = count * EVENT_ROW_HEIGHT;

  // Follow the tail before paint, so new rows never flash in mid-list.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !following) return;
    const bottom = Math.max(0, contentHeight - el.clientHeight);
    if (el.scrollTop !== bottom) el.scrollTop = bottom;
    setScrollTop(bottom);
  }, [contentHeight, following, count]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    setFollowing(el.scrollTop + el.clientHeight >= el.scrollHeight - EVENT_ROW_HEIGHT);
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / EVENT_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((scrollTop + height) / EVENT_ROW_HEIGHT) + OVERSCAN);
  const visible = events.slice(first, last);
  const newest = events[count - 1];
  const shownTotal = Math.max(total ?? count, count);

  return (
    <div className="event-stream-wrap">
      <div className="event-stream-meta muted">
        <span data-testid="event-count">
          {shownTotal === count ? `${count.toLocaleString()} events` : `latest ${count.toLocaleString()} of ${shownTotal.toLocaleString()} events`}
        </span>
        {!following && (
          <button type="button" className="link-button" onClick={() => setFollowing(true)}>
            Jump to latest
          </button>
        )}
      </div>
      <div
        ref={scroller}
        className="event-stream"
        style={{ height }}
        onScroll={onScroll}
        tabIndex={0}
        role="region"
        aria-label={`${label}, scrollable`}
      >
        <div style={{ height: contentHeight, position: 'relative' }}>
          <ol role="list" aria-label={label} className="event-rows" style={{ transform: `translateY(${first * EVENT_ROW_HEIGHT}px)` }}>
            {visible.map((e, i) => {
              const text = summarize(e);
              return (
                <li key={e.seq} data-event-type={e.type} data-seq={e.seq} aria-setsize={shownTotal} aria-posinset={shownTotal - count + first + i + 1} style={{ height: EVENT_ROW_HEIGHT }}>
                  <time className="muted mono" dateTime={new Date(e.ts).toISOString()}>
                    {new Date(e.ts).toLocaleTimeString()}
                  </time>
                  <span className="event-type">{e.type}</span>
                  <span className="event-summary" title={text}>
                    {text}
                  </span>
                </li>
              );
            })}
          </ol>
        </div>
      </div>
      <Announcer newest={newest} />
    </div>
  );
}

/** Announces milestones politely, at most one every two seconds. */
function Announcer({ newest }: { newest: AgentEvent | undefined }) {
  const [message, setMessage] = useState('');
  const lastAt = useRef(0);
  useEffect(() => {
    if (!newest || !ANNOUNCED.has(newest.type)) return;
    const now = Date.now();
    if (now - lastAt.current < 2_000) return;
    lastAt.current = now;
    setMessage(`${newest.type.replace('.', ' ')}: ${summarizeEvent(newest)}`);
  }, [newest]);
  return (
    <div className="visually-hidden" aria-live="polite" role="status">
      {message}
    </div>
  );
}
