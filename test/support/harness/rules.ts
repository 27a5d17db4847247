/** The alert rules in alerts/, parsed. */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULES_FILE = fileURLToPath(new URL('../../../alerts/kube-api-exporter.rules.yml', import.meta.url));
export const INHIBIT_RULES_FILE = fileURLToPath(
  new URL('../../../alerts/alertmanager-inhibit-rules.yml', import.meta.url),
);
export const RULE_TESTS_FILE = fileURLToPath(
  new URL('../../../alerts/kube-api-exporter.rules.test.yml', import.meta.url),
);

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export function loadRuleGroups(path = RULES_FILE): RuleGroup[] {
  return parse(readFileSync(path, 'utf8')).groups;
}

/** A metric selector in PromQL text: its metric name and its `label="value"` matchers. */
export interface Selector {
  readonly metric: string;
  readonly matchers: Readonly<Record<string, string>>;
}

/** The `k8s_*` selectors in an expression or a series notation, in order of appearance. */
export function exporterSelectors(text: string): Selector[] {
  return [...text.matchAll(/\b(k8s_[A-Za-z0-9_]+)(?:\{([^}]*)\})?/g)].map(([, metric, matchers = '']) => ({
    metric,
    matchers: Object.fromEntries(
      [...matchers.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)].map(([, name, value]) => [name, value]),
    ),
  }));
}

/** The `inhibit_rules` of alerts/alertmanager-inhibit-rules.yml, for an Alertmanager configuration. */
export function loadInhibitRules(): object[] {
  return parse(readFileSync(INHIBIT_RULES_FILE, 'utf8')).inhibit_rules;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The rules with every duration, `for:`, `keep_firing_for:` and range windows alike, divided by `factor`: a test copy that waits seconds
 * where the rules wait minutes, keeping their order (the cause alert's 5 minutes still come before the symptoms' 15).
 */
export function timeScaled(groups: readonly RuleGroup[], factor: number): RuleGroup[] {
  const scaled = (duration: string) => {
    const [, amount, unit] = /^(\d+)([smh])$/.exec(duration) ?? [];
    if (!unit) throw new Error(`unexpected duration ${duration}`);
    return `${Math.round((Number(amount) * UNIT_MS[unit]) / factor)}ms`;
  };
  return groups.map((group) => ({
    ...group,
    rules: group.rules.map((rule) => ({
      ...rule,
      expr: rule.expr.replace(/\[(\w+)\]/g, (_, window: string) => `[${scaled(window)}]`),
      ...(rule.for === undefined ? {} : { for: scaled(rule.for) }),
      ...(rule.keep_firing_for === undefined ? {} : { keep_firing_for: scaled(rule.keep_firing_for) }),
    })),
  }));
}
