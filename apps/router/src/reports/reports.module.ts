import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { ConversationReportQuery } from './conversation-report';
import { ReportsController } from './reports.controller';

@Module({ imports: [ApiModule], controllers: [ReportsController], providers: [ConversationReportQuery] })
export class ReportsModule {}
