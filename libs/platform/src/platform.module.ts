import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { loggerOptions } from '@omni/telemetry';
import { OpsController } from './health.controller';

/** What every app has: JSON logs with trace ids, /health/live, /health/ready, /metrics. */
@Module({})
export class PlatformModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(app),
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [OpsController],
    };
  }
}
