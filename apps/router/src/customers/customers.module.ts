import { Global, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { CustomerIdentities } from './customer-identities';
import { CustomersController } from './customers.controller';

@Global()
@Module({ imports: [ApiModule], controllers: [CustomersController], providers: [CustomerIdentities], exports: [CustomerIdentities] })
export class CustomersModule {}
