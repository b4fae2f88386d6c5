import { Inject, Injectable } from '@nestjs/common';
import type { AiResult } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { TenantSettings } from '../conversations/tenant-settings';
import { CustomerVerification } from './customer-verification';
import { RunWorkflowUseCase, type WorkflowOutcome } from './run-workflow.use-case';
import { TenantConnectors, type ConnectorTarget } from './tenant-connector';
import { matchWorkflow, type WorkflowConfig, type WorkflowMatch } from './workflow-config';

export interface TriggeredWorkflow {
  readonly match: WorkflowMatch;
  readonly config: WorkflowConfig;
  readonly connector: ConnectorTarget;
}

/** Which workflow an AI result triggers for its tenant (none without a connector), and running it. */
@Injectable()
export class Workflows {
  constructor(
    private readonly settings: TenantSettings,
    private readonly runner: RunWorkflowUseCase,
    private readonly verification: CustomerVerification,
    private readonly connectors: TenantConnectors,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async triggered(tenantId: string, r: Pick<AiResult, 'intent' | 'entities'>, customerText: string | undefined): Promise<TriggeredWorkflow | null> {
    const { workflows: config } = await this.settings.get(tenantId);
    const connector = await this.connectorOf(tenantId, config);
    if (!connector) return null;
    const match = matchWorkflow(config, r, customerText);
    const baseUrl = connector.baseUrl.endsWith('/') ? connector.baseUrl : `${connector.baseUrl}/`;
    return match ? { match, config, connector: { ...connector, baseUrl } } : null;
  }

  /**
   * The tenant's own connector, signed with its own secret(s) (set through the API, sealed); else the
   * deployment's (`workflows.connectorBaseUrl` or CONNECTOR_BASE_URL) signed with CONNECTOR_SIGNING_SECRET
   * — the demo's and single-company deployments' fallback. No connector: no workflows.
   */
  private async connectorOf(tenantId: string, config: WorkflowConfig): Promise<ConnectorTarget | null> {
    const own = await this.connectors.of(tenantId);
    if (own) return own;
    const baseUrl = config.connectorBaseUrl ?? this.config.CONNECTOR_BASE_URL;
    const secret = this.config.CONNECTOR_SIGNING_SECRET;
    return baseUrl ? { baseUrl, signingSecrets: secret ? [secret] : [] } : null;
  }

  /** Runs it for the customer the message proves (ADR 0226): the connector answers only with what they own. */
  async run(c: ConversationDoc, messageId: string, language: string | undefined, t: TriggeredWorkflow): Promise<{ runId: string; outcome: WorkflowOutcome }> {
    const contacts = await this.verification.contactsFor(c, messageId);
    return this.runner.execute({ conversation: c, messageId, language, match: t.match, config: t.config, connector: t.connector, contacts });
  }
}
