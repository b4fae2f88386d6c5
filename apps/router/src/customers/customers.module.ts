import { Global, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { CustomerIdentities } from './customer-identities';
import { CustomerStanding } from './customer-standing';
import { CustomersController } from './customers.controller';

@Global()
@Module({ imports: [ApiModule], controllers: [CustomersController], providers: [CustomerIdentities, CustomerStanding], exports: [CustomerIdentities, CustomerStanding] })
export class CustomersModule {}
