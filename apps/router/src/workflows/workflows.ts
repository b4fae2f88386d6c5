import { Inject, Injectable } from '@nestjs/common';
import type { AiResult } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { TenantSettings } from '../conversations/tenant-settings';
import { CustomerVerification } from './customer-verification';
import { RunWorkflowUseCase, type WorkflowOutcome } from './run-workflow.use-case';
import { matchWorkflow, type WorkflowConfig, type WorkflowMatch } from './workflow-config';

export interface TriggeredWorkflow {
  readonly match: WorkflowMatch;
  readonly config: WorkflowConfig;
  readonly baseUrl: string;
}

/** Which workflow an AI result triggers for its tenant (none without a connector), and running it. */
@Injectable()
export class Workflows {
  constructor(
    private readonly settings: TenantSettings,
    private readonly runner: RunWorkflowUseCase,
    private readonly verification: CustomerVerification,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async triggered(tenantId: string, r: Pick<AiResult, 'intent' | 'entities'>, customerText: string | undefined): Promise<TriggeredWorkflow | null> {
    const { workflows: config } = await this.settings.get(tenantId);
    const baseUrl = config.connectorBaseUrl ?? this.config.CONNECTOR_BASE_URL;
    if (!baseUrl) return null;
    const match = matchWorkflow(config, r, customerText);
    return match ? { match, config, baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/` } : null;
  }

  /** Runs it for the customer the message proves (ADR 0226): the connector answers only with what they own. */
  async run(c: ConversationDoc, messageId: string, language: string | undefined, t: TriggeredWorkflow): Promise<{ runId: string; outcome: WorkflowOutcome }> {
    const contacts = await this.verification.contactsFor(c, messageId);
    return this.runner.execute({ conversation: c, messageId, language, match: t.match, config: t.config, baseUrl: t.baseUrl, contacts });
  }
}
