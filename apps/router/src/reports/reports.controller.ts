import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ChannelSchema } from '@omni/contracts';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { ConversationReport, ConversationReportQuery } from './conversation-report';
import { parse } from '@omni/contracts';

const DAY_MS = 86_400_000;
const ReportQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    channel: ChannelSchema.optional(),
  })
  .strict()
  .transform((q, ctx) => {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to' });
    if (to.getTime() - from.getTime() > 93 * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: 'at most 93 days per report' });
    return { from, to, ...(q.channel ? { channel: q.channel } : {}) };
  });

@ApiTags('reports')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly report: ConversationReportQuery) {}

  @Get('conversations')
  @Requires('reports.read')
  @ApiOperation({
    summary: 'First-response time, resolution time, containment, resolution SLA, handoff reasons and CSAT; each also per channel/language/group (`by`)',
    description: 'Over the conversations opened in [from, to) (default: the last 7 days; at most 93 days and 5,000 conversations, `truncated` says when more). '
      + '`resolutionSla` judges handed-off conversations against their group\'s resolution target (the group\'s `resolutionSeconds`, else the tenant\'s `sla.resolutionSeconds`), from the handoff: met, breached (resolved late or open past it), pending.',
  })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 date-time' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 date-time (exclusive)' })
  @ApiQuery({ name: 'channel', required: false, enum: ChannelSchema.options })
  conversations(@CallerOf() caller: Caller, @Query() query: unknown): Promise<ConversationReport> {
    return this.report.execute(caller.tenantId, parse(ReportQuery, query, 'query'));
  }
}
