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
