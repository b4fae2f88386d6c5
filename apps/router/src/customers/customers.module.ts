import { Global, Module } from '@nestjs/common';
import { CustomerIdentities } from './customer-identities';
import { CustomerStanding } from './customer-standing';
import { CustomersController } from './customers.controller';

@Global()
@Module({ controllers: [CustomersController], providers: [CustomerIdentities, CustomerStanding], exports: [CustomerIdentities, CustomerStanding] })
export class CustomersModule {}
