import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { TuneTrialView } from '../../../../../shared/domain/model-tune';
import { toTuneSeries } from './tune-state';

/** Trial number against measured throughput, with the best so far as a step line. */
export function TuneChart({ trials, model }: { trials: readonly TuneTrialView[]; model: string }) {
  const series = toTuneSeries(trials);
  return (
    <div className="chart tune-chart" data-testid="tune-chart" role="img" aria-label={`Throughput of each tuning trial of ${model}, with the best so far`}>
      <ResponsiveContainer>
        <ComposedChart data={series.best} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="n" type="number" domain={[1, 'dataMax']} allowDecimals={false} label={{ value: 'trial', position: 'insideBottom', offset: -8 }} />
          <YAxis width={64} label={{ value: 'tok/s', angle: -90, position: 'insideLeft' }} />
          <Tooltip />
          <Legend verticalAlign="top" />
          <Scatter data={series.measured} dataKey="tps" name="throughput" fill="#0a66d8" isAnimationActive={false} />
          {series.discarded.length > 0 && <Scatter data={series.discarded} dataKey="tps" name="discarded (heat)" fill="#d93025" isAnimationActive={false} />}
          <Line type="stepAfter" dataKey="best" name="best so far" stroke="#1e8e3e" dot={false} connectNulls isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
