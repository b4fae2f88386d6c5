import { Module } from '@nestjs/common';
import { ConversationReportQuery } from './conversation-report';
import { ReportsController } from './reports.controller';

@Module({ controllers: [ReportsController], providers: [ConversationReportQuery] })
export class ReportsModule {}
