import { z } from 'zod';
import { ValidationError, type AiResult } from '@omni/contracts';

export const WORKFLOWS = ['lookup_order', 'create_ticket', 'start_refund'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

/** The demo tenant's intents (libs/nlu/data/demo-tenant) mapped to workflows. */
export const DEFAULT_WORKFLOW_RULES: ReadonlyArray<{ intent: string; workflow: WorkflowName }> = [
  { intent: 'order_status', workflow: 'lookup_order' },
  { intent: 'refund', workflow: 'start_refund' },
  { intent: 'complaint', workflow: 'create_ticket' },
];

/** A tenant's automation settings (`tenants.workflows`); every field optional. */
export const WorkflowConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The company's connector (orders, tickets, refunds); defaults to CONNECTOR_BASE_URL. */
    connectorBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** An intent below this confidence never triggers an action. */
    minConfidence: z.number().min(0).max(1).default(0.6),
    /** Refunds above this amount (the order's currency) are human-only: the workflow hands off. */
    refundHumanAbove: z.number().nonnegative().default(100),
    rules: z.array(z.object({ intent: z.string().min(1).max(128), workflow: z.enum(WORKFLOWS) })).max(100).default([...DEFAULT_WORKFLOW_RULES]),
  })
  .strict();
export type WorkflowConfig = z.output<typeof WorkflowConfigSchema>;

export function workflowConfig(input: unknown = {}): WorkflowConfig {
  const parsed = WorkflowConfigSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError('invalid workflows config', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return parsed.data;
}

export interface WorkflowMatch {
  readonly workflow: WorkflowName;
  readonly intent: string;
  /** From the AI result's entities (and the customer's text for tickets). */
  readonly inputs: Readonly<Record<string, string>>;
}

/**
 * The workflow an AI result triggers, or null: a confident intent with a rule, and the entities the
 * workflow needs. Without an order number the bot's own answer (which asks for it) goes out instead.
 */
export function matchWorkflow(config: WorkflowConfig, r: Pick<AiResult, 'intent' | 'entities'>, customerText?: string): WorkflowMatch | null {
  if (!config.enabled || !r.intent || r.intent.confidence < config.minConfidence) return null;
  const intent = r.intent.name;
  const rule = config.rules.find((x) => x.intent === intent);
  if (!rule) return null;
  const entity = (type: string) => r.entities.find((e) => e.type === type)?.value;
  switch (rule.workflow) {
    case 'lookup_order':
    case 'start_refund': {
      const orderNumber = entity('order_number');
      return orderNumber ? { workflow: rule.workflow, intent, inputs: { orderNumber } } : null;
    }
    case 'create_ticket':
      return customerText ? { workflow: rule.workflow, intent, inputs: { description: customerText.slice(0, 2000), ...(entity('order_number') ? { orderNumber: entity('order_number') ?? '' } : {}) } } : null;
  }
}
