import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { OmniError, derivedId, errorSummary, type ConnectorContact } from '@omni/contracts';
import { ConversationDoc, WORKFLOW_RUN_REPOSITORY, WorkflowRunDoc, WorkflowRunRepository, WorkflowStepDoc } from '@omni/persistence';
import type { HandoffReasonCode } from '@omni/routing';
import { ConnectorClient, ConnectorRequest } from './connector.client';
import type { ConnectorTarget } from './tenant-connector';
import type { WorkflowConfig, WorkflowMatch } from './workflow-config';
import { orderNotFoundText, orderStatusText, refundText, ticketText, verifyFirstText } from './workflow-texts';

export type WorkflowOutcome = { kind: 'reply'; text: string } | { kind: 'handoff'; code: HandoffReasonCode; detail: string };

const OrderSchema = z.object({
  number: z.string().min(1).max(64),
  status: z.enum(['processing', 'shipped', 'delivered', 'cancelled']),
  carrier: z.string().max(64).optional(),
  eta: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  total: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
const CreatedSchema = z.object({ id: z.string().min(1).max(64) });

export interface WorkflowCommand {
  readonly conversation: ConversationDoc;
  /** The inbound message that triggered it: the run's and every side effect's idempotency key. */
  readonly messageId: string;
  readonly language: string | undefined;
  readonly match: WorkflowMatch;
  readonly config: WorkflowConfig;
  /** The tenant's connector (its own, or the env's for the demo) and the secrets its requests are signed with. */
  readonly connector: ConnectorTarget;
  /**
   * Who the customer writing the message is proven to be (ADR 0226): sent with every connector call,
   * which answers only with what these contacts own. Empty: nothing about an order is looked up or done.
   */
  readonly contacts: readonly ConnectorContact[];
}

/**
 * Runs one intent-triggered workflow through the company's connector and records it on the
 * conversation (workflow_runs: steps with inputs, outputs or errors, and the outcome). A failed step
 * ends the run with a handoff whose reason names the step and the error; the bot never guesses.
 * A redelivered trigger returns the recorded outcome, or re-runs an unfinished run: creates carry
 * Idempotency-Key = <run>:<step>, so the company's side creates once.
 */
@Injectable()
export class RunWorkflowUseCase {
  constructor(
    @Inject(WORKFLOW_RUN_REPOSITORY) private readonly runs: WorkflowRunRepository,
    private readonly connector: ConnectorClient,
  ) {}

  async execute(cmd: WorkflowCommand): Promise<{ runId: string; outcome: WorkflowOutcome }> {
    const { conversation: c, match } = cmd;
    const runId = derivedId(cmd.messageId, 'workflow');
    // The run records which kinds of contact vouched for the customer, not the values.
    const verifiedBy = [...new Set(cmd.contacts.map((x) => x.kind))].sort().join(',') || 'none';
    const { run } = await this.runs.start({
      _id: runId, tenantId: c.tenantId, conversationId: c._id, messageId: cmd.messageId, workflow: match.workflow, intent: match.intent,
      inputs: { ...match.inputs, verifiedBy }, status: 'running', steps: [], startedAt: new Date(),
    });
    if (run.outcome) return { runId, outcome: run.outcome.kind === 'reply' ? run.outcome : { ...run.outcome, code: run.outcome.code as HandoffReasonCode } };
    const steps: WorkflowStepDoc[] = [];
    const step = async (name: string, req: Omit<ConnectorRequest, 'contacts'>): Promise<{ status: number; body: unknown }> => {
      const startedAt = new Date();
      const input = { method: req.method, path: req.path, ...(req.body ? { body: req.body } : {}) };
      try {
        const res = await this.connector.call(cmd.connector, { ...req, contacts: cmd.contacts, ...(req.method === 'POST' ? { idempotencyKey: `${runId}:${name}` } : {}) });
        steps.push({ name, connector: cmd.connector.baseUrl, input, output: { status: res.status, body: res.body as Record<string, unknown> }, startedAt, endedAt: new Date() });
        return res;
      } catch (err) {
        const { code, message } = errorSummary(err);
        steps.push({ name, connector: cmd.connector.baseUrl, input, error: { code, message }, startedAt, endedAt: new Date() });
        throw new StepFailed(name, code, message);
      }
    };
    let outcome: WorkflowOutcome;
    let status: WorkflowRunDoc['status'];
    try {
      outcome = await this.run(cmd, step);
      status = outcome.kind === 'reply' ? 'succeeded' : 'handed_off';
    } catch (err) {
      const detail = err instanceof StepFailed ? `${match.workflow}: step ${err.step} failed (${err.code}: ${err.message})` : `${match.workflow}: ${errorSummary(err).message}`;
      outcome = { kind: 'handoff', code: 'workflow_failed', detail: detail.slice(0, 500) };
      status = 'failed';
    }
    await this.runs.finish(runId, { status, steps, outcome, endedAt: new Date() });
    return { runId, outcome };
  }

  private async run(cmd: WorkflowCommand, step: (name: string, req: Omit<ConnectorRequest, 'contacts'>) => Promise<{ status: number; body: unknown }>): Promise<WorkflowOutcome> {
    const { match, language, conversation: c } = cmd;
    const number = match.inputs.orderNumber ?? '';
    // An order's status, carrier, ETA and refunds are the order owner's: a customer proven to be no one
    // (an anonymous web visitor, an unauthenticated mail) is told how to prove it, and nothing is asked.
    if (cmd.contacts.length === 0 && match.workflow !== 'create_ticket') return { kind: 'reply', text: verifyFirstText(language, number) };
    const lookup = async (): Promise<z.output<typeof OrderSchema> | 'not_found' | 'not_proven'> => {
      const res = await step('lookup_order', { method: 'GET', path: `orders/${encodeURIComponent(number)}` });
      return res.status === 404 ? 'not_found' : res.status === 403 ? 'not_proven' : parsed(OrderSchema, res.body, 'order');
    };
    const unanswered = (o: 'not_found' | 'not_proven'): WorkflowOutcome => ({ kind: 'reply', text: o === 'not_found' ? orderNotFoundText(language, number) : verifyFirstText(language, number) });
    switch (match.workflow) {
      case 'lookup_order': {
        const order = await lookup();
        return typeof order === 'string' ? unanswered(order) : { kind: 'reply', text: orderStatusText(language, order) };
      }
      case 'create_ticket': {
        const res = await step('create_ticket', {
          method: 'POST', path: 'tickets',
          body: { conversationId: c._id, customerId: c.customerId, channel: c.channel, language: language ?? null, subject: match.intent, description: match.inputs.description, ...(number ? { orderNumber: number } : {}) },
        });
        return { kind: 'reply', text: ticketText(language, parsed(CreatedSchema, res.body, 'ticket').id) };
      }
      case 'start_refund': {
        const order = await lookup();
        if (typeof order === 'string') return unanswered(order);
        if (order.total > cmd.config.refundHumanAbove) {
          return { kind: 'handoff', code: 'human_only_intent', detail: `refund of ${order.total} ${order.currency} for order ${order.number} is above the automatic limit ${cmd.config.refundHumanAbove}` };
        }
        const res = await step('start_refund', { method: 'POST', path: 'refunds', body: { orderNumber: order.number, amount: order.total, currency: order.currency, conversationId: c._id } });
        if (res.status === 403 || res.status === 404) return unanswered(res.status === 404 ? 'not_found' : 'not_proven');
        return { kind: 'reply', text: refundText(language, { id: parsed(CreatedSchema, res.body, 'refund').id, number: order.number, amount: order.total, currency: order.currency }) };
      }
    }
  }
}

class StepFailed extends Error {
  constructor(readonly step: string, readonly code: string, message: string) {
    super(message);
  }
}

function parsed<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw new OmniError('connector_bad_response', `the connector's ${what} did not parse: ${r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`, false);
  return r.data;
}
