import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Journal } from '../journal/journal';
import type { ModelGateway } from '../models/types';
import type { FinishedRun } from '../sandbox/sandbox-service';
import type { Logger } from '../observability/logger';
import { otlpTracesUrl } from './config';
import { TaskIdGenerator } from './task-id-generator';
import { TaskTracer } from './task-tracer';
import { tracedGateway } from './traced-gateway';

export type TaskTracingOptions = {
  journal: Journal;
  logger: Logger;
  now: () => number;
  /** The Settings value (`otlpEndpoint`), read once at start. */
  endpoint: string | undefined;
  env: NodeJS.ProcessEnv;
  serviceVersion?: string;
  /** Tests: export somewhere else than OTLP/HTTP (the URL still decides whether tracing is on). */
  exporter?: SpanExporter;
  /** Keeps every finished span locally (Settings `keepTaskTraces`), for audit bundles; nothing leaves the machine. */
  store?: SpanProcessor | undefined;
};

/**
 * Every task as an OpenTelemetry trace, exported over OTLP/HTTP (JSON) by the OpenTelemetry SDK to
 * the collector named in Settings or by the standard OTEL_EXPORTER_OTLP_* variables, and/or kept in
 * the data folder by a local span store (for audit bundles). With neither: no provider, no spans,
 * the model gateway unwrapped, nothing sent, nothing kept.
 */
export class TaskTracing {
  readonly url: string | null;
  private readonly provider: BasicTracerProvider | null = null;
  private readonly tracer: TaskTracer | null = null;
  private readonly unsubscribe: () => void = () => undefined;

  constructor(private readonly options: TaskTracingOptions) {
    this.url = otlpTracesUrl(options.endpoint, options.env);
    const processors: SpanProcessor[] = [];
    if (this.url) processors.push(new BatchSpanProcessor(options.exporter ?? new OTLPTraceExporter({ url: this.url }), { scheduledDelayMillis: 2_000 }));
    if (options.store) processors.push(options.store);
    if (processors.length === 0) return;
    const ids = new TaskIdGenerator();
    this.provider = new BasicTracerProvider({
      idGenerator: ids,
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'agent-agency', ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}) }),
      spanProcessors: processors,
    });
    const provider = this.provider;
    this.tracer = new TaskTracer(provider.getTracer('agent-agency'), ids, () => {
      // A finished task's trace goes out now rather than at the next batch.
      provider.forceFlush().catch((e: unknown) => options.logger.warn({ err: e }, 'could not export a task trace'));
    });
    this.unsubscribe = options.journal.subscribe(this.tracer.listener);
    if (this.url) options.logger.info({ url: this.url }, 'task traces go to this OTLP collector');
  }

  /** True when traces are sent to a collector. */
  get enabled(): boolean {
    return this.tracer !== null && this.url !== null;
  }

  /** True when spans are built at all (sent, kept locally, or both). */
  get recording(): boolean {
    return this.tracer !== null;
  }

  /** The gateway the steps use: model calls become spans when tracing is on. */
  gateway(inner: ModelGateway): ModelGateway {
    return this.tracer ? tracedGateway(inner, this.tracer, this.options.now) : inner;
  }

  /** A command the sandbox ran for a task: a span inside the task's current iteration or phase. */
  sandboxRun(run: FinishedRun): void {
    if (this.tracer && run.taskId) this.tracer.sandboxRun(run.taskId, run, this.options.now());
  }

  /** Sends what is pending (tests, shutdown). */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.provider?.shutdown().catch((e: unknown) => this.options.logger.warn({ err: e }, 'could not export the last traces'));
  }
}
