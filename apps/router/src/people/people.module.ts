import { Module } from '@nestjs/common';
import { CreatePersonUseCase } from './create-person.use-case';
import { DemoPeople } from './demo-people';
import { PeopleController } from './people.controller';
import { MeController, SessionsController } from './sessions.controller';

/** People of a tenant and their sign-in (ADR 0610); the tokens are checked by libs/auth with the API keys. */
@Module({
  controllers: [PeopleController, SessionsController, MeController],
  providers: [CreatePersonUseCase, DemoPeople],
})
export class PeopleModule {}
