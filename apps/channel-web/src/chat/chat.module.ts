import { DynamicModule, Module } from '@nestjs/common';
import { WEB_CONFIG, WebConfig } from '../config';
import { ChatGateway } from './chat.gateway';
import { HistoryService } from './history.service';
import { OutboundConsumer } from './outbound.consumer';
import { ReceiveWebMessageUseCase } from './receive-web-message.use-case';
import { SessionRegistry } from './session-registry';

@Module({})
export class ChatModule {
  static register(config: WebConfig): DynamicModule {
    return {
      module: ChatModule,
      providers: [{ provide: WEB_CONFIG, useValue: config }, ChatGateway, SessionRegistry, HistoryService, ReceiveWebMessageUseCase, OutboundConsumer],
    };
  }
}
