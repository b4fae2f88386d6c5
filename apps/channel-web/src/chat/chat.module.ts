import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WEB_CONFIG, WebConfig } from '../config';
import { VisitorSessions } from '../sessions/visitor-sessions';
import { MongoWebSessions, WEB_SESSIONS, WebSessionSchema } from '../sessions/web-session.store';
import { ChatGateway } from './chat.gateway';
import { HistoryService } from './history.service';
import { OutboundConsumer } from './outbound.consumer';
import { ReceiveWebMessageUseCase } from './receive-web-message.use-case';
import { SessionRegistry } from './session-registry';
import { WidgetTextsService } from './widget-texts.service';

@Module({})
export class ChatModule {
  static register(config: WebConfig): DynamicModule {
    return {
      module: ChatModule,
      imports: [MongooseModule.forFeature([{ name: 'WebSession', schema: WebSessionSchema }])],
      providers: [
        { provide: WEB_CONFIG, useValue: config },
        { provide: WEB_SESSIONS, useClass: MongoWebSessions },
        VisitorSessions,
        ChatGateway,
        SessionRegistry,
        HistoryService,
        WidgetTextsService,
        ReceiveWebMessageUseCase,
        OutboundConsumer,
      ],
    };
  }
}
