import type { GateResultRecord } from '../../../shared/domain/governance';
import { checkCompliance } from '../caws/compliance';
import { classifyPath, normalizePath } from '../caws/scope';
import type { Finding, JudgeDefinition, ReviewSubject } from './types';

const gate = (s: ReviewSubject, name: string): GateResultRecord | undefined => s.gateResults?.find((g) => g.gate === name);
const addedLines = (diff: string | undefined) => (diff ?? '').split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));

/** CAWS compliance: scope, budget, waivers, tier requirements. Its blockers veto the council. */
export const constitutionalJudge: JudgeDefinition = {
  id: 'constitutional',
  version: 'constitutional/2',
  focus: 'CAWS compliance: the change stays inside the spec scope and the tier budget, uses only active waivers, keeps the invariants, and the spec meets its risk tier requirements.',
  check(s) {
    const waiverStatus = new Map(s.waivers.map((w) => [w.id, w.status]));
    const waivedGates = new Set(
      (s.gateResults ?? []).filter((g) => g.waiverId && waiverStatus.has(g.waiverId)).map((g) => g.gate),
    );
    const report = checkCompliance({
      spec: s.spec,
      ...(s.change ? { changedFiles: s.change.changedFiles, budget: s.budget } : {}),
      waiverStatus,
      waivedGates,
    });
    const findings: Finding[] = report.violations.map((v) => ({ severity: 'blocker', ref: v.rule, summary: `${v.path}: ${v.message}`, evidenceType: 'static_check' }));
    for (const g of s.gateResults ?? []) {
      if (['scope', 'budget', 'spec_completeness'].includes(g.gate) && g.status === 'fail') {
        findings.push({ severity: 'blocker', ref: `gate:${g.gate}`, summary: `${g.gate} gate failed: ${g.details.slice(0, 300)}`, evidenceType: 'static_check' });
      }
      // Exhausted is fine (this task's own use may have spent the last one); revoked or expired is not.
      const status = g.waiverId ? waiverStatus.get(g.waiverId) : undefined;
      if (status === 'revoked' || status === 'expired' || status === 'pending') {
        findings.push({ severity: 'blocker', ref: 'CAWS-WAIVER-REFS', summary: `${g.gate} passed under waiver ${g.waiverId}, which is now ${status}`, evidenceType: 'static_check' });
      }
    }
    for (const s2 of report.suggestions) findings.push({ severity: 'info', ref: 'CAWS-SUGGESTION', summary: s2, evidenceType: 'static_check' });
    // With nothing broken, the rules that held are the record of what was checked.
    if (findings.every((f) => f.severity !== 'blocker')) {
      for (const rule of report.rulesChecked) findings.push({ severity: 'info', ref: rule, summary: 'rule held', evidenceType: 'static_check' });
    }
    return findings;
  },
};

const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN (?:RSA |EC |OPENSSH |)PRIVATE KEY-----/, 'a private key'],
  [/AKIA[0-9A-Z]{16}/, 'an AWS access key id'],
  [/ghp_[A-Za-z0-9]{36}/, 'a GitHub token'],
  [/xox[baprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
];

/** Correctness, security, error handling, tests. */
export const technicalJudge: JudgeDefinition = {
  id: 'technical',
  version: 'technical/1',
  focus: 'technical soundness: correctness, security, error handling and tests of the plan or change.',
  check(s) {
    const findings: Finding[] = [];
    if (s.kind === 'plan') {
      if (!s.spec.non_functional.security?.length && s.riskTier <= 2) {
        findings.push({ severity: 'concern', ref: 'plan:security', summary: 'the spec states no security requirement', evidenceType: 'static_check' });
      }
      const untested = s.spec.acceptance.filter((a) => !a.test_command?.trim()).map((a) => a.id);
      if (untested.length) findings.push({ severity: 'concern', ref: 'plan:untested-criteria', summary: `criteria without a test command: ${untested.join(', ')}`, evidenceType: 'static_check' });
      return findings;
    }
    for (const name of ['tests', 'typecheck'] as const) {
      const g = gate(s, name);
      if (g?.status === 'fail') findings.push({ severity: 'blocker', ref: `gate:${name}`, summary: `${name} failed: ${g.details.slice(0, 300)}`, evidenceType: 'test' });
    }
    const lint = gate(s, 'lint');
    if (lint && (lint.status === 'fail' || lint.status === 'warn')) findings.push({ severity: 'concern', ref: 'gate:lint', summary: `lint: ${lint.details.slice(0, 200)}`, evidenceType: 'static_check' });
    const tests = gate(s, 'tests');
    if (!tests || tests.status === 'skip') findings.push({ severity: 'concern', ref: 'gate:tests', summary: 'no tests ran against this change', evidenceType: 'test' });
    else if (tests.status === 'pass') findings.push({ severity: 'info', ref: 'gate:tests', summary: tests.details.split('\n')[0]!, evidenceType: 'test' });
    const added = addedLines(s.change?.diff);
    for (const [re, what] of SECRET_PATTERNS) {
      if (added.some((l) => re.test(l))) findings.push({ severity: 'blocker', ref: 'secret-in-diff', summary: `the change adds what looks like ${what}`, evidenceType: 'static_check' });
    }
    if (added.some((l) => /\beval\s*\(|new Function\s*\(/.test(l))) findings.push({ severity: 'concern', ref: 'dynamic-code', summary: 'the change adds eval or new Function', evidenceType: 'static_check' });
    return findings;
  },
};

/** Fit to the acceptance criteria, completeness, maintainability. */
export const qualityJudge: JudgeDefinition = {
  id: 'quality',
  version: 'quality/2',
  focus: 'quality: does the plan or change meet every acceptance criterion, is it complete, and will it be maintainable?',
  check(s) {
    const findings: Finding[] = [];
    const vague = s.spec.acceptance.filter((a) => a.then.trim().length < 12).map((a) => a.id);
    if (vague.length) findings.push({ severity: 'concern', ref: 'plan:vague-criteria', summary: `criteria with a vague outcome: ${vague.join(', ')}`, evidenceType: 'static_check' });
    if (s.kind === 'plan') return findings;
    const coverage = gate(s, 'coverage');
    if (coverage && (coverage.status === 'fail' || coverage.status === 'warn')) findings.push({ severity: 'concern', ref: 'gate:coverage', summary: coverage.details, evidenceType: 'test' });
    const files = s.change?.changedFiles ?? [];
    if (files.length === 0) findings.push({ severity: 'blocker', ref: 'change:empty', summary: 'the change modifies no file', evidenceType: 'static_check' });
    const touchesTests = files.some((f) => /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[a-z]+$|_test\.(go|py)$/.test(normalizePath(f.path)));
    if (files.length > 0 && !touchesTests && (s.spec.mode === 'feature' || s.spec.mode === 'fix')) {
      findings.push({ severity: 'concern', ref: 'change:no-tests', summary: `a ${s.spec.mode} that changes no test`, evidenceType: 'static_check' });
    }
    // Criteria the claim table shows as not met: a test failed, or nothing verified the worker's word.
    for (const c of s.claims?.criteria ?? []) {
      if (c.status === 'refuted' || c.status === 'unmet') findings.push({ severity: 'concern', ref: `criterion:${c.criterionId}`, summary: `${c.criterionId} is ${c.status}: ${c.evidence.slice(0, 200)}`, evidenceType: 'test' });
    }
    const todos = addedLines(s.change?.diff).filter((l) => /\b(TODO|FIXME|XXX)\b/.test(l)).length;
    if (todos) findings.push({ severity: 'concern', ref: 'change:todo', summary: `${todos} TODO/FIXME line(s) added`, evidenceType: 'static_check' });
    return findings;
  },
};

/** Contracts, API compatibility, breaking changes, blast radius. */
export const integrationJudge: JudgeDefinition = {
  id: 'integration',
  version: 'integration/1',
  focus: 'integration: contracts, API compatibility, breaking changes and blast radius.',
  check(s) {
    const findings: Finding[] = [];
    if (s.spec.blast_radius.modules.length > 5) findings.push({ severity: 'concern', ref: 'blast-radius', summary: `wide blast radius: ${s.spec.blast_radius.modules.length} modules`, evidenceType: 'static_check' });
    if (s.spec.blast_radius.data_migration && !s.spec.rollback?.length) findings.push({ severity: 'blocker', ref: 'data-migration', summary: 'a data migration without rollback steps', evidenceType: 'static_check' });
    if (s.kind === 'plan') {
      for (const c of s.spec.contracts) {
        if (c.path && !classifyPath(s.spec.scope, c.path).inScope) findings.push({ severity: 'info', ref: `contract:${c.name}`, summary: `contract ${c.name} (${c.path}) lies outside the scope, so the change cannot alter it`, evidenceType: 'static_check' });
      }
      return findings;
    }
    const changed = new Set((s.change?.changedFiles ?? []).map((f) => normalizePath(f.path)));
    for (const c of s.spec.contracts) {
      if (c.path && changed.has(normalizePath(c.path))) findings.push({ severity: 'concern', ref: `contract:${c.name}`, summary: `the change edits contract ${c.name} (${c.path}): check compatibility`, evidenceType: 'static_check' });
    }
    const manifests = [...changed].filter((p) => /(^|\/)(package\.json|package-lock\.json|Cargo\.toml|go\.mod|pyproject\.toml|requirements\.txt)$/.test(p));
    if (manifests.length) findings.push({ severity: 'concern', ref: 'dependencies', summary: `dependency manifests changed: ${manifests.join(', ')}`, evidenceType: 'static_check' });
    return findings;
  },
};

export const JUDGES: readonly JudgeDefinition[] = [constitutionalJudge, technicalJudge, qualityJudge, integrationJudge];
