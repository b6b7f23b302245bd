import { describe, expect, it } from 'vitest';
import { traceViewerLink } from './trace-links';

const trace = '1cea07c5e8650b343b0fff1900b02f9a';
const span = 'f65833f7c534ff0c';

describe('trace viewer links', () => {
  it('fills the ids into a Jaeger-style template, for the trace and for a span', () => {
    const jaeger = 'http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}';
    expect(traceViewerLink(jaeger, trace)).toBe(`http://127.0.0.1:16686/trace/${trace}`);
    expect(traceViewerLink(jaeger, trace, span)).toBe(`http://127.0.0.1:16686/trace/${trace}?uiFind=${span}`);
    expect(traceViewerLink('http://h/x?a=1&span={spanId}&b=2#t={traceId}', trace)).toBe(`http://h/x?a=1&b=2#t=${trace}`);
  });

  it('links a span to its trace when the template has no place for a span id', () => {
    expect(traceViewerLink('http://jaeger:16686/trace/{traceId}', trace, span)).toBe(`http://jaeger:16686/trace/${trace}`);
  });

  it('gives no link without a usable template', () => {
    expect(traceViewerLink(undefined, trace)).toBeNull();
    expect(traceViewerLink('', trace)).toBeNull();
    expect(traceViewerLink('http://jaeger:16686/search', trace)).toBeNull();
    expect(traceViewerLink('javascript:alert({traceId})', trace)).toBeNull();
  });
});
