import { useEffect, useState, type FormEvent } from 'react';
import { EXECUTION_MODES, SubmitTaskInput, type ExecutionMode, type Priority, type RiskTier } from '../../../../shared/domain/task';
import { describeZodError } from '../../../../shared/errors';
import { api } from '../../api';
import { href } from '../../router';
import { useShallow } from 'zustand/react/shallow';
import { selectRecentRepos, useAppStore } from '../../store/store';
import { onDraft, takeDraft } from '../outcome/draft';
import { useHasAssignedModel, useRepoCheck } from './use-submit-checks';
import { AttachmentPicker, type PickedFile } from './AttachmentPicker';
import { SubmitEstimate } from '../estimates/TaskEstimate';

type FieldErrors = Partial<Record<string, string>>;

const MODE_HELP: Record<ExecutionMode, string> = {
  'dry-run': 'works in an isolated copy; your repository stays untouched',
  auto: 'applies the change if the gates pass and the council accepts',
  strict: 'stops for your approval at every phase',
};

export function SubmitTaskForm() {
  const [description, setDescription] = useState('');
  const [repoPath, setRepoPath] = useState('');
  const [mode, setMode] = useState<ExecutionMode>('dry-run');
  const [riskTier, setRiskTier] = useState<RiskTier>(2);
  const [priority, setPriority] = useState<Priority>('normal');
  const [maxIterations, setMaxIterations] = useState('5');
  const [allowNetwork, setAllowNetwork] = useState(false);
  const [attachments, setAttachments] = useState<PickedFile[]>([]);
  const recentRepos = useAppStore(useShallow(selectRecentRepos));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState<{ id: string; description: string } | null>(null);
  const upsertTasks = useAppStore((s) => s.upsertTasks);
  const [retryOf, setRetryOf] = useState<string | null>(null);
  const repoCheck = useRepoCheck(repoPath);
  const hasModel = useHasAssignedModel();
  const repoProblem = repoPath.trim() ? (repoCheck.data?.problem ?? null) : null;

  // "Edit and resubmit" on a task hands its inputs over.
  useEffect(() => {
    const pick = () => {
      const draft = takeDraft();
      if (!draft) return;
      setDescription(draft.description);
      setRepoPath(draft.repoPath);
      setMode(draft.mode);
      setRiskTier(draft.riskTier);
      setPriority(draft.priority);
      setMaxIterations(String(draft.maxIterations));
      setRetryOf(draft.retryOf);
      setAllowNetwork(draft.allowNetwork === true);
      document.getElementById('description')?.focus();
    };
    pick();
    return onDraft(pick);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const input = { description, repoPath, mode, riskTier, priority, maxIterations: Number(maxIterations), ...(retryOf ? { retryOf } : {}), ...(allowNetwork ? { allowNetwork: true } : {}), ...(attachments.length ? { attachments: attachments.map((a) => ({ name: a.name, dataBase64: a.dataBase64 })) } : {}) };
    const local = SubmitTaskInput.safeParse(input);
    if (!local.success) {
      setErrors(toFieldErrors(describeZodError(local.error).issues));
      return;
    }
    setErrors({});
    if (repoProblem) {
      setErrors({ repoPath: repoProblem });
      return;
    }
    setBusy(true);
    const result = await api.submitTask(input);
    setBusy(false);
    if (!result.ok) {
      setErrors(toFieldErrors(result.error.issues ?? []));
      setFormError(result.error.message);
      return;
    }
    upsertTasks([result.value]);
    setDescription('');
    setRetryOf(null);
    // A grant is for one task: the next one starts without network again.
    setAllowNetwork(false);
    setAttachments([]);
    setSubmitted({ id: result.value.id, description: result.value.description });
  };

  return (
    <form className="card submit-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Submit a task">
      <h2>New task</h2>
      {hasModel === false ? (
        <p className="banner" role="status" id="no-model-warning">
          No model is assigned yet, so a task cannot plan. <a href="#/models">Set up a model</a> first (it takes a minute if a local model server is running).
        </p>
      ) : null}
      {retryOf ? (
        <p className="hint">
          Resubmitting <a href={href({ page: 'task', id: retryOf })}>{retryOf}</a> with your edits.{' '}
          <button type="button" className="link-button" onClick={() => setRetryOf(null)}>
            Make it a new task
          </button>
        </p>
      ) : null}
      <Field id="description" label="What should the agent do?" error={errors['description']}>
        <textarea
          id="description"
          value={description}
          rows={3}
          placeholder="Add input validation to the signup form"
          onChange={(e) => setDescription(e.target.value)}
          aria-invalid={Boolean(errors['description'])}
          aria-describedby={errors['description'] ? 'description-error' : undefined}
        />
      </Field>
      <Field id="repoPath" label="Target repository (absolute path)" error={errors['repoPath'] ?? repoProblem ?? undefined}>
        <input
          id="repoPath"
          value={repoPath}
          list="recent-repos"
          autoComplete="off"
          placeholder="/Users/you/code/project"
          onChange={(e) => setRepoPath(e.target.value)}
          aria-invalid={Boolean(errors['repoPath'] ?? repoProblem)}
          aria-describedby={errors['repoPath'] || repoProblem ? 'repoPath-error' : 'repoPath-check'}
        />
        {!errors['repoPath'] && !repoProblem && repoCheck.data?.exists ? (
          <span className="hint" id="repoPath-check" role="status">
            {repoCheck.data.warning ?? `git repository${repoCheck.data.allowedRoots.length ? ', inside the allowed folders' : ''}`}
          </span>
        ) : null}
      </Field>
      <datalist id="recent-repos">
        {recentRepos.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <div className="row">
        <Field id="mode" label="Mode" error={errors['mode']}>
          <select id="mode" value={mode} onChange={(e) => setMode(e.target.value as ExecutionMode)}>
            {EXECUTION_MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
        <Field id="riskTier" label="Risk tier" error={errors['riskTier']}>
          <select id="riskTier" value={riskTier} onChange={(e) => setRiskTier(Number(e.target.value) as RiskTier)}>
            <option value={1}>1 — most strict</option>
            <option value={2}>2 — standard</option>
            <option value={3}>3 — low risk</option>
          </select>
        </Field>
        <Field id="priority" label="Priority" error={errors['priority']}>
          <select id="priority" value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            <option value="low">low</option>
            <option value="normal">normal</option>
            <option value="high">high</option>
            <option value="urgent">urgent</option>
          </select>
        </Field>
        <Field id="maxIterations" label="Max iterations" error={errors['maxIterations']}>
          <input
            id="maxIterations"
            type="number"
            min={1}
            max={50}
            value={maxIterations}
            onChange={(e) => setMaxIterations(e.target.value)}
            aria-invalid={Boolean(errors['maxIterations'])}
            aria-describedby={errors['maxIterations'] ? 'maxIterations-error' : undefined}
          />
        </Field>
      </div>
      <p className="hint">{MODE_HELP[mode]}</p>
      <div className="field">
        <label htmlFor="allowNetwork">
          <input id="allowNetwork" type="checkbox" checked={allowNetwork} onChange={(e) => setAllowNetwork(e.target.checked)} aria-describedby="allowNetwork-help" /> Allow network access
          for this task’s commands
        </label>
        <span id="allowNetwork-help" className="hint">
          Off: the tests, gates and tools this task runs have no network at all (the sandbox gives them none).
        </span>
        {allowNetwork ? (
          <p className="banner banner-danger" role="alert" data-testid="network-warning">
            Network allowed: every command this task causes — including ones the model or the spec wrote — can reach your local network, services on this
            machine (localhost) and the internet, and could send out what it reads in the workspace. The grant is recorded in the task’s journal and shown
            on its page. Allow it only for a task whose checks really need the network.
          </p>
        ) : null}
      </div>
      <AttachmentPicker files={attachments} onChange={setAttachments} error={errors['attachments']} />
      <SubmitEstimate repoPath={repoPath} riskTier={riskTier} mode={mode} />
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      {submitted && (
        <p className="form-ok" role="status">
          Queued <a href={href({ page: 'task', id: submitted.id })}>{submitted.description}</a>
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Submitting…' : 'Submit task'}
      </button>
    </form>
  );
}

function Field({ id, label, error, children }: { id: string; label: string; error: string | undefined; children: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function toFieldErrors(issues: { path: string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  // `attachments[1].name` belongs to the attachments field; each of its problems is shown there.
  for (const i of issues) {
    const field = i.path.split(/[.[]/)[0] || 'form';
    out[field] = field === 'attachments' && out[field] ? `${out[field]}; ${i.message}` : (out[field] ?? i.message);
  }
  return out;
}
