import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { MongooseModule, getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ConversationSchema, CustomerSchema, MessageSchema } from './schemas';
import { CONVERSATION_REPOSITORY, CUSTOMER_REPOSITORY, MESSAGE_REPOSITORY } from './ports';
import { MongoConversationRepository, MongoCustomerRepository, MongoMessageRepository } from './repositories';

class IndexSync implements OnModuleInit {
  constructor(@Inject(getConnectionToken()) private readonly connection: Connection) {}

  /** Unique indexes must exist before the first write, or a redelivery could slip in twice. */
  async onModuleInit(): Promise<void> {
    await Promise.all(Object.values(this.connection.models).map((m) => m.createIndexes()));
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(uri: string): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        MongooseModule.forRoot(uri, {
          serverSelectionTimeoutMS: 5_000,
          socketTimeoutMS: 20_000,
          maxPoolSize: 20,
          autoIndex: false,
          retryWrites: false, // FerretDB locally; MongoDB in production may enable it via the URI
        }),
        MongooseModule.forFeature([
          { name: 'Customer', schema: CustomerSchema },
          { name: 'Conversation', schema: ConversationSchema },
          { name: 'Message', schema: MessageSchema },
        ]),
      ],
      providers: [
        IndexSync,
        { provide: CUSTOMER_REPOSITORY, useClass: MongoCustomerRepository },
        { provide: CONVERSATION_REPOSITORY, useClass: MongoConversationRepository },
        { provide: MESSAGE_REPOSITORY, useClass: MongoMessageRepository },
      ],
      exports: [CUSTOMER_REPOSITORY, CONVERSATION_REPOSITORY, MESSAGE_REPOSITORY, MongooseModule],
    };
  }
}
